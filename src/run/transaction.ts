// Carry out the plan's signup step as a transaction: prove a location usable before any network call,
// take the signup lock there, re-read and re-plan under it (another agent may have signed up while we
// waited), then sign up exactly once. N agents starting together create one account.
import { statfs } from "node:fs/promises";
import { AgentError } from "../core/errors.js";
import { plan, type PlanFacts, type Step } from "../core/plan.js";
import { claimFilePath, claimHistoryFilePath, credentialsFilePath } from "../core/paths.js";
import type { Location } from "../core/credentials.js";
import { ensurePrivateDir, probeWritableDir } from "../store/dirs.js";
import { assertReplaceable, cleanStaleTemps } from "../store/atomic.js";
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

/** Room a signup needs on the disk: three small files and their temp copies. */
const MIN_FREE_BYTES = 64 * 1024;

/** Every file the signup will write in `dir` is absent or a regular file we may replace, and there is room. */
async function preflight(location: Location, dir: string): Promise<string | undefined> {
  try {
    if (location === "shared") await ensurePrivateDir(dir);
    const probe = await probeWritableDir(dir);
    if (!probe.ok) return `${dir}: ${probe.error.message}`;
    for (const file of [credentialsFilePath(dir), claimFilePath(dir), claimHistoryFilePath(dir)]) await assertReplaceable(file);
    const fs = await statfs(dir).catch(() => undefined);
    if (fs && fs.bavail * fs.bsize < MIN_FREE_BYTES) return `${dir}: the disk is full (${fs.bavail * fs.bsize} bytes free)`;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function runSignup(step: Extract<Step, { kind: "signup" }>, facts: PlanFacts, ctx: TransactionContext): Promise<PlanFacts> {
  const problems: string[] = [];
  let target: { location: Location; dir: string } | undefined;
  for (const loc of step.locations) {
    const problem = await preflight(loc.location, loc.dir);
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
      // A writer killed mid-write may have left a temp file; none can be in progress now.
      await cleanStaleTemps(dir);
      const fresh = await ctx.regather(facts);
      const again = plan(fresh);
      // Another agent finished a signup while we waited, or the situation changed: let the plan go on.
      if (again.kind !== "signup" || !again.locations.some((l) => l.dir === dir)) return fresh;
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
