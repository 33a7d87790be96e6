// Forget agent accounts (logout, `account forget`, replacing an expired account): archive each claim
// link in agent-claim-history.json first, then remove the account entries and the claim file. Touches
// nothing else: human logins and other clouds' accounts stay (unlike the Go CLI, which deletes every
// cloud's agent state at once).
import type { ForgetAction } from "../core/plan.js";
import type { ClaimView } from "../core/lifecycle.js";
import { claimFilePath, credentialsFilePath } from "../core/paths.js";
import { updateCredentialsFile, withoutAccount } from "../store/credentials.js";
import { updateClaimFile } from "../store/claim.js";
import { archiveClaim } from "../store/claim-history.js";

export async function forgetAgentAccounts(actions: readonly ForgetAction[]): Promise<void> {
  for (const a of actions) {
    const claim = a.claim;
    if (claim?.claimUrl) {
      await archiveClaim(a.dir, { claimUrl: claim.claimUrl, validUntil: claim.validUntil ?? "", cloudUrl: claim.cloudUrl });
    }
    if (a.cloudUrls.length) {
      // withoutAccount also clears `current` if it pointed at a forgotten cloud.
      await updateCredentialsFile(credentialsFilePath(a.dir), (creds) => a.cloudUrls.reduce((c, url) => withoutAccount(c, url), creds));
    }
    if (claim) {
      await updateClaimFile(claimFilePath(a.dir), (c) => (c && c.claimUrl === claim.claimUrl && c.cloudUrl === claim.cloudUrl ? undefined : c));
    }
  }
}

/** The account stays (it now belongs to whoever claimed it); only its claim moves to the history. */
export async function forgetClaim(dir: string, claim: ClaimView): Promise<void> {
  await forgetAgentAccounts([{ location: "default", dir, cloudUrls: [], claim }]);
}
