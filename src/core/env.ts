// Reading the PULUMI_AGENT_* tuning knobs (timeouts, budgets) from an environment: pure given the env.

/** A positive number from `env[name]`, else the fallback (unset, empty, zero, negative or not a number). */
export function positiveNumberFromEnv(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
