// The agent path of a pulumi run: resolve credentials, sign up if needed, remind about the claim,
// run pulumi, and say what to do after a failure.
import type { CommandInfo } from "../core/command.js";
import type { AgentDetection } from "../detect/agents.js";
import { resolveCredentials, type Resolution } from "./resolve.js";
import { execPulumi } from "./exec.js";
import { debug } from "./debug.js";
import { UserFacingError } from "./fatal.js";
import { accountPhase } from "../core/lifecycle.js";
import { claimBlock, loginRequiredBlock, reminderLine } from "../claim/messages.js";

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
  switch (action.kind) {
    case "use-env-token":
    case "defer-to-pulumi":
      return execPulumi(args, { env });
    case "error":
      throw new UserFacingError(
        `${action.path} could not be used (${action.message}). It was left untouched. ` +
          "Fix or delete it, or point PULUMI_CREDENTIALS_PATH at another folder.",
      );
    case "signup":
      throw new UserFacingError("the agent account could not be created (no usable credentials after signup).");
    case "agent-expired": {
      const now = Date.now();
      const phase = accountPhase(action.account, action.claim, now);
      if (phase === "claimed") {
        write(loginRequiredBlock({ reason: "claim-unavailable", tokenExpiresAt: action.account.expiresAt, now }));
        process.exit(3);
      }
      write(
        `pulumi-agent: the agent account's access has expired; pulumi cannot run with it. ` +
          `The human can still claim it to restore access: ${action.claim.claimUrl}\n`,
      );
      write(claimBlock({ claimUrl: action.claim.claimUrl, tokenExpiresAt: action.account.expiresAt, claimValidUntil: action.claim.validUntil, now }));
      process.exit(1);
      break;
    }
    case "use-account": {
      const childEnv: Record<string, string> = action.location === "shared" ? { PULUMI_CREDENTIALS_PATH: action.dir } : {};
      const claim = action.claim;
      if (!claim) return execPulumi(args, { env, childEnv });
      const now = Date.now();
      if (!justCreated && accountPhase(action.account, claim, now) === "active") {
        write(reminderLine({ username: action.account.username, claimUrl: claim.claimUrl, tokenExpiresAt: action.account.expiresAt, claimValidUntil: claim.validUntil, now }));
      }
      return execPulumi(args, {
        env,
        childEnv,
        after: async () => {
          write(claimBlock({ claimUrl: claim.claimUrl, tokenExpiresAt: action.account.expiresAt, claimValidUntil: claim.validUntil, now: Date.now() }));
        },
      });
    }
  }
}
