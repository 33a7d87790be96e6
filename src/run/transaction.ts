// Carry out the plan's signup step as a transaction: prove a location usable before any network call,
// take the signup lock there, re-read and re-plan under it (another agent may have signed up while we
// waited), then sign up exactly once. N agents starting together create one account.
import { AgentError } from "../core/errors.js";
import { plan, type PlanFacts, type Step } from "../core/plan.js";
import type { Location } from "../core/credentials.js";
import { preflightStoreDir } from "../store/preflight.js";
import { withExclusiveLock } from "../store/lock.js";
import { detectModel } from "../detect/model.js";
import { forgetAgentAccounts } from "./forget.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface TransactionContext {
  env: Env;
  /** Our name for the agent (the model detector's key). */
  agentName: string | undefined;
  /** What we send as agentName. */
  wireName: string | undefined;
  signal: AbortSignal;
  write: (text: string) => void;
  /** Re-read both credential folders into the facts. */
  regather: (facts: PlanFacts) => Promise<PlanFacts>;
}

/** Every file the signup will write in `dir` can be replaced losslessly, and there is room: why not, else undefined. */
async function preflight(location: Location, dir: string, cloudUrl: string): Promise<string | undefined> {
  const verdict = await preflightStoreDir(dir, { cloudUrl, private: location === "shared" });
  return verdict.ok ? undefined : verdict.problems.map((p) => p.message).join("; ");
}

export async function runSignup(step: Extract<Step, { kind: "signup" }>, facts: PlanFacts, ctx: TransactionContext): Promise<PlanFacts> {
  const problems: string[] = [];
  let target: { location: Location; dir: string } | undefined;
  for (const loc of step.locations) {
    const problem = await preflight(loc.location, loc.dir, step.cloudUrl);
    if (!problem) {
      target = loc;
      break;
    }
    problems.push(problem);
  }
  if (!target) {
    throw new AgentError(`Nowhere to store the agent account's credentials, so none was created: ${problems.join("; ")}.`, {
      code: "nowhere-to-store",
      hint: "Make PULUMI_HOME (or ~/.pulumi) writable, or set PULUMI_AGENT_SHARED_DIR to a private folder of yours.",
    });
  }
  const dir = target.dir;
  let waitingShown = false;
  return withExclusiveLock(
    dir,
    async () => {
      const fresh = { ...(await ctx.regather(facts)), underLock: true };
      const again = plan(fresh);
      // Another agent finished a signup while we waited, or the situation changed: let the plan go on.
      if (again.kind !== "signup" || !again.locations.some((l) => l.dir === dir)) return fresh;
      // The files may have changed while we waited for the lock: prove them again before the network.
      const problem = await preflight(target.location, dir, again.cloudUrl);
      if (problem) {
        throw new AgentError(`The agent account cannot be stored in ${dir}, so none was created: ${problem}.`, {
          code: "nowhere-to-store",
          hint: "Fix the file named above, or set PULUMI_AGENT_SHARED_DIR to a private folder of yours.",
        });
      }
      if (again.notice) ctx.write(again.notice);
      if (again.replaces) {
        // The expired account's claim link was just printed; it is archived before the account goes.
        await forgetAgentAccounts([{ location: again.replaces.location, dir: again.replaces.dir, cloudUrls: [again.cloudUrl], claim: again.replaces.claim }]);
      }
      // Loaded only by the one process that signs up: the waiters never pay for the client, zod and the solver.
      const { signupAgentAccount } = await import("./signup.js");
      await signupAgentAccount({
        cloudUrl: again.cloudUrl,
        storeDir: dir,
        env: ctx.env,
        agentName: ctx.wireName,
        agentModel: detectModel(ctx.agentName, ctx.env),
        signal: ctx.signal,
        write: ctx.write,
      });
      return { ...(await ctx.regather(fresh)), created: true };
    },
    {
      signal: ctx.signal,
      onWait: (holder) => {
        if (waitingShown) return;
        waitingShown = true;
        const who = holder?.pid ? ` (pid ${holder.pid})` : "";
        ctx.write(`pulumi-agent: another pulumi-agent${who} is creating the agent account; waiting for it…\n`);
      },
    },
  );
}
