// The wrapper under an agent: the plan's facts from the command line and the environment, the first step
// (often "run pulumi as is" for a local command), or the whole plan through ./wrapper.js.
import { agentLabel, type AgentDetection } from "../detect/agents.js";
import { readCommand } from "../core/commands.js";
import { plan, type AgentFact, type PlanFacts } from "../core/plan.js";
import { execPulumi } from "../run/exec-pulumi.js";
import { debug } from "../log/debug.js";
import { runWrapper } from "./wrapper.js";
import type { Io } from "./io.js";

export async function runAgent(args: readonly string[], detection: AgentDetection, agent: AgentFact, io: Io): Promise<never> {
  const facts: PlanFacts = { form: "wrapper", command: readCommand(args), agent, env: io.env, now: Date.now() };
  const first = plan(facts);
  if (first.kind === "exec") {
    // A command that needs no credentials: nothing was read, nothing is added.
    debug(io.env, `passthrough: ${first.reason}`);
    return execPulumi(args, { env: io.env, childEnv: first.childEnv, stderr: io.stderr });
  }
  debug(io.env, `agent detected: ${agentLabel(detection)} (${detection.reason}); ${facts.command.reason}`);
  return runWrapper(args, facts, io, detection.wireName);
}
