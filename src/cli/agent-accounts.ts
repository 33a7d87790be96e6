// Find agent accounts on disk for a cloud URL: a dir holds one when its agent-claim.json names that
// cloud and its credentials.json has an account for it. Used by forget and claim, which must act on
// the agent account even when a human login or PULUMI_ACCESS_TOKEN would win for pulumi.
import { readClaimFile, type ClaimRecord } from "../store/claim.js";
import { readCredentialsFile, getAccount, type StoredAccount } from "../store/credentials.js";
import { credentialsDir, sharedAgentDir, credentialsFilePath, claimFilePath } from "../store/paths.js";

export interface AgentAccountOnDisk {
  location: "default" | "shared";
  dir: string;
  claim: ClaimRecord;
  account: StoredAccount | undefined;
}

export async function findAgentAccounts(env: Readonly<Record<string, string | undefined>>, cloudUrl: string): Promise<AgentAccountOnDisk[]> {
  const dirs: Array<["default" | "shared", string]> = [
    ["default", credentialsDir(env)],
    ["shared", sharedAgentDir(env)],
  ];
  const seen = new Set<string>();
  const out: AgentAccountOnDisk[] = [];
  for (const [location, dir] of dirs) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const claim = await readClaimFile(claimFilePath(dir));
    if (claim.kind !== "ok" || claim.claim.cloudUrl !== cloudUrl) continue;
    const creds = await readCredentialsFile(credentialsFilePath(dir));
    out.push({ location, dir, claim: claim.claim, account: creds.kind === "ok" ? getAccount(creds.creds, cloudUrl) : undefined });
  }
  return out;
}
