// What every `account` subcommand shares: its common options, the plan facts they stand for, and
// driving the plan with Ctrl-C honoured.
import { lookupCommand } from "../../core/commands.js";
import type { Form, PlanFacts } from "../../core/plan.js";
import { detectAgent, type AgentDetection } from "../../detect/agents.js";
import { drive, type Driven } from "../../run/drive.js";
import { AgentError } from "../../core/errors.js";
import { cancelOnSignals } from "../errors.js";
import type { Io } from "../io.js";

export interface CommonOptions {
  json?: boolean;
  cwd?: string;
  cloudUrl?: string;
}

export function detect(io: Io): AgentDetection {
  return detectAgent(io.env, { stdoutIsTTY: io.stdoutIsTTY });
}

export function accountFacts(form: Form, o: CommonOptions, io: Io, extra: Partial<PlanFacts> = {}, detection = detect(io)): PlanFacts {
  return {
    form,
    command: lookupCommand({ cwd: o.cwd, cloudUrl: o.cloudUrl }),
    agent: { isAgent: detection.isAgent, name: detection.name, optedOut: detection.source === "disabled" },
    env: io.env,
    now: Date.now(),
    ...extra,
  };
}

/** Drive the plan to its end; a cancellation becomes an AgentError with the signal's exit status. */
export async function driveAccount(facts: PlanFacts, io: Io, wireName?: string | undefined): Promise<Driven> {
  const cancel = cancelOnSignals();
  try {
    return await drive(facts, { env: io.env, cwd: io.cwd, write: io.stderr, signal: cancel.signal, agentName: facts.agent.name, wireName: wireName ?? facts.agent.name });
  } catch (err) {
    const sig = cancel.received();
    if (sig) throw new AgentError("Cancelled; nothing was stored.", { code: "cancelled", exitCode: sig === "SIGTERM" ? 143 : 130, cause: err });
    throw err;
  } finally {
    cancel.dispose();
  }
}

export const printJson = (io: Io, v: unknown) => io.stdout(`${JSON.stringify(v, null, 2)}\n`);
