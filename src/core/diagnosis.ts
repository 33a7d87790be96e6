// After pulumi failed with the agent account: what the two checks (is the token still accepted? is the
// claim still open?) mean, and what to tell the agent. And how a claim check updates the claim file's
// last-known state (pulumi/pulumi#24495: one wrong answer must not poison the state forever).
import { isTokenExpired, parseTime, type AccountView, type ClaimView } from "./lifecycle.js";
import { claimBlock, loginRequiredBlock } from "./messages.js";
/** The service's answer about a claim: still claimable, no longer claimable, or no usable answer. */
export type ClaimCheck = "claimable" | "unavailable" | "unknown";

export type TokenCheck = "valid" | "rejected" | "unknown";

export interface Diagnosis {
  token: TokenCheck;
  claim: ClaimCheck;
  /** The block to print on stderr (may be empty). */
  text: string;
}

/** The service's answer, or when it gave none, the last known state kept in the claim file. */
export function claimState(claim: ClaimView, check: ClaimCheck): ClaimCheck {
  return check === "unknown" && claim.claimUnavailableAt ? "unavailable" : check;
}

export function diagnoseFailure(account: AccountView, claim: ClaimView, token: TokenCheck, answer: ClaimCheck, now: number): Diagnosis {
  const check = claimState(claim, answer);
  if (check === "unavailable") {
    return { token, claim: check, text: loginRequiredBlock({ reason: "claim-unavailable", tokenExpiresAt: account.expiresAt, now }) };
  }
  // Rejected although not expired locally, and no word on the claim: likely claimed or revoked.
  if (token === "rejected" && check === "unknown" && !isTokenExpired(account, now) && parseTime(account.expiresAt) !== undefined) {
    return { token, claim: check, text: loginRequiredBlock({ reason: "token-rejected", tokenExpiresAt: account.expiresAt, now }) };
  }
  // The token is fine (the failure was something else), or the claim is open: remind about the claim.
  return { token, claim: check, text: claimBlock(account, claim, now) };
}

/** How a claim check changes the stored claim: mark it unavailable, clear a stale mark, or nothing. */
export function claimMarkUpdate(claim: ClaimView, check: ClaimCheck): "mark-unavailable" | "clear-mark" | undefined {
  if (check === "unavailable" && !claim.claimUnavailableAt) return "mark-unavailable";
  if (check === "claimable" && claim.claimUnavailableAt) return "clear-mark";
  return undefined;
}
