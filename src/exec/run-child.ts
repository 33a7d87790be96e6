// Run the real pulumi in the foreground: stdio inherited (stdout stays pulumi's, byte for byte),
// signals forwarded, exit status and signal death propagated (DESIGN §2, §3 step 8).
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { isatty } from "node:tty";

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SpawnError extends Error {
  override name = "SpawnError";
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
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
    const needsShell = process.platform === "win32" && /\.(cmd|bat)$/i.test(file);
    const child = spawn(file, [...args], { stdio: "inherit", env, shell: needsShell, windowsHide: false });
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
      const code = err.code === "ENOENT" ? 127 : 126;
      reject(new SpawnError(`could not start ${file}: ${err.message}`, code));
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
    const num = (constants.signals as Record<string, number>)[outcome.signal] ?? 1;
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
