// The names of the files pulumi-agent reads and writes inside a credential folder (the Go CLI's names,
// docs/compatibility.md#files), and the pure joins. Which folders they are depends on the environment
// and the OS user: see store/paths.ts.
import path from "node:path";

export const CREDENTIALS_FILE = "credentials.json";
export const CLAIM_FILE = "agent-claim.json";
/** Ours only: claim links of earlier agent accounts that could still be claimed when they were displaced. */
export const CLAIM_HISTORY_FILE = "agent-claim-history.json";

export function credentialsFilePath(dir: string): string {
  return path.join(dir, CREDENTIALS_FILE);
}

export function claimFilePath(dir: string): string {
  return path.join(dir, CLAIM_FILE);
}

export function claimHistoryFilePath(dir: string): string {
  return path.join(dir, CLAIM_HISTORY_FILE);
}
