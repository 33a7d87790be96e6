// Our own failures: one paragraph on stderr saying what happened and what to do, non-zero exit.
import { redact } from "./debug.js";

export class UserFacingError extends Error {
  override name = "UserFacingError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function reportFatal(err: unknown): never {
  const e = err as Error & { exitCode?: number; name?: string };
  if (e?.name === "AbortError") {
    process.stderr.write("pulumi-agent: cancelled.\n");
    process.exit(130);
  }
  const message = e instanceof Error ? e.message : String(err);
  const known = e instanceof UserFacingError || ["StoreError", "CloudError", "PowBudgetError", "PowDifficultyError", "PowChallengeError", "SpawnError"].includes(e?.name ?? "");
  process.stderr.write(`pulumi-agent: ${redact(message)}\n`);
  if (!known && e instanceof Error && e.stack && process.env.PULUMI_AGENT_DEBUG) process.stderr.write(`${redact(e.stack)}\n`);
  process.exit(typeof e?.exitCode === "number" ? e.exitCode : 1);
}
