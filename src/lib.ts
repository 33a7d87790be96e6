// Library entry for Automation API programs:
//
//   import { ensureCredentials } from "pulumi-agent";
//   const { envVars } = await ensureCredentials();
//   const ws = await LocalWorkspace.create({ workDir, envVars });
//
// Same rules as the CLI: existing credentials win; an agent account is created only under an agent
// (or when `agentName` declares one), and the claim link is reported through `onMessage` (stderr).
import { accountLookupCommand } from "./core/command.js";
import { detectAgent, type AgentDetection } from "./detect/agents.js";
import { resolveCredentials } from "./cli/resolve.js";
import { reportFrom, type AccountReport } from "./cli/account-view.js";

export type { AccountReport } from "./cli/account-view.js";
export type { AgentDetection } from "./detect/agents.js";
export { detectAgent } from "./detect/agents.js";
export { claimUrlFor } from "./claim/url.js";

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
}

export interface EnsuredCredentials extends AccountReport {
  /** Variables to pass to LocalWorkspace (`envVars`) so the pulumi it runs finds the account. */
  envVars: Record<string, string>;
  /** True when this call created a new agent account. */
  created: boolean;
  detection: AgentDetection;
}

export async function ensureCredentials(options: EnsureCredentialsOptions = {}): Promise<EnsuredCredentials> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const write = options.onMessage ?? ((t: string) => void process.stderr.write(t));
  const detection = detectAgent(env, { stdoutIsTTY: false });
  const command = accountLookupCommand({ cloudUrl: options.cloudUrl });
  const optedOut = detection.source === "disabled";
  const agentName = options.agentName ?? (detection.isAgent ? detection.name : undefined);

  if (!optedOut && (detection.isAgent || options.agentName)) {
    const { ensureAgentAccount } = await import("./bootstrap/bootstrap.js");
    const out = await ensureAgentAccount({ command, env, cwd, agentName, write });
    const report = reportFrom(out.resolution);
    return { ...report, envVars: { ...report.childEnv }, created: Boolean(out.created), detection };
  }
  const report = reportFrom(await resolveCredentials(command, env, cwd));
  return { ...report, envVars: { ...report.childEnv }, created: false, detection };
}

/** Read-only view of the account pulumi would use (no network, no signup). */
export async function getAccountStatus(options: Omit<EnsureCredentialsOptions, "agentName" | "onMessage"> = {}): Promise<AccountReport> {
  return reportFrom(await resolveCredentials(accountLookupCommand({ cloudUrl: options.cloudUrl }), options.env ?? process.env, options.cwd ?? process.cwd()));
}
