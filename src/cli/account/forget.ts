// `account forget`: remove the agent account and its claim file, after showing the claim link (the link
// is archived too). Never touches a human login. Without --yes it only shows what would go.
import { agentAccountsToForget, settledChoice } from "../../core/plan.js";
import { credentialsFilePath } from "../../core/paths.js";
import { AgentError } from "../../core/errors.js";
import { forgetAgentAccounts } from "../../run/forget.js";
import type { Io } from "../io.js";
import { accountFacts, driveAccount, printJson, type CommonOptions } from "./common.js";

export async function forget(o: CommonOptions & { yes?: boolean }, io: Io): Promise<number> {
  const { facts } = await driveAccount(accountFacts("status", o, io, { offline: true }), io);
  const settled = settledChoice(facts);
  const cloudUrl = settled?.backend.url ?? "";
  const stores = [facts.defaultStore, facts.sharedStore].flatMap((s) => (s ? [s] : []));
  const found = settled?.backend.isDiy ? [] : agentAccountsToForget(stores, cloudUrl);
  if (!found.length) {
    if (o.json) printJson(io, { cloudUrl, removed: [] });
    else io.stderr(`pulumi-agent: no agent account for ${cloudUrl}; nothing to forget. (Human logins are pulumi's: use \`pulumi logout\`.)\n`);
    return 0;
  }
  const userOf = (dir: string) => {
    const s = stores.find((x) => x.dir === dir);
    return s?.creds.kind === "ok" ? s.creds.accounts[cloudUrl]?.username : undefined;
  };
  for (const f of found) {
    io.stderr(`pulumi-agent: agent account ${userOf(f.dir) ?? "(no credentials left)"} in ${f.dir}; its claim link (the only way to recover it): ${f.claim?.claimUrl ?? "(unknown)"}\n`);
  }
  if (!o.yes) {
    throw new AgentError("Nothing was removed.", { code: "confirmation-required", hint: "Save the claim link above, then run `pulumi-agent account forget --yes`.", exitCode: 1 });
  }
  await forgetAgentAccounts(found);
  if (o.json) printJson(io, { cloudUrl, removed: found.map((f) => ({ dir: f.dir, username: userOf(f.dir), claimUrl: f.claim?.claimUrl })) });
  else io.stderr(`pulumi-agent: removed the agent account for ${cloudUrl} from ${found.map((f) => credentialsFilePath(f.dir)).join(", ")}; its claim link stays in agent-claim-history.json.\n`);
  return 0;
}
