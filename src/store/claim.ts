// agent-claim.json in the Go CLI's exact shape (reference §3.3): the claim link of the agent account.
import { unlink } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import { StoreError, describeFsError, errnoCode } from "./errors.js";
import { GO_ZERO_TIME, Ordered, marshalIndent } from "./gojson.js";
import { describeUnreadable, readSettled } from "./read.js";
import { ShapeError, optString, optTime, parseTopObject } from "./shape.js";

export interface ClaimRecord {
  claimUrl: string;
  claimToken?: string;
  /** RFC 3339; Go's zero time when unknown. */
  validUntil: string;
  cloudUrl: string;
  /** RFC 3339; set once the service said the claim is no longer possible. */
  claimUnavailableAt?: string;
  /** Keys unknown to us are kept and written back after the known ones. */
  [key: string]: unknown;
}

export type ClaimParseResult =
  | { kind: "missing" }
  | { kind: "ok"; claim: ClaimRecord }
  | { kind: "corrupt"; error: string };
export type ClaimReadResult = ClaimParseResult | { kind: "unreadable"; error: Error };

const KNOWN = new Set(["claimUrl", "claimToken", "validUntil", "cloudUrl", "claimUnavailableAt"]);


/** Parse agent-claim.json text; empty or whitespace-only text counts as no claim. */
export function parseClaim(text: string): ClaimParseResult {
  const top = parseTopObject(text);
  if (top.kind !== "object") return top;
  const o = top.value;
  try {
    const entries: [string, unknown][] = [
      ["claimUrl", optString(o.claimUrl, "claimUrl") ?? ""],
      ["claimToken", optString(o.claimToken, "claimToken")],
      ["validUntil", optTime(o.validUntil, "validUntil") ?? GO_ZERO_TIME],
      ["cloudUrl", optString(o.cloudUrl, "cloudUrl") ?? ""],
      ["claimUnavailableAt", optTime(o.claimUnavailableAt, "claimUnavailableAt")],
    ];
    const known = entries.filter(([, v]) => v !== undefined);
    const unknown = Object.keys(o)
      .filter((k) => !KNOWN.has(k))
      .map((k): [string, unknown] => [k, o[k]]);
    return { kind: "ok", claim: Object.fromEntries([...known, ...unknown]) as ClaimRecord };
  } catch (e) {
    if (e instanceof ShapeError) return { kind: "corrupt", error: e.message };
    throw e;
  }
}

/** Go's MarshalIndent of the claim: claimUrl, claimToken?, validUntil, cloudUrl, claimUnavailableAt?. */
export function serializeClaim(claim: ClaimRecord): string {
  const e: [string, unknown][] = [["claimUrl", claim.claimUrl ?? ""]];
  if (claim.claimToken) e.push(["claimToken", claim.claimToken]);
  e.push(["validUntil", claim.validUntil || GO_ZERO_TIME]);
  e.push(["cloudUrl", claim.cloudUrl ?? ""]);
  if (claim.claimUnavailableAt) e.push(["claimUnavailableAt", claim.claimUnavailableAt]);
  for (const k of Object.keys(claim)) if (!KNOWN.has(k)) e.push([k, claim[k]]);
  return marshalIndent(new Ordered(e));
}

export async function readClaimFile(path: string): Promise<ClaimReadResult> {
  const raw = await readSettled(path, (text) => parseClaim(text).kind === "ok");
  if (raw.kind !== "text") return raw;
  return parseClaim(raw.text);
}

/** The StoreError for a claim file we must not touch. */
export function claimReadError(
  path: string,
  result: { kind: "corrupt"; error: string } | { kind: "unreadable"; error: Error },
): StoreError {
  if (result.kind === "corrupt") {
    return new StoreError(
      "corrupt",
      path,
      `${path} is not a valid Pulumi agent claim file (${result.error}). It was left untouched. ` +
        `Fix or delete it (it holds only the claim link of the agent account; copy the link first if you still need it).`,
    );
  }
  return new StoreError(
    "unreadable",
    path,
    `Cannot read ${path} (${describeUnreadable(result.error)}). It was left untouched. Check the path and its permissions.`,
    { cause: result.error },
  );
}

function writeError(path: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  return new StoreError(
    "io",
    path,
    `Cannot write ${path} (${describeFsError(e)}); the previous file, if any, is unchanged. Make sure its folder exists and is writable.`,
    { cause: e },
  );
}

/** Replace the claim file atomically (0600). Callers that must not clobber a corrupt file use updateClaimFile. */
export async function writeClaimFile(path: string, claim: ClaimRecord): Promise<void> {
  try {
    await writeFileAtomic(path, serializeClaim(claim), { mode: 0o600 });
  } catch (e) {
    throw writeError(path, e);
  }
}

/** Remove the claim file; a missing file is fine. */
export async function removeClaimFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw new StoreError("io", path, `Cannot remove ${path} (${describeFsError(e)}).`, { cause: e });
  }
}

/**
 * Re-read the claim, apply `update` (undefined = no claim), then write or remove it. A corrupt or
 * unreadable claim file is never overwritten (StoreError).
 */
export async function updateClaimFile(
  path: string,
  update: (claim: ClaimRecord | undefined) => ClaimRecord | undefined | Promise<ClaimRecord | undefined>,
): Promise<ClaimRecord | undefined> {
  const r = await readClaimFile(path);
  if (r.kind === "corrupt" || r.kind === "unreadable") throw claimReadError(path, r);
  const next = await update(r.kind === "ok" ? r.claim : undefined);
  if (next === undefined) {
    if (r.kind === "ok") await removeClaimFile(path);
  } else if (r.kind !== "ok" || serializeClaim(next) !== serializeClaim(r.claim)) {
    await writeClaimFile(path, next);
  }
  return next;
}
