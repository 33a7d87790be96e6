// What every `account` subcommand shares: its common options, the plan facts they stand for, and
// driving the plan.
import { lookupCommand } from "../../core/commands.js";
import type { Form, PlanFacts } from "../../core/plan.js";
import { agentFact, detectAgent, type AgentDetection } from "../../detect/agents.js";
import type { Driven } from "../../run/drive.js";
import { driveForCli } from "../drive.js";
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
    agent: agentFact(detection),
    env: io.env,
    now: Date.now(),
    ...extra,
  };
}

/** Drive the plan to its end; `wireName` defaults to our name for the agent. */
export function driveAccount(facts: PlanFacts, io: Io, wireName?: string | undefined): Promise<Driven> {
  return driveForCli(facts, io, wireName ?? facts.agent.name);
}

export const printJson = (io: Io, v: unknown) => io.stdout(`${JSON.stringify(v, null, 2)}\n`);
