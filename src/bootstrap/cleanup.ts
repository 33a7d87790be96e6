// Remove an expired, unclaimed agent account before a new signup: only the expired cloud's entries
// (reference §9.9), after printing its claim link one last time (§9.10).
import path from "node:path";
import { updateCredentialsFile, withoutAccount } from "../store/credentials.js";
import { updateClaimFile } from "../store/claim.js";
import { CLAIM_FILE, CREDENTIALS_FILE } from "../store/paths.js";
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
  await updateCredentialsFile(path.join(o.dir, CREDENTIALS_FILE), (creds) => {
    const next = withoutAccount(creds, o.cloudUrl);
    // Our account was `current` only because the file had none: do not leave it dangling.
    if (next.current === o.cloudUrl) delete next.current;
    return next;
  });
  await updateClaimFile(path.join(o.dir, CLAIM_FILE), (c) => (c && c.cloudUrl === o.cloudUrl ? undefined : c));
}
