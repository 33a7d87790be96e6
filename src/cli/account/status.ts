// `account status`: the login pulumi will use here (identity, storage, phase, time left, claim link),
// and every earlier claim link that still works. Never creates anything.
import { claimCandidates } from "../../core/plan.js";
import { earlierClaims } from "../../core/report.js";
import { failureError } from "../errors.js";
import type { Io } from "../io.js";
import { accountFacts, driveAccount, printJson, type CommonOptions } from "./common.js";
import { liveClaimJson, liveClaimRows, renderReport } from "./render.js";

export async function status(o: CommonOptions & { offline?: boolean }, io: Io): Promise<number> {
  const { step, facts, claimDetails } = await driveAccount(accountFacts("status", o, io, { offline: Boolean(o.offline) }), io);
  if (step.kind === "fail") throw failureError(step.failure);
  if (step.kind !== "done") throw new Error("account status ended without a report");
  const report = { ...step.outcome.report };
  if (report.needsAccount) report.earlierClaims = earlierClaims(claimCandidates(facts), report.claimUrl, facts.now);
  const live = liveClaimJson(facts.claimCheck, claimDetails);
  if (o.json) printJson(io, { ...report, ...(live ? { claim: live } : {}) });
  else io.stdout(renderReport(report, liveClaimRows(facts.claimCheck, claimDetails)));
  return 0;
}
