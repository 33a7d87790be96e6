// `account claim`: the human takes ownership of the agent account with their own login (seeds 001/003):
// preview (dry run) by default, `--commit` to transfer. A commit with conflicts or failures mutates
// nothing on the service; we say how to resolve them.
import { CloudClient } from "../cloud/client.js";
import type { AgentClaimResponse } from "../cloud/protocol.js";
import { updateClaimFile } from "../store/claim.js";
import { claimFilePath } from "../store/paths.js";
import { userAgent } from "../bootstrap/user-agent.js";
import { UserFacingError } from "./fatal.js";
import { findAgentAccounts } from "./agent-accounts.js";

export interface ClaimCommandInput {
  env: NodeJS.ProcessEnv;
  cloudUrl: string;
  humanToken: string | undefined;
  org: string | undefined;
  commit: boolean;
  renames: string[];
}

export interface ClaimCommandResult {
  cloudUrl: string;
  destinationOrg: string;
  committed: boolean;
  response: AgentClaimResponse;
}

function parseRenames(renames: string[]) {
  return renames.map((r) => {
    const m = /^([^:=]+):([^=]+)=(.+)$/.exec(r);
    if (!m) throw new UserFacingError(`--rename expects kind:name=newName (e.g. stack:proj/dev=proj/dev-agent), got "${r}".`);
    return { kind: m[1] as string, name: m[2] as string, newName: m[3] as string };
  });
}

export async function runClaim(input: ClaimCommandInput): Promise<ClaimCommandResult> {
  if (!input.humanToken) {
    throw new UserFacingError(
      "account claim needs YOUR Pulumi access token (not the agent's): set PULUMI_ACCESS_TOKEN to a token of your own account " +
        "(https://app.pulumi.com/account/tokens), or open the claim link in a browser instead.",
    );
  }
  const [found] = await findAgentAccounts(input.env, input.cloudUrl);
  if (!found?.claim.claimToken) {
    throw new UserFacingError(`no agent account with a claim token was found for ${input.cloudUrl}; nothing to claim.`);
  }
  const client = new CloudClient({ baseUrl: input.cloudUrl, userAgent: userAgent(undefined), timeoutMs: 30_000 });
  const human = await client.getUser(input.humanToken);
  if (!human.login) throw new UserFacingError(`${input.cloudUrl} did not say which user PULUMI_ACCESS_TOKEN belongs to; try again later.`);
  if (human.login === found.account?.username) {
    throw new UserFacingError("PULUMI_ACCESS_TOKEN is the agent account's own token; set it to a token of the human account that should own the stacks.");
  }
  const org = input.org ?? human.organizations[0] ?? human.login;
  const body = {
    claimToken: found.claim.claimToken,
    ...(input.renames.length ? { conflictsResolution: parseRenames(input.renames) } : {}),
  };
  const preview = await client.claim(org, body, input.humanToken, true);
  const blocked = preview.conflicts.length > 0 || preview.failures.length > 0;
  if (!input.commit || blocked) return { cloudUrl: input.cloudUrl, destinationOrg: org, committed: false, response: preview };

  const committed = await client.claim(org, body, input.humanToken, false);
  // The agent's token is revoked by the commit: remember that the claim is done.
  await updateClaimFile(claimFilePath(found.dir), (c) => (c ? { ...c, claimUnavailableAt: new Date().toISOString() } : c)).catch(() => undefined);
  return { cloudUrl: input.cloudUrl, destinationOrg: org, committed: true, response: committed };
}

export function renderClaim(r: ClaimCommandResult): string {
  const x = r.response;
  const lines = [
    `Agent account:  ${x.agent.login} (org ${x.agent.orgName}, created ${x.agent.createdAt})`,
    `Destination:    ${r.destinationOrg} on ${r.cloudUrl}`,
    `Claim window:   until ${x.claimExpiresAt}`,
    `Inventory:      ${x.inventory.length ? x.inventory.map((e) => `${e.kind} ${e.name}`).join(", ") : "(nothing)"}`,
  ];
  if (x.conflicts.length) {
    lines.push(`Conflicts:      ${x.conflicts.map((e) => `${e.kind} ${e.name}`).join(", ")}`);
    lines.push(`                resolve with --rename ${x.conflicts.map((e) => `${e.kind}:${e.name}=<new name>`).join(" --rename ")}`);
  }
  if (x.failures.length) {
    lines.push(`Cannot transfer: ${x.failures.map((f) => `${f.entity.kind} ${f.entity.name} (${f.failureDetails})`).join("; ")}`);
  }
  if (r.committed) {
    lines.push("", `Claimed. The stacks moved to ${r.destinationOrg}${x.transferToken ? ` (transfer ${x.transferToken})` : ""}.`);
    lines.push("The agent's token is now revoked: run `pulumi login` so the agent keeps working in your account.");
  } else if (x.conflicts.length || x.failures.length) {
    lines.push("", "Nothing was changed: resolve the conflicts above (failures cannot be resolved by renaming), then run again with --commit.");
  } else {
    lines.push("", "Preview only. Let the agent finish its work first (the organization is locked while the claim runs), then run again with --commit.");
  }
  return lines.join("\n") + "\n";
}
