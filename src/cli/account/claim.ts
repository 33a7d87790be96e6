// `account claim`: the human takes ownership of the agent account with their own login (docs/product.md#claim-endpoints):
// preview (dry run) by default, `--commit` to transfer. A commit with conflicts or failures mutates
// nothing on the service; we say how to resolve them.
import { CloudClient } from "../../cloud/client.js";
import type { AgentClaimResponse } from "../../cloud/protocol.js";
import { userAgent } from "../../cloud/user-agent.js";
import { updateClaimFile } from "../../store/claim.js";
import { claimFilePath } from "../../core/paths.js";
import { AgentError } from "../../core/errors.js";
import { agentAccountsToForget, settledChoice } from "../../core/plan.js";
import type { Io } from "../io.js";
import { accountFacts, driveAccount, printJson, type CommonOptions } from "./common.js";

export interface ClaimOptions extends CommonOptions {
  org?: string;
  commit?: boolean;
  rename?: string[];
}

/** `account claim`: preview or commit, printed as text or JSON; a blocked commit exits 1. */
export async function claim(o: ClaimOptions, io: Io): Promise<number> {
  // The agent account is looked up as if PULUMI_ACCESS_TOKEN (the human's) were not set.
  const lookupIo = { ...io, env: { ...io.env, PULUMI_ACCESS_TOKEN: "" } };
  const { facts } = await driveAccount(accountFacts("status", o, lookupIo, { offline: true }), lookupIo);
  const cloudUrl = settledChoice(facts)?.backend.url ?? "";
  const stores = [facts.defaultStore, facts.sharedStore].flatMap((s) => (s ? [s] : []));
  const found = agentAccountsToForget(stores, cloudUrl).find((f) => f.claim?.claimToken);
  const username = found && stores.find((s) => s.dir === found.dir)?.creds;
  const result = await runClaim({
    cloudUrl,
    humanToken: io.env.PULUMI_ACCESS_TOKEN || undefined,
    org: o.org,
    commit: Boolean(o.commit),
    renames: o.rename ?? [],
    agent: found?.claim?.claimToken ? { dir: found.dir, claimToken: found.claim.claimToken, username: username?.kind === "ok" ? username.accounts[cloudUrl]?.username : undefined } : undefined,
  });
  if (o.json) printJson(io, result);
  else io.stdout(renderClaim(result));
  const blocked = result.response.conflicts.length > 0 || result.response.failures.length > 0;
  return o.commit && blocked ? 1 : 0;
}

export interface ClaimCommandInput {
  cloudUrl: string;
  humanToken: string | undefined;
  org: string | undefined;
  commit: boolean;
  renames: string[];
  /** The agent account on disk: its folder, claim token and login. */
  agent: { dir: string; claimToken: string; username: string | undefined } | undefined;
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
    if (!m) throw new AgentError(`--rename expects kind:name=newName, got "${r}".`, { code: "usage", hint: "For example: --rename stack:proj/dev=proj/dev-agent.", exitCode: 2 });
    return { kind: m[1] as string, name: m[2] as string, newName: m[3] as string };
  });
}

export async function runClaim(input: ClaimCommandInput): Promise<ClaimCommandResult> {
  if (!input.humanToken) {
    throw new AgentError("account claim needs YOUR Pulumi access token (not the agent's).", {
      code: "human-token-required",
      hint: "Set PULUMI_ACCESS_TOKEN to a token of your own account (https://app.pulumi.com/account/tokens), or open the claim link in a browser instead.",
    });
  }
  const found = input.agent;
  if (!found) {
    throw new AgentError(`No agent account with a claim token was found for ${input.cloudUrl}; nothing to claim.`, { code: "no-agent-account", hint: "Run `pulumi-agent account status` to see the accounts pulumi-agent knows." });
  }
  const client = new CloudClient({ baseUrl: input.cloudUrl, userAgent: userAgent(undefined), timeoutMs: 30_000 });
  const human = await client.getUser(input.humanToken);
  if (!human.login) {
    throw new AgentError(`${input.cloudUrl} did not say which user PULUMI_ACCESS_TOKEN belongs to.`, { code: "claim-user-unknown", hint: "Try again later." });
  }
  if (human.login === found.username) {
    throw new AgentError("PULUMI_ACCESS_TOKEN is the agent account's own token.", { code: "agent-token-given", hint: "Set it to a token of the human account that should own the stacks." });
  }
  const org = input.org ?? human.organizations[0] ?? human.login;
  const body = {
    claimToken: found.claimToken,
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
