// After pulumi fails with agent credentials: is the token rejected? is the claim still open?
// Short timeouts, no retries: this runs after the user's command already failed (reference §4.3 D,
// with PR #24495's lesson: claimUnavailableAt is last-known state, re-validated when it matters).
import { probeClient, type ClaimValidation } from "../cloud/client.js";
import type { AgentClaimResponse } from "../cloud/protocol.js";
import { CloudError } from "../cloud/errors.js";
import { updateClaimFile } from "../store/claim.js";
import { claimFilePath } from "../store/paths.js";
import { userAgent } from "../bootstrap/user-agent.js";
import { claimBlock, loginRequiredBlock } from "./messages.js";
import { isTokenExpired, parseTime, type AccountView, type ClaimView } from "../core/lifecycle.js";

export interface DiagnoseInput {
  cloudUrl: string;
  dir: string;
  account: AccountView;
  claim: ClaimView;
  agentName: string | undefined;
  timeoutMs?: number;
}

export type ClaimState = "claimable" | "unavailable" | "unknown";

export interface Diagnosis {
  token: "valid" | "rejected" | "unknown";
  claim: ClaimState;
  /** The block to print (may be empty). */
  text: string;
  /** Exit code the Go CLI would use for this situation, when we decide it (3 = login required). */
  loginRequired: boolean;
}

const client = (input: { cloudUrl: string; agentName: string | undefined; timeoutMs?: number }) =>
  probeClient(input.cloudUrl, userAgent(input.agentName), input.timeoutMs);

/**
 * Ask the service whether the claim is still open and keep the answer as last-known state. The
 * validate answer's details (agent, inventory) come back too, for `account status`.
 */
export async function revalidateClaim(input: { cloudUrl: string; dir: string; claim: ClaimView; agentName: string | undefined; timeoutMs?: number }): Promise<{ state: ClaimState; details?: AgentClaimResponse }> {
  const lastKnown = { state: (input.claim.claimUnavailableAt ? "unavailable" : "unknown") as ClaimState };
  if (!input.claim.claimToken) return lastKnown;
  let v: ClaimValidation;
  try {
    v = await client(input).validateClaim(input.claim.claimToken);
  } catch {
    // Unreachable or odd answer: keep what we knew.
    return lastKnown;
  }
  const state: ClaimState = v.claimable ? "claimable" : "unavailable";
  const file = claimFilePath(input.dir);
  if (state === "unavailable" && !input.claim.claimUnavailableAt) {
    await updateClaimFile(file, (c) => (c && c.claimToken === input.claim.claimToken ? { ...c, claimUnavailableAt: new Date().toISOString() } : c)).catch(() => undefined);
  } else if (state === "claimable" && input.claim.claimUnavailableAt) {
    // One wrong answer must not poison the state forever (PR #24495): clear the marker.
    await updateClaimFile(file, (c) => {
      if (!c || c.claimToken !== input.claim.claimToken) return c;
      const { claimUnavailableAt: _drop, ...rest } = c;
      return rest as typeof c;
    }).catch(() => undefined);
  }
  return v.claimable ? { state, details: v.details } : { state };
}

export async function diagnoseFailure(input: DiagnoseInput): Promise<Diagnosis> {
  const now = Date.now();
  // Both questions at once: this runs after the user's command already failed.
  const tokenCheck = async (): Promise<Diagnosis["token"]> => {
    if (!input.account.accessToken) return "unknown";
    try {
      await client(input).getUser(input.account.accessToken);
      return "valid";
    } catch (err) {
      return err instanceof CloudError && err.kind === "unauthorized" ? "rejected" : "unknown";
    }
  };
  const [token, { state: claim }] = await Promise.all([tokenCheck(), revalidateClaim(input)]);
  const blockB = () => claimBlock(input.account, input.claim, now);
  if (claim === "unavailable") {
    return { token, claim, loginRequired: true, text: loginRequiredBlock({ reason: "claim-unavailable", tokenExpiresAt: input.account.expiresAt, now }) };
  }
  if (token === "rejected" && claim === "unknown" && !isTokenExpired(input.account, now) && parseTime(input.account.expiresAt) !== undefined) {
    return { token, claim, loginRequired: true, text: loginRequiredBlock({ reason: "token-rejected", tokenExpiresAt: input.account.expiresAt, now }) };
  }
  // Token fine (the failure was something else), or the claim is open: remind about the claim.
  return { token, claim, loginRequired: false, text: blockB() };
}
