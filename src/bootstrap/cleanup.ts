// Remove an expired, unclaimed agent account before a new signup: only the expired cloud's entries
// (reference §9.9), after printing its claim link one last time (§9.10).
import { updateCredentialsFile, withoutAccount } from "../store/credentials.js";
import { updateClaimFile } from "../store/claim.js";
import { credentialsFilePath, claimFilePath } from "../store/paths.js";
import { expiredNotice } from "../claim/messages.js";
import type { ClaimView } from "../core/lifecycle.js";

export async function cleanupExpiredAccount(o: {
  cloudUrl: string;
  dir: string;
  username?: string | undefined;
  claim: ClaimView | undefined;
  write: (text: string) => void;
}): Promise<void> {
  o.write(expiredNotice({ username: o.username, claimUrl: o.claim?.claimUrl }));
  await updateCredentialsFile(credentialsFilePath(o.dir), (creds) => {
    const next = withoutAccount(creds, o.cloudUrl);
    // Our account was `current` only because the file had none: do not leave it dangling.
    if (next.current === o.cloudUrl) delete next.current;
    return next;
  });
  await updateClaimFile(claimFilePath(o.dir), (c) => (c && c.cloudUrl === o.cloudUrl ? undefined : c));
}
