// The agent path of a pulumi run: resolve credentials, sign up if needed, remind about the claim,
// run pulumi, and say what to do after a failure.
import type { CommandInfo } from "../core/command.js";
import type { AgentDetection } from "../detect/agents.js";
import { credentialsFileError, resolveCredentials, type Resolution } from "./resolve.js";
import { execPulumi } from "./exec.js";
import { debug } from "./debug.js";
import { UserFacingError } from "./fatal.js";
import { accountPhase, type AccountView, type ClaimView } from "../core/lifecycle.js";
import { claimBlock, loginRequiredBlock, neoNotice, reminderLine } from "../claim/messages.js";
import type { ChildOutcome } from "../exec/run-child.js";

const write = (text: string) => void process.stderr.write(text);

export async function runAsAgent(args: string[], command: CommandInfo, detection: AgentDetection): Promise<never> {
  const env = process.env;
  let res: Resolution = await resolveCredentials(command, env, process.cwd());
  debug(env, `backend ${res.backend.url} (from ${res.backend.source}); credentials: ${res.action.kind}`);
  if (res.backend.isDiy) return execPulumi(args, { env });

  let justCreated = false;
  if (res.action.kind === "signup") {
    const { ensureAgentAccount } = await import("../bootstrap/bootstrap.js");
    const out = await ensureAgentAccount({ command, env, cwd: process.cwd(), agentName: detection.name, write });
    res = out.resolution;
    justCreated = Boolean(out.created);
  }
  const action = res.action;
  const cloudUrl = res.backend.url;
  switch (action.kind) {
    case "use-env-token":
    case "defer-to-pulumi":
      return execPulumi(args, { env });
    case "error":
      throw credentialsFileError(action);
    case "signup":
      throw new UserFacingError("the agent account could not be created (no usable credentials after signup).");
    case "agent-expired":
      return refuseExpired({ cloudUrl, dir: action.dir, account: action.account, claim: action.claim, agentName: detection.name });
    case "use-account": {
      const childEnv: Record<string, string> = action.location === "shared" ? { PULUMI_CREDENTIALS_PATH: action.dir } : {};
      const claim = action.claim;
      if (!claim) return execPulumi(args, { env, childEnv });
      const now = Date.now();
      const phase = accountPhase(action.account, claim, now);
      if (phase === "active") {
        if (!justCreated) {
          write(reminderLine(action.account, claim, now));
        }
        if (command.command === "neo") write(neoNotice(claim.claimUrl));
      }
      const ctx = { cloudUrl, dir: action.dir, account: action.account, claim, agentName: detection.name };
      return execPulumi(args, { env, childEnv, after: (outcome) => afterRun(outcome, ctx, phase === "active") });
    }
  }
}

interface AgentContext {
  cloudUrl: string;
  dir: string;
  account: AccountView;
  claim: ClaimView;
  agentName: string | undefined;
}

/** Success: the claim block, at the end of the output. Failure: find out why, say what to do. */
async function afterRun(outcome: ChildOutcome, ctx: AgentContext, claimPending: boolean): Promise<void> {
  const failed = outcome.signal !== null || outcome.code !== 0;
  if (!failed) {
    if (claimPending) write(claimBlock(ctx.account, ctx.claim, Date.now()));
    return;
  }
  if (outcome.signal) return; // interrupted: nothing to diagnose
  const { diagnoseFailure } = await import("../claim/diagnose.js");
  const d = await diagnoseFailure(ctx);
  debug(process.env, `diagnosis: token ${d.token}, claim ${d.claim}`);
  if (d.text) write(d.text);
}

/** The token expired locally: never re-sign up while the claim may still be open (reference §2.3). */
async function refuseExpired(ctx: AgentContext): Promise<never> {
  const { revalidateClaim } = await import("../claim/diagnose.js");
  const { state } = await revalidateClaim(ctx);
  const now = Date.now();
  if (state === "unavailable" || (state === "unknown" && ctx.claim.claimUnavailableAt)) {
    write(loginRequiredBlock({ reason: "claim-unavailable", tokenExpiresAt: ctx.account.expiresAt, now }));
    process.exit(3);
  }
  write(
    "pulumi-agent: the agent account's access has expired, so pulumi cannot use it (the account is read-only until claimed). " +
      `No new account was created because the human can still claim this one and keep its stacks: ${ctx.claim.claimUrl}\n`,
  );
  write(claimBlock(ctx.account, ctx.claim, now));
  process.exit(1);
}
