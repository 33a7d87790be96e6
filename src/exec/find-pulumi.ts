// Find the real `pulumi`, never ourselves (DESIGN §3 step 8): a PATH walk that skips every entry
// resolving to our own launcher, plus an environment guard that catches wrappers we cannot see
// through (a shell script named `pulumi` that calls pulumi-agent).
import { accessSync, constants, realpathSync, statSync, readFileSync } from "node:fs";
import path from "node:path";

/** Set in the child's env: "<our pid>:<the pulumi we started>". */
export const GUARD_VAR = "PULUMI_AGENT_EXEC_GUARD";
/** Nesting depth, as a hard stop whatever else goes wrong. */
export const DEPTH_VAR = "PULUMI_AGENT_DEPTH";
export const MAX_DEPTH = 4;

/** How to get the Pulumi CLI, for every message that says it is missing. */
export const INSTALL_HINT =
  "Install it (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`) or set PULUMI_AGENT_PULUMI_BIN to its path.";

export interface FindOptions {
  env: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  /** Real paths of our own entry points (bin launcher, built main). */
  selfPaths: string[];
  /** Candidates to skip because a parent pulumi-agent already ran them and they led back to us. */
  skip?: string[];
}

export type FindResult =
  | { ok: true; path: string; source: "PULUMI_AGENT_PULUMI_BIN" | "PATH"; skipped: string[] }
  | { ok: false; reason: "not-found" | "explicit-missing" | "explicit-is-self"; message: string; skipped: string[] };

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (platform === "win32") return true;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A script whose shebang runs our launcher, or whose realpath is one of our files. */
function isSelf(candidate: string, selfReal: Set<string>): boolean {
  return selfReal.has(safeRealpath(candidate));
}

export function findRealPulumi(o: FindOptions): FindResult {
  const platform = o.platform ?? process.platform;
  const selfReal = new Set(o.selfPaths.map(safeRealpath));
  const skipReal = new Set((o.skip ?? []).map(safeRealpath));
  const skipped: string[] = [];

  const explicit = o.env.PULUMI_AGENT_PULUMI_BIN;
  if (explicit) {
    if (!isExecutableFile(explicit, platform)) {
      return { ok: false, reason: "explicit-missing", skipped, message: `PULUMI_AGENT_PULUMI_BIN is set to ${explicit}, which is not an executable file. Point it at the real pulumi binary, or unset it to search PATH.` };
    }
    if (isSelf(explicit, selfReal) || skipReal.has(safeRealpath(explicit))) {
      return { ok: false, reason: "explicit-is-self", skipped, message: `PULUMI_AGENT_PULUMI_BIN points at pulumi-agent itself (${explicit}); that would run forever. Point it at the real pulumi binary.` };
    }
    return { ok: true, path: explicit, source: "PULUMI_AGENT_PULUMI_BIN", skipped };
  }

  const pathVar = o.env.PATH ?? o.env.Path ?? "";
  const sep = platform === "win32" ? ";" : ":";
  const exts = platform === "win32" ? (o.env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean) : [""];
  const seen = new Set<string>();
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, `pulumi${ext.toLowerCase()}`);
      if (!isExecutableFile(candidate, platform)) continue;
      const real = safeRealpath(candidate);
      if (seen.has(real)) continue;
      seen.add(real);
      if (selfReal.has(real) || skipReal.has(real) || launchesSelf(candidate, selfReal)) {
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
      `. ${INSTALL_HINT} \`pulumi-agent account bootstrap\` works without it.`,
  };
}

/** Small scripts (npm shims, `#!/usr/bin/env pulumi-agent`) that obviously run us. */
function launchesSelf(candidate: string, selfReal: Set<string>): boolean {
  try {
    const st = statSync(candidate);
    if (st.size > 4096) return false; // a real pulumi is a large binary; only peek at small scripts
    const head = readFileSync(candidate, "utf8");
    if (!head.startsWith("#!")) return false;
    if (/\bpulumi-agent(\.js)?\b/.test(head)) return true;
    for (const self of selfReal) if (head.includes(self)) return true;
  } catch {
    // unreadable: let it be tried
  }
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
