// agent-claim.json (docs/compatibility.md): the Go CLI's AgentClaim struct as a store-codec spec. It
// holds the claim link of the agent account, the only way to recover it: it is never overwritten
// while it cannot be read.
import {
  type StoreFileSpec,
  type StoreParse,
  type StoreRead,
  envelopeOrVersion,
  parseStoreBytes,
  readStoreFile,
  updateStoreFile,
} from "./codec.js";
import { GO_STYLE, GO_ZERO_TIME, concatPieces } from "./gojson.js";
import { type GoType, freshValue } from "./schema.js";

export interface ClaimRecord {
  claimUrl: string;
  claimToken?: string;
  /** RFC 3339; Go's zero time when unknown. */
  validUntil: string;
  cloudUrl: string;
  /** RFC 3339; set once the service said the claim is no longer possible. */
  claimUnavailableAt?: string;
  /** Ours: true while a signup stores the account's credentials (left behind when that failed). */
  credentialsPending?: boolean;
  /** Keys unknown to us, as RawJson: kept byte for byte. */
  [key: string]: unknown;
}

export type ClaimParseResult =
  | { kind: "missing" }
  | { kind: "ok"; claim: ClaimRecord }
  | { kind: "corrupt"; error: string }
  | { kind: "encrypted" }
  | { kind: "newer-version"; version: string };
export type ClaimReadResult = ClaimParseResult | { kind: "unreadable"; error: Error };

const STRING: GoType = { kind: "string" };

const CLAIM: GoType = {
  kind: "struct",
  pointer: false,
  fields: [
    { name: "claimUrl", type: STRING, omitEmpty: false },
    { name: "claimToken", type: { kind: "string", token: true }, omitEmpty: true },
    { name: "validUntil", type: { kind: "time" }, omitEmpty: false },
    { name: "cloudUrl", type: STRING, omitEmpty: false },
    { name: "claimUnavailableAt", type: { kind: "time-ptr" }, omitEmpty: true },
    // Ours (Go ignores it): set while a signup stores the credentials, left behind if that failed.
    { name: "credentialsPending", type: { kind: "bool" }, omitEmpty: true },
  ],
};

/** Go's zero values for the fields it always writes, so callers always get strings. */
function withDefaults(v: unknown): ClaimRecord {
  const c = v as Partial<ClaimRecord>;
  const out = { ...c } as ClaimRecord;
  out.claimUrl = c.claimUrl ?? "";
  out.validUntil = c.validUntil ?? GO_ZERO_TIME;
  out.cloudUrl = c.cloudUrl ?? "";
  return out;
}

export const CLAIM_SPEC: StoreFileSpec<ClaimRecord | undefined> = {
  title: "Pulumi agent claim file",
  type: CLAIM,
  // Go's AgentClaim has no version: any `version` is a shape we do not know.
  classify: (doc) => envelopeOrVersion(doc, []),
  fromGo: withDefaults,
  empty: () => undefined,
  isEmpty: (claim) => claim === undefined,
  corruptHint: "Fix or delete it (it holds only the claim link of the agent account; copy the link first if you still need it)",
};

/** The codec's result as a claim result (an ok parse without a claim model is no claim). */
function toResult(p: StoreParse<ClaimRecord | undefined>): ClaimParseResult;
function toResult(p: StoreRead<ClaimRecord | undefined>): ClaimReadResult;
function toResult(p: StoreRead<ClaimRecord | undefined>): ClaimReadResult {
  if (p.kind !== "ok") return p;
  return p.model ? { kind: "ok", claim: p.model } : { kind: "missing" };
}

/** Parse agent-claim.json bytes (or text); 0 bytes is no claim, whitespace only is corrupt (as in Go). */
export function parseClaim(content: string | Uint8Array): ClaimParseResult {
  return toResult(parseStoreBytes(CLAIM_SPEC, typeof content === "string" ? Buffer.from(content, "utf8") : content));
}

/** Go's MarshalIndent of the claim: claimUrl, claimToken?, validUntil, cloudUrl, claimUnavailableAt?, then unknown keys. */
export function serializeClaim(claim: ClaimRecord): string {
  return concatPieces(freshValue(claim, CLAIM, "", GO_STYLE, "")).toString("utf8");
}

export async function readClaimFile(path: string): Promise<ClaimReadResult> {
  return toResult(await readStoreFile(CLAIM_SPEC, path));
}

/**
 * Re-read the claim, apply `update` (undefined = no claim), then write (splicing only what changed)
 * or remove it. A claim file we cannot read is never overwritten (StoreError, `update` not called).
 */
export async function updateClaimFile(
  path: string,
  update: (claim: ClaimRecord | undefined) => ClaimRecord | undefined | Promise<ClaimRecord | undefined>,
): Promise<ClaimRecord | undefined> {
  return (await updateStoreFile(CLAIM_SPEC, path, update)).model;
}

/** Store `claim` as the claim file (0600, atomic): updateClaimFile with a replacement, so the same refusals apply. */
export async function writeClaimFile(path: string, claim: ClaimRecord): Promise<void> {
  await updateClaimFile(path, () => claim);
}

