// `account bootstrap`: create the agent account if none is usable (or reuse it) and print the claim
// link; runs no pulumi, so it works without pulumi installed (`npx pulumi-agent account bootstrap`).
import { failureError } from "../errors.js";
import type { Io } from "../io.js";
import { accountFacts, detect, driveAccount, printJson, type CommonOptions } from "./common.js";
import { renderReport } from "./render.js";

export async function bootstrap(o: CommonOptions & { newAccount?: boolean }, io: Io): Promise<number> {
  const detection = detect(io);
  const facts = accountFacts("bootstrap", o, io, { forceNew: Boolean(o.newAccount) }, detection);
  const { step } = await driveAccount(facts, io, detection.wireName);
  if (step.kind === "fail") throw failureError(step.failure);
  if (step.kind !== "done") throw new Error("account bootstrap ended without a report");
  const { report, created } = step.outcome;
  if (o.json) {
    printJson(io, { created, ...report });
    return 0;
  }
  if (!report.needsAccount) {
    io.stderr(`pulumi-agent: ${report.cloudUrl} is a DIY backend: it needs no Pulumi Cloud account, so none was created.\n`);
  } else if (!created) {
    io.stderr(
      report.isAgentAccount
        ? `pulumi-agent: reusing agent account ${report.username ?? ""}. Claim it: ${report.claimUrl}\n`
        : `pulumi-agent: already logged in (${report.credentials === "PULUMI_ACCESS_TOKEN" ? "PULUMI_ACCESS_TOKEN" : (report.username ?? report.credentials)}); no agent account needed.\n`,
    );
  }
  io.stderr(renderReport(report));
  return 0;
}
