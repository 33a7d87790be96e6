// Library entry for Automation API programs:
//
//   import { ensureCredentials } from "pulumi-agent";
//   const { envVars } = await ensureCredentials();
//   const ws = await LocalWorkspace.create({ workDir, envVars });
//
// The same plan as the CLI: existing credentials win; an agent account is created only under an agent
// (or when `agentName` declares one), and the claim link is reported through `onMessage` (stderr).
import { lookupCommand } from "./core/commands.js";
import type { PlanFacts } from "./core/plan.js";
import type { AccountReport } from "./core/report.js";
import { AgentError } from "./core/errors.js";
import { agentFact, detectAgent, type AgentDetection } from "./detect/agents.js";
import { drive } from "./run/drive.js";

export type { AccountReport } from "./core/report.js";
export type { AgentDetection } from "./detect/agents.js";
export { AgentError } from "./core/errors.js";
export { detectAgent } from "./detect/agents.js";
export { claimUrlFor } from "./core/claim-url.js";

export interface EnsureCredentialsOptions {
  /** Project directory (its Pulumi.yaml may name the backend). Default: process.cwd(). */
  cwd?: string;
  /** Pulumi Cloud API URL; default: chosen exactly like pulumi would. */
  cloudUrl?: string;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Declare the agent explicitly (creates an account even if no agent is detected). */
  agentName?: string;
  /** Receives our human-facing messages (the claim link!). Default: process.stderr. */
  onMessage?: (text: string) => void;
  /** Cancels a signup in flight. */
  signal?: AbortSignal;
}

export interface EnsuredCredentials extends AccountReport {
  /** Variables to pass to LocalWorkspace (`envVars`) so the pulumi it runs finds the account. */
  envVars: Record<string, string>;
  /** True when this call created a new agent account. */
  created: boolean;
  detection: AgentDetection;
}

function factsFor(form: PlanFacts["form"], options: EnsureCredentialsOptions, env: NodeJS.ProcessEnv, detection: AgentDetection, offline = false): PlanFacts {
  const declared = Boolean(options.agentName) && detection.source !== "disabled";
  return {
    form,
    command: lookupCommand({ cwd: options.cwd, cloudUrl: options.cloudUrl }),
    agent: { ...agentFact(detection), isAgent: detection.isAgent || declared, name: options.agentName ?? detection.name },
    env,
    now: Date.now(),
    offline,
  };
}

async function run(facts: PlanFacts, options: EnsureCredentialsOptions, env: NodeJS.ProcessEnv, wireName: string | undefined): Promise<{ report: AccountReport; created: boolean }> {
  const write = options.onMessage ?? ((t: string) => void process.stderr.write(t));
  const { step } = await drive(facts, {
    env,
    cwd: options.cwd ?? process.cwd(),
    write,
    signal: options.signal ?? new AbortController().signal,
    agentName: facts.agent.name,
    wireName,
  });
  if (step.kind === "fail") {
    if (step.failure.blocks) write(step.failure.blocks);
    throw new AgentError(step.failure.message, { code: step.failure.code, hint: step.failure.hint, exitCode: step.failure.exitCode });
  }
  if (step.kind !== "done") throw new Error("pulumi-agent: the account plan ended without a report");
  return step.outcome;
}

/**
 * The credentials pulumi will use, creating an agent account when running under an agent and none is
 * usable. Throws an AgentError (with `code`, `message`, `hint`) when it cannot.
 */
export async function ensureCredentials(options: EnsureCredentialsOptions = {}): Promise<EnsuredCredentials> {
  const env = options.env ?? process.env;
  const detection = detectAgent(env, { stdoutIsTTY: false });
  const { report, created } = await run(factsFor("library", options, env, detection), options, env, options.agentName ?? detection.wireName);
  return { ...report, envVars: { ...report.childEnv }, created, detection };
}

/** Read-only view of the account pulumi would use (no network, no signup). */
export async function getAccountStatus(options: Omit<EnsureCredentialsOptions, "agentName" | "onMessage"> = {}): Promise<AccountReport> {
  const env = options.env ?? process.env;
  const detection = detectAgent(env, { stdoutIsTTY: false });
  return (await run(factsFor("status", options, env, detection, true), options, env, undefined)).report;
}
