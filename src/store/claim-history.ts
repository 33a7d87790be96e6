// Claim links of earlier agent accounts that were still claimable when agent-claim.json (a
// singleton, as in the Go CLI) had to make room for a new account: after `pulumi logout`, after
// `account bootstrap --new-account`, or a claim for another cloud. The claim link is the only way to
// recover an account, so it is archived here instead of being overwritten. Our own file (Go never
// reads it): a JSON list, read and written through the store codec like the other two.
import { CLAIM_HISTORY_FILE, claimHistoryFilePath } from "../core/paths.js";
import { type StoreFileSpec, readStoreFile, updateStoreFile } from "./codec.js";
import { RawJson } from "./gojson.js";
import type { GoType } from "./schema.js";
import type { ClaimRecord } from "./claim.js";

export { CLAIM_HISTORY_FILE };

export interface ArchivedClaim {
  claimUrl: string;
  validUntil: string;
  cloudUrl: string;
  archivedAt: string;
  [key: string]: unknown;
}

/** An entry as stored: an archived claim, or something we do not understand (kept as it is, never pruned). */
export type HistoryEntry = ArchivedClaim | RawJson;

const STRING: GoType = { kind: "string" };

const HISTORY: GoType = {
  kind: "list",
  elem: {
    kind: "struct",
    pointer: false,
    fields: [
      { name: "claimUrl", type: STRING, omitEmpty: false },
      { name: "validUntil", type: STRING, omitEmpty: false },
      { name: "cloudUrl", type: STRING, omitEmpty: false },
      { name: "archivedAt", type: STRING, omitEmpty: false },
    ],
  },
};

/** An entry we can list and prune: it names a claim link and a validity. */
function isArchivedClaim(e: HistoryEntry): e is ArchivedClaim {
  return !(e instanceof RawJson) && typeof e.claimUrl === "string" && e.claimUrl !== "" && typeof e.validUntil === "string";
}

export const CLAIM_HISTORY_SPEC: StoreFileSpec<HistoryEntry[]> = {
  title: "pulumi-agent claim history",
  type: HISTORY,
  fromGo: (v) => v as HistoryEntry[],
  empty: () => [],
  isEmpty: (list) => list.length === 0,
  corruptHint: "Fix or delete it (copy the claim links in it first if you still need them)",
};

/** The archived claims in `dir`; an unreadable or corrupt history reads as empty (it is only shown). */
export async function readClaimHistory(dir: string): Promise<ArchivedClaim[]> {
  const r = await readStoreFile(CLAIM_HISTORY_SPEC, claimHistoryFilePath(dir));
  return r.kind === "ok" ? r.model.filter(isArchivedClaim) : [];
}

/**
 * Add a claim, dropping archived claims that expired and earlier copies of the same link; entries we
 * do not understand stay as they are. A history we cannot read is never overwritten (StoreError).
 */
export async function archiveClaim(dir: string, claim: Pick<ClaimRecord, "claimUrl" | "validUntil" | "cloudUrl">, now = Date.now()): Promise<void> {
  await updateStoreFile(CLAIM_HISTORY_SPEC, claimHistoryFilePath(dir), (list) => [
    ...list.filter((e) => !isArchivedClaim(e) || (Date.parse(e.validUntil) > now && e.claimUrl !== claim.claimUrl)),
    { claimUrl: claim.claimUrl, validUntil: claim.validUntil, cloudUrl: claim.cloudUrl, archivedAt: new Date(now).toISOString() },
  ]);
}
