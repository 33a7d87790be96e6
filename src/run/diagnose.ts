// The two questions asked of Pulumi Cloud after something failed: is the agent's token still accepted?
// is its claim still open? Short timeouts, no retries: the user's command already failed. A claim answer
// is kept in agent-claim.json as last-known state, updated both ways (pulumi/pulumi#24495).
import { probeClient, type ClaimValidation } from "../cloud/client.js";
import type { AgentClaimResponse } from "../cloud/protocol.js";
import { CloudError } from "../cloud/errors.js";
import { userAgent } from "../cloud/user-agent.js";
import { updateClaimFile } from "../store/claim.js";
import { claimFilePath } from "../core/paths.js";
import { claimMarkUpdate, diagnoseFailure, type Diagnosis, type TokenCheck } from "../core/diagnosis.js";
import type { ClaimCheck } from "../core/plan.js";
import type { AccountView, ClaimView } from "../core/lifecycle.js";

export interface ClaimTarget {
  cloudUrl: string;
  dir: string;
  claim: ClaimView;
}

const client = (cloudUrl: string, timeoutMs?: number) => probeClient(cloudUrl, userAgent(undefined), timeoutMs);

/** Ask whether the claim is still open; keep the answer as last-known state. Never throws. */
export async function checkClaim(t: ClaimTarget, opts: { timeoutMs?: number; details?: boolean } = {}): Promise<{ check: ClaimCheck; details?: AgentClaimResponse }> {
  if (!t.claim.claimToken) return { check: "unknown" };
  let v: ClaimValidation;
  try {
    v = await client(t.cloudUrl, opts.timeoutMs).validateClaim(t.claim.claimToken, { details: opts.details });
  } catch {
    return { check: "unknown" }; // unreachable or an odd answer: keep what we knew
  }
  const check: ClaimCheck = v.claimable ? "claimable" : "unavailable";
  const change = claimMarkUpdate(t.claim, check);
  if (change) {
    const token = t.claim.claimToken;
    await updateClaimFile(claimFilePath(t.dir), (c) => {
      if (!c || c.claimToken !== token) return c;
      if (change === "mark-unavailable") return { ...c, claimUnavailableAt: new Date().toISOString() };
      const { claimUnavailableAt: _drop, ...rest } = c;
      return rest as typeof c;
    }).catch(() => undefined);
  }
  return v.claimable && v.details ? { check, details: v.details } : { check };
}

export async function checkToken(cloudUrl: string, token: string | undefined, timeoutMs?: number): Promise<TokenCheck> {
  if (!token) return "unknown";
  try {
    await client(cloudUrl, timeoutMs).getUser(token);
    return "valid";
  } catch (err) {
    return err instanceof CloudError && err.kind === "unauthorized" ? "rejected" : "unknown";
  }
}

/** Both questions at once, then the plan's verdict on what to tell the agent. */
export async function diagnoseAfterFailure(t: ClaimTarget & { account: AccountView }, timeoutMs?: number): Promise<Diagnosis> {
  const [token, claim] = await Promise.all([checkToken(t.cloudUrl, t.account.accessToken, timeoutMs), checkClaim(t, { timeoutMs })]);
  return diagnoseFailure(t.account, t.claim, token, claim.check, Date.now());
}
