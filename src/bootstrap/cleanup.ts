// Remove one cloud's agent account and its claim file, touching nothing else (reference §9.9:
// unlike the Go CLI, never every cloud's agent state at once).
import { updateCredentialsFile, withoutAccount } from "../store/credentials.js";
import { updateClaimFile } from "../store/claim.js";
import { claimFilePath, credentialsFilePath } from "../store/paths.js";

export async function removeAgentAccount(cloudUrl: string, dir: string): Promise<void> {
  // withoutAccount also clears `current` if it pointed at this cloud.
  await updateCredentialsFile(credentialsFilePath(dir), (creds) => withoutAccount(creds, cloudUrl));
  await updateClaimFile(claimFilePath(dir), (c) => (c && c.cloudUrl === cloudUrl ? undefined : c));
}
