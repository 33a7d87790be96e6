// The wrapper form under an agent: drive the plan (gather, sign up, refresh), then run pulumi with what
// it decided, and afterwards print the claim block or diagnose the failure.
import type { AfterRun, PlanFacts } from "../core/plan.js";
import { claimBlock } from "../core/messages.js";
import type { Driven, FinalStep } from "../run/drive.js";
import { execPulumi } from "../run/exec-pulumi.js";
import { forgetAgentAccounts } from "../run/forget.js";
import { debug } from "../log/debug.js";
import type { ChildOutcome } from "../exec/run-child.js";
import { failureError, reportError } from "./errors.js";
import { driveForCli } from "./drive.js";
import type { Io } from "./io.js";

export async function runWrapper(args: readonly string[], facts: PlanFacts, io: Io, wireName: string | undefined): Promise<never> {
  let driven: Driven;
  try {
    driven = await driveForCli(facts, io, wireName);
  } catch (err) {
    process.exit(reportError(err, io));
  }
  const pulumi = driven.facts.pulumi;
  return carryOut(args, driven.step, io, pulumi?.found ? pulumi.path : undefined);
}

/** Perform a final step of the wrapper form: fail, or run pulumi. */
async function carryOut(args: readonly string[], step: FinalStep, io: Io, pulumiPath: string | undefined): Promise<never> {
  if (step.kind === "fail") process.exit(reportError(failureError(step.failure), io));
  if (step.kind === "done") throw new Error("the wrapper plan ended without running pulumi");
  debug(io.env, `exec: ${step.reason}`);
  if (step.before) io.stderr(step.before);
  if (step.forget.length) {
    try {
      await forgetAgentAccounts(step.forget);
    } catch (err) {
      // The claim links were printed above; pulumi's logout still runs.
      reportError(err, io);
    }
  }
  const after = step.after;
  return execPulumi(args, {
    env: io.env,
    childEnv: step.childEnv,
    stderr: io.stderr,
    pulumiPath,
    after: after && ((outcome: ChildOutcome) => afterRun(outcome, after, io)),
  });
}

/** Success: the claim block, at the end of the output. Failure: find out why, say what to do. */
async function afterRun(outcome: ChildOutcome, after: AfterRun, io: Io): Promise<void> {
  if (outcome.signal) return; // interrupted: nothing to diagnose
  if (outcome.code === 0) {
    if (after.claimBlockOnSuccess) io.stderr(claimBlock(after.found.account, after.found.claim, Date.now()));
    return;
  }
  const { diagnoseAfterFailure } = await import("../run/diagnose.js");
  const d = await diagnoseAfterFailure({ cloudUrl: after.cloudUrl, dir: after.found.dir, claim: after.found.claim, account: after.found.account });
  debug(io.env, `diagnosis: token ${d.token}, claim ${d.claim}`);
  if (d.text) io.stderr(d.text);
}
