// Claim links of earlier agent accounts that were still claimable when agent-claim.json (a
// singleton, as in the Go CLI) had to make room for a new account: after `pulumi logout`, after
// `account bootstrap --new-account`, or a claim for another cloud. The claim link is the only way to
// recover an account, so it is archived here instead of being overwritten.
import path from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { readRaw } from "./read.js";
import type { ClaimRecord } from "./claim.js";

export const CLAIM_HISTORY_FILE = "agent-claim-history.json";

export interface ArchivedClaim {
  claimUrl: string;
  validUntil: string;
  cloudUrl: string;
  archivedAt: string;
}

export async function readClaimHistory(dir: string): Promise<ArchivedClaim[]> {
  const raw = await readRaw(path.join(dir, CLAIM_HISTORY_FILE)).catch(() => undefined);
  if (!raw || raw.kind !== "text") return [];
  try {
    const list = JSON.parse(raw.text) as unknown;
    return Array.isArray(list) ? list.filter((c): c is ArchivedClaim => typeof c?.claimUrl === "string" && typeof c?.validUntil === "string") : [];
  } catch {
    return [];
  }
}

/** Claims in the history that can still be claimed at `now`. */
export function openClaims(list: ArchivedClaim[], now: number): ArchivedClaim[] {
  return list.filter((c) => Date.parse(c.validUntil) > now);
}

/** Add a claim (dropping expired ones and duplicates). */
export async function archiveClaim(dir: string, claim: ClaimRecord, now = Date.now()): Promise<void> {
  const list = openClaims(await readClaimHistory(dir), now).filter((c) => c.claimUrl !== claim.claimUrl);
  list.push({ claimUrl: claim.claimUrl, validUntil: claim.validUntil, cloudUrl: claim.cloudUrl, archivedAt: new Date(now).toISOString() });
  await writeFileAtomic(path.join(dir, CLAIM_HISTORY_FILE), JSON.stringify(list, null, 4), { mode: 0o600 });
}
