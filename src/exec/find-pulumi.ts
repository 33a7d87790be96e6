// Find the real `pulumi`, never ourselves (docs/architecture.md#running-pulumi): a PATH walk that skips every entry
// resolving to our own launcher, plus an environment guard that catches wrappers we cannot see
// through (a shell script named `pulumi` that calls pulumi-agent).
import { accessSync, constants, realpathSync, statSync, readFileSync } from "node:fs";
import path from "node:path";
import { explicitCandidates, isBatchFile, pathExtensions, splitWindowsPath, winEnv } from "./windows.js";

/** Set in the child's env: "<our pid>:<the pulumi we started>". */
export const GUARD_VAR = "PULUMI_AGENT_EXEC_GUARD";
/** Nesting depth, as a hard stop whatever else goes wrong. */
export const DEPTH_VAR = "PULUMI_AGENT_DEPTH";
export const MAX_DEPTH = 4;

/** How to get the Pulumi CLI, for every message that says it is missing. */
export function installHint(platform: NodeJS.Platform = process.platform): string {
  const install = platform === "win32" ? "e.g. `winget install pulumi` or `choco install pulumi`" : "e.g. `curl -fsSL https://get.pulumi.com | sh`";
  return `Install it (https://www.pulumi.com/docs/install/, ${install}) or set PULUMI_AGENT_PULUMI_BIN to its path.`;
}

/** The file-system questions the search asks; injected by tests that model a Windows disk. */
export interface FsProbe {
  /** A regular file we may run: on Windows any regular file, elsewhere one with an x bit for us. */
  isExecutableFile(p: string, platform: NodeJS.Platform): boolean;
  /** The resolved path, or `p` itself when it cannot be resolved. */
  realpath(p: string): string;
  /** The text of a small file (at most 4 KiB: a script or shim, never a real pulumi), else undefined. */
  smallFileText(p: string): string | undefined;
}

export interface FindOptions {
  env: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  /** Real paths of our own entry points (bin launcher, built main). */
  selfPaths: string[];
  /** Candidates to skip because a parent pulumi-agent already ran them and they led back to us. */
  skip?: string[];
  /** Defaults to the real file system. */
  fs?: FsProbe;
}

export type FindResult =
  | { ok: true; path: string; source: "PULUMI_AGENT_PULUMI_BIN" | "PATH"; skipped: string[] }
  | { ok: false; reason: "not-found" | "explicit-missing" | "explicit-is-self"; message: string; skipped: string[] };

const SMALL_FILE = 4096;

