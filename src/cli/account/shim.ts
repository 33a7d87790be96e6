// `account shim <dir>`: write <dir>/bin/pulumi (and pulumi.cmd on Windows), a `pulumi` that runs this
// pulumi-agent with this Node. Every Automation API SDK takes a Pulumi CLI root and runs <root>/bin/pulumi
// (Node `PulumiCommand.get({ root })`, Python `PulumiCommand(root=...)`, Go `NewPulumiCommand(&PulumiCommandOptions{Root: ...})`,
// .NET `LocalPulumiCommand.CreateAsync(new() { Root = ... })`), so every call of such a program goes through
// the wrapper. The shim names pulumi-agent, so the wrapper skips it when it looks for the real pulumi on
// PATH (the SDKs put <root>/bin first). Idempotent; never overwrites a file that is not one of ours.
import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AgentError } from "../../core/errors.js";
import { ownPaths } from "../../run/exec-pulumi.js";
import type { Io } from "../io.js";
import { printJson } from "./common.js";

/** The line that marks a file as our shim (and lets a later run update it). */
export const SHIM_MARKER = "pulumi-agent shim";

export interface ShimFile {
  /** Relative to <dir>. */
  name: string;
  text: string;
  mode: number;
}

/** POSIX sh single-quoting: every byte literal. */
const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The files of a shim running `node script "$@"`. On Windows a .cmd (what the SDKs find through PATHEXT)
 * and the sh script (Git Bash, MSYS); elsewhere only the sh script.
 */
export function shimFiles(node: string, script: string, platform: NodeJS.Platform = process.platform): ShimFile[] {
  const note = `${SHIM_MARKER}: runs every pulumi command through pulumi-agent (written by \`pulumi-agent account shim\`; run it again to update).`;
  const sh: ShimFile = { name: "bin/pulumi", mode: 0o755, text: `#!/bin/sh\n# ${note}\nexec ${shQuote(node)} ${shQuote(script)} "$@"\n` };
  if (platform !== "win32") return [sh];
  // In a batch file `%` starts a variable: a literal one is `%%`. Windows paths cannot contain `"`.
  const cmdPath = (p: string) => `"${p.replace(/%/g, "%%")}"`;
  const cmd: ShimFile = { name: "bin\\pulumi.cmd", mode: 0o755, text: `@echo off\r\nrem ${note}\r\n${cmdPath(node)} ${cmdPath(script)} %*\r\n` };
  return [cmd, { ...sh, name: "bin\\pulumi" }];
}

export type ShimStatus = "created" | "updated" | "unchanged";

/** What is at `file` now, for deciding whether we may write it. */
function existing(file: string): { kind: "missing" } | { kind: "ours"; text: string } | { kind: "foreign"; why: string } {
  let st;
  try {
    st = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw err;
  }
  if (st.isSymbolicLink()) return { kind: "foreign", why: "is a symbolic link" };
  if (!st.isFile()) return { kind: "foreign", why: "is not a regular file" };
  if (st.size > 4096) return { kind: "foreign", why: "is not a pulumi-agent shim" };
  const text = readFileSync(file, "utf8");
  return text.includes(SHIM_MARKER) ? { kind: "ours", text } : { kind: "foreign", why: "is not a pulumi-agent shim" };
}

export interface ShimResult {
  /** The root to give the Automation API. */
  root: string;
  /** The command the shim runs. */
  command: [string, string];
  files: { path: string; status: ShimStatus }[];
}

/** Write the shim under `root` (checked in full before anything is written). */
export function writeShim(root: string, node: string, script: string, platform: NodeJS.Platform = process.platform): ShimResult {
  const files = shimFiles(node, script, platform).map((f) => ({ ...f, path: path.join(root, ...f.name.split(/[\\/]/)) }));
  const plans = files.map((f) => {
    const now = existing(f.path);
    if (now.kind === "foreign") {
      throw new AgentError(`${f.path} already exists and ${now.why}; pulumi-agent does not overwrite it.`, {
        code: "shim-exists",
        hint: "Choose another directory for the shim, or move that file away if it is yours to replace.",
        exitCode: 1,
      });
    }
    const status: ShimStatus = now.kind === "missing" ? "created" : now.text === f.text ? "unchanged" : "updated";
    return { ...f, status };
  });
  for (const f of plans) {
    if (f.status === "unchanged") continue;
    mkdirSync(path.dirname(f.path), { recursive: true });
    // Whole or not at all: a half-written shim would run something else.
    const tmp = `${f.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, f.text, { mode: f.mode });
      renameSync(tmp, f.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
  return { root, command: [node, script], files: plans.map((f) => ({ path: f.path, status: f.status })) };
}

/** Our bin launcher, as the shim must name it (its real path: npx runs it through a symlink). */
function ourScript(): string {
  const bin = ownPaths()[0] as string;
  try {
    return realpathSync(bin);
  } catch {
    return bin;
  }
}

export async function shim(dir: string, o: { json?: boolean }, io: Io): Promise<number> {
  const root = path.resolve(io.cwd, dir);
  const result = writeShim(root, process.execPath, ourScript());
  const transient = /[\\/]_npx[\\/]/.test(result.command[1]);
  if (o.json) {
    printJson(io, { ...result, ...(transient ? { warning: "pulumi-agent runs from npx's cache, which npm may clear" } : {}) });
    return 0;
  }
  for (const f of result.files) io.stdout(`${f.status} ${f.path}\n`);
  io.stdout(
    `It runs: ${result.command.join(" ")}\n` +
      `Give ${root} to the Automation API as the Pulumi CLI root:\n` +
      `  Node    await PulumiCommand.get({ root: ${JSON.stringify(root)} })\n` +
      `  Python  auto.PulumiCommand(root=${JSON.stringify(root)})\n` +
      `  Go      auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: ${JSON.stringify(root)}})\n`,
  );
  if (transient) io.stderr("pulumi-agent: this pulumi-agent runs from npx's cache, which npm may clear; install it (npm install pulumi-agent) for a shim that lasts.\n");
  return 0;
}
