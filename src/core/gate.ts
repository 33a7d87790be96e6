// The wrapper's first rule, before anything is read: who it leaves alone. Its own module so the hot path
// (every human run) decides it without loading the rest of the plan.

export interface Detected {
  isAgent: boolean;
  /** PULUMI_AGENT_DISABLE is set. */
  optedOut: boolean;
}

/** Why pulumi runs as is, with nothing read and nothing added; undefined when the plan has to look further. */
export function leftAlone(agent: Detected): string | undefined {
  if (agent.isAgent) return undefined;
  return agent.optedOut ? "PULUMI_AGENT_DISABLE is set" : "not running under an AI agent";
}