const realFs: FsProbe = {
  isExecutableFile(p, platform) {
    try {
      if (!statSync(p).isFile()) return false;
      if (platform === "win32") return true;
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  realpath(p) {
    try {
      return realpathSync.native(p);
    } catch {
      return p;
    }
  },
  smallFileText(p) {
    try {
      if (statSync(p).size > SMALL_FILE) return undefined;
      return readFileSync(p, "utf8");
    } catch {
      return undefined; // unreadable: let it be tried
    }
  },
};

export function findRealPulumi(o: FindOptions): FindResult {
  const platform = o.platform ?? process.platform;
  const fs = o.fs ?? realFs;
  const win = platform === "win32";
  // Windows paths ignore case: compare resolved paths in one case there.
  const key = (p: string) => (win ? fs.realpath(p).toLowerCase() : fs.realpath(p));
  const selfReal = new Set(o.selfPaths.map(key));
  const skipReal = new Set((o.skip ?? []).map(key));
  const skipped: string[] = [];
  const exts = win ? pathExtensions(o.env) : [""];

  const explicit = o.env.PULUMI_AGENT_PULUMI_BIN;
  if (explicit) {
    // On Windows `C:\tools\pulumi` means C:\tools\pulumi.exe (or .cmd ...), as for Go's exec.LookPath.
    const tries = win ? explicitCandidates(explicit, exts) : [explicit];
    const found = tries.find((p) => fs.isExecutableFile(p, platform));
    if (found === undefined) {
      const also = win && exts.length ? ` (nor with ${exts.join(", ")} appended)` : "";
      return { ok: false, reason: "explicit-missing", skipped, message: `PULUMI_AGENT_PULUMI_BIN is set to ${explicit}, which is not an executable file${also}. Point it at the real pulumi binary, or unset it to search PATH.` };
    }
    if (selfReal.has(key(found)) || skipReal.has(key(found))) {
      return { ok: false, reason: "explicit-is-self", skipped, message: `PULUMI_AGENT_PULUMI_BIN points at pulumi-agent itself (${found}); that would run forever. Point it at the real pulumi binary.` };
    }
    return { ok: true, path: found, source: "PULUMI_AGENT_PULUMI_BIN", skipped };
  }

  const dirs = win ? splitWindowsPath(winEnv(o.env, "PATH") ?? "") : (o.env.PATH ?? o.env.Path ?? "").split(":");
  const join = win ? path.win32.join : path.posix.join;
  const seen = new Set<string>();
  // Every directory in PATH order, and within a directory every PATHEXT extension in order.
  for (const dir of dirs) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, `pulumi${ext}`);
      if (!fs.isExecutableFile(candidate, platform)) continue;
      const real = key(candidate);
      if (seen.has(real)) continue;
      seen.add(real);
      if (selfReal.has(real) || skipReal.has(real) || launchesSelf(candidate, selfReal, win, fs)) {
        skipped.push(candidate);
        continue;
      }
      return { ok: true, path: candidate, source: "PATH", skipped };
    }
  }
  return {
    ok: false,
    reason: "not-found",
    skipped,
    message:
      "could not find the Pulumi CLI on PATH" +
      (skipped.length ? ` (skipped ${skipped.join(", ")}: they run pulumi-agent itself)` : "") +
      `. ${installHint(platform)} \`pulumi-agent account bootstrap\` works without it.`,
  };
}

/**
 * Small scripts that obviously run us: a `#!/usr/bin/env pulumi-agent` script, a shell wrapper,
 * or on Windows a .cmd/.bat shim (npm's cmd-shim names `...\pulumi-agent\bin\pulumi-agent.js`).
 */
function launchesSelf(candidate: string, selfReal: Set<string>, win: boolean, fs: FsProbe): boolean {
  const head = fs.smallFileText(candidate);
  if (head === undefined) return false;
  if (!head.startsWith("#!") && !(win && isBatchFile(candidate))) return false;
  if (/\bpulumi-agent(\.js)?\b/.test(head)) return true;
  const text = win ? head.toLowerCase() : head;
  for (const self of selfReal) if (text.includes(self)) return true;
  return false;
}

/** Parse the guard a parent pulumi-agent left in our env. */
export function readGuard(env: Readonly<Record<string, string | undefined>>): { pid: number; pulumi: string } | undefined {
  const raw = env[GUARD_VAR];
  if (!raw) return undefined;
  const i = raw.indexOf(":");
  const pid = Number(raw.slice(0, i));
  if (i < 0 || !Number.isInteger(pid)) return undefined;
  return { pid, pulumi: raw.slice(i + 1) };
}

/**
 * Was the "pulumi" our parent pulumi-agent started actually us (through a wrapper script)? True when
 * the guard's pid is our parent or grandparent: a real pulumi that later runs pulumi-agent from a
 * program is several processes further away.
 */
export function startedByOurselves(guard: { pid: number } | undefined, ppid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!guard) return false;
  if (guard.pid === ppid) return true;
  if (platform !== "linux") return false;
  try {
    const stat = readFileSync(`/proc/${ppid}/stat`, "utf8");
    // Field 4 (after the parenthesised command name, which may contain spaces) is the ppid.
    const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(after[1]) === guard.pid;
  } catch {
    return false;
  }
}
