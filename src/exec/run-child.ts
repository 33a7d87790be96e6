// Run the real pulumi in the foreground: stdio inherited (stdout stays pulumi's, byte for byte),
// signals forwarded, exit status and signal death propagated (docs/architecture.md#running-pulumi).
import { spawn } from "node:child_process";
import { isatty } from "node:tty";
import { AgentError } from "../core/errors.js";
import { cmdInvocation, firstUnpassableArgument, isBatchFile, type Env } from "./windows.js";

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** pulumi could not be started; `exitCode` is the shell's: 127 not found, 126 found but not runnable. */
export class SpawnError extends AgentError {
  override name = "SpawnError";
}

/** How to start `file args...`: the process to create and its exact argument vector. */
export interface SpawnPlan {
  command: string;
  args: string[];
  /** Windows only: `args` are already quoted for the command line (the cmd.exe route). */
  windowsVerbatimArguments?: true;
}

/**
 * Anything but a Windows batch file is started directly with its arguments as given. A `.cmd` /
 * `.bat` file (how npm installs a `pulumi` on Windows) runs through cmd.exe with a command line
 * escaped so that every argument reaches the program behind the batch file unchanged.
 */
export function spawnPlan(file: string, args: readonly string[], env: Env, platform: NodeJS.Platform = process.platform): SpawnPlan {
  if (platform !== "win32" || !isBatchFile(file)) return { command: file, args: [...args] };
  const bad = firstUnpassableArgument(args);
  if (bad >= 0) {
    // The argument itself stays out of the message: it may be a secret (`pulumi config set --secret`).
    throw new SpawnError(`cannot pass argument ${bad + 1} to ${file}: it contains a line break, which cmd.exe cannot hand to a .cmd/.bat file.`, {
      code: "argument-not-passable",
      hint: "Set PULUMI_AGENT_PULUMI_BIN to pulumi.exe (it takes any argument), or pass the value another way (a file, or stdin).",
      exitCode: 126,
    });
  }
  return { ...cmdInvocation(file, args, env), windowsVerbatimArguments: true };
}

/**
 * A terminal delivers Ctrl-C (SIGINT/SIGQUIT) to the whole foreground process group, so the child
 * already has it: forwarding it again would make pulumi treat it as a second Ctrl-C ("terminate
 * now"). Targeted signals (an agent harness killing our pid, `timeout`, SIGTERM, SIGHUP) are forwarded.
 */
function signalsToForward(stdinIsTTY: boolean): NodeJS.Signals[] {
  const always: NodeJS.Signals[] = ["SIGTERM", "SIGHUP"];
  if (process.platform === "win32") return ["SIGINT", "SIGTERM"];
  return stdinIsTTY ? always : [...always, "SIGINT", "SIGQUIT"];
}

export function runChild(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const plan = spawnPlan(file, args, env); // a refusal here rejects the promise
    const child = spawn(plan.command, plan.args, {
      stdio: "inherit",
      env,
      windowsHide: false,
      ...(plan.windowsVerbatimArguments ? { windowsVerbatimArguments: true } : {}),
    });
    // isatty(0), not process.stdin: touching process.stdin would create a stream on pulumi's stdin.
    const forwarded = signalsToForward(isatty(0));
    const handlers = new Map<NodeJS.Signals, () => void>();
    // While pulumi runs we must not die of a signal it is still handling (it may be cancelling an update).
    const ignoredTtySignals: NodeJS.Signals[] = process.platform === "win32" ? [] : ["SIGINT", "SIGQUIT"];
    for (const sig of new Set([...forwarded, ...ignoredTtySignals])) {
      const h = () => {
        if (forwarded.includes(sig) && child.pid !== undefined && child.exitCode === null) {
          try {
            child.kill(sig);
          } catch {
            // already gone
          }
        }
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = () => {
      for (const [sig, h] of handlers) process.removeListener(sig, h);
    };
    child.once("error", (err: NodeJS.ErrnoException) => {
      cleanup();
      const notFound = err.code === "ENOENT";
      reject(
        new SpawnError(`could not start ${file}: ${err.message}`, {
          code: notFound ? "pulumi-not-found" : "pulumi-not-runnable",
          hint: notFound ? "Check that it still exists, or set PULUMI_AGENT_PULUMI_BIN to the real pulumi binary." : "Check that it is an executable you may run, or set PULUMI_AGENT_PULUMI_BIN to the real pulumi binary.",
          exitCode: notFound ? 127 : 126,
          cause: err,
        }),
      );
    });
    child.once("exit", (code, signal) => {
      cleanup();
      resolve({ code, signal });
    });
  });
}

/** End this process the way the child ended: same exit code, or death by the same signal. */
export function exitLike(outcome: ChildOutcome): never {
  if (outcome.signal) {
    process.removeAllListeners(outcome.signal);
    try {
      process.kill(process.pid, outcome.signal);
    } catch {
      // fall through to the numeric exit below
    }
    // node:os only now: a run whose pulumi exits normally never loads it.
    const os = process.getBuiltinModule("node:os") as typeof import("node:os");
    const num = (os.constants.signals as Record<string, number>)[outcome.signal] ?? 1;
    // A signal we cannot die of (ignored in this process): report it the shell way.
    setTimeout(() => process.exit(128 + num), 100).unref();
    // Keep the event loop alive briefly so the signal is delivered before exiting.
    return waitForever();
  }
  process.exit(outcome.code ?? 1);
}

function waitForever(): never {
  setInterval(() => undefined, 1000);
  // The process ends by the signal or by the timeout above; the return type reflects that.
  return undefined as never;
}
