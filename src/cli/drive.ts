// Driving the plan from one of our commands (the wrapper, `account ...`): our messages go to the Io's
// stderr, and Ctrl-C / SIGTERM / SIGHUP cancel the step in flight, which then ends as the "cancelled"
// error with that signal's exit status.
import type { PlanFacts } from "../core/plan.js";
import { drive, type Driven } from "../run/drive.js";
import { asAgentError } from "./errors.js";
import type { Io } from "./io.js";

export async function driveForCli(facts: PlanFacts, io: Io, wireName: string | undefined): Promise<Driven> {
  const cancel = cancelOnSignals();
  try {
    return await drive(facts, { env: io.env, cwd: io.cwd, write: io.stderr, signal: cancel.signal, agentName: facts.agent.name, wireName });
  } catch (err) {
    const sig = cancel.received();
    throw sig ? asAgentError(err, sig) : err;
  } finally {
    cancel.dispose();
  }
}

/** Cancel on these signals while we work (not while pulumi runs), and remember which one came first. */
function cancelOnSignals(): { signal: AbortSignal; received: () => NodeJS.Signals | undefined; dispose: () => void } {
  const ac = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((sig) => {
    const h = () => {
      got ??= sig;
      ac.abort(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return {
    signal: ac.signal,
    received: () => got,
    dispose: () => {
      for (const [sig, h] of handlers) process.removeListener(sig, h);
    },
  };
}
