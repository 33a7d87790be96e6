// The shell's half of the plan: perform the step `plan` asks for, add the result to the facts, ask again,
// until the plan settles on running pulumi, reporting, or failing. Every form (the wrapper, `account
// bootstrap`, `account status`, the library) goes through here.
import { plan, type PlanFacts, type Step } from "../core/plan.js";
import type { AgentClaimResponse } from "../cloud/protocol.js";
import { credentialsDir, sharedAgentDir } from "../store/paths.js";
import { debug } from "../log/debug.js";
import { gatherHistory, gatherProject, gatherPulumi, gatherStore } from "./gather.js";

import type { DriveContext } from "./context.js";

export type { DriveContext } from "./context.js";

type Env = Readonly<Record<string, string | undefined>>;

export type FinalStep = Extract<Step, { kind: "exec" | "done" | "fail" }>;

export interface Driven {
  step: FinalStep;
  facts: PlanFacts;
  /** The validate endpoint's details, when a claim check ran (account status shows them). */
  claimDetails?: AgentClaimResponse | undefined;
}

/** A plan settles in a handful of steps; more means a bug, not a slow machine. */
const MAX_STEPS = 24;

async function regatherStores(f: PlanFacts, env: Env): Promise<PlanFacts> {
  const [defaultStore, sharedStore] = await Promise.all([gatherStore("default", credentialsDir(env)), gatherStore("shared", sharedAgentDir(env))]);
  return { ...f, defaultStore, sharedStore };
}

export async function drive(initial: PlanFacts, ctx: DriveContext): Promise<Driven> {
  let facts = initial;
  let claimDetails: AgentClaimResponse | undefined;
  for (let i = 0; i < MAX_STEPS; i++) {
    const step = plan(facts);
    debug(ctx.env, `plan: ${step.kind}${step.kind === "gather" ? ` ${step.fact}` : ""}`);
    switch (step.kind) {
      case "gather":
        switch (step.fact) {
          case "pulumi":
            facts = { ...facts, pulumi: gatherPulumi(ctx.env) };
            break;
          case "project":
            facts = { ...facts, project: await gatherProject(ctx.cwd, facts.command.cwd) };
            break;
          case "default-store":
            facts = { ...facts, defaultStore: await gatherStore("default", credentialsDir(ctx.env)) };
            break;
          case "shared-store":
            facts = { ...facts, sharedStore: await gatherStore("shared", sharedAgentDir(ctx.env)) };
            break;
          case "history":
            facts = { ...facts, history: await gatherHistory([credentialsDir(ctx.env), sharedAgentDir(ctx.env)]) };
            break;
          case "claim-check": {
            const { checkClaim } = await import("./diagnose.js");
            // The validate answer's details (agent, inventory) only for account status, which shows them.
            const r = step.claimToCheck ? await checkClaim(step.claimToCheck, { details: facts.form === "status" }) : { check: "unknown" as const };
            facts = { ...facts, claimCheck: r.check };
            claimDetails = r.details;
            debug(ctx.env, `claim check: ${r.check}`);
            break;
          }
        }
        continue;
      case "signup": {
        const { runSignup } = await import("./transaction.js");
        facts = await runSignup(step, facts, { ...ctx, regather: (f) => regatherStores(f, ctx.env) });
        continue;
      }
      case "refresh": {
        const { refreshAccount } = await import("./refresh.js");
        const result = await refreshAccount(step, ctx);
        facts = { ...(await regatherStores(facts, ctx.env)), refreshed: result };
        continue;
      }
      default:
        return { step, facts, claimDetails };
    }
  }
  throw new Error(`pulumi-agent could not settle on what to do after ${MAX_STEPS} steps (a bug: please report it with PULUMI_AGENT_DEBUG=1 output)`);
}
