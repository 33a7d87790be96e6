// Run the built pulumi-agent as a real child process and collect what it did.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { BIN } from "./sandbox.js";

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  cwd?: string;
  /** Kill the process if it runs longer (a hung test must fail, not stall). */
  timeoutMs?: number;
  /** Command to run instead of `node bin/pulumi-agent.js` (e.g. a symlink or the fake pulumi). */
  command?: string[];
}

export function startBin(args: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): { child: ChildProcess; done: Promise<RunResult> } {
  const [file, ...pre] = opts.command ?? [process.execPath, BIN];
  const child = spawn(file as string, [...pre, ...args], { env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes });
    });
  });
  return { child, done };
}

export function runBin(args: string[], env: NodeJS.ProcessEnv, opts: RunOptions = {}): Promise<RunResult> {
  return startBin(args, env, opts).done;
}

/** One line of the fake pulumi's JSON-lines record (see fixtures/fake-pulumi). */
export interface FakeRecord {
  event?: string;
  argv?: string[];
  cloudUrl?: string;
  token?: string | null;
  tokenSource?: string | null;
  signal?: string;
  env: Record<string, string>;
  [key: string]: unknown;
}

export function readRecords(file: string): FakeRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FakeRecord);
}

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
