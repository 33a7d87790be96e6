// Get a usable account for an agent: reuse what exists, else sign up exactly once per machine-location
// under an exclusive lock that spans re-read → signup → store (DESIGN §3 step 5).
import type { CommandInfo } from "../core/command.js";
import type { Location } from "../core/decide.js";
import { credentialsFileError, resolveCredentials, type Resolution } from "../cli/resolve.js";
import { ensurePrivateDir, probeWritableDir } from "../store/dirs.js";
import { withExclusiveLock } from "../store/lock.js";
import { cleanStaleTemps } from "../store/atomic.js";
import { UserFacingError } from "../cli/fatal.js";
import { detectModel } from "../detect/model.js";
import { signupAgentAccount, type SignupOutcome } from "./signup.js";
import { removeAgentAccount } from "./cleanup.js";
import { expiredNotice } from "../claim/messages.js";

/** A new agent account would never be used while a human login or PULUMI_ACCESS_TOKEN wins. */
function refuseToShadowLogin(res: Resolution): void {
  const a = res.action;
  if (a.kind === "use-env-token") {
    throw new UserFacingError("PULUMI_ACCESS_TOKEN is set, so pulumi would not use a new agent account. Unset it first.");
  }
  if (a.kind === "use-account" && !a.claim) {
    throw new UserFacingError(
      `pulumi is logged in to ${res.backend.url} as ${a.account.username ?? "a user"} (${a.dir}); a new agent account would not be used. ` +
        "Run `pulumi logout` first if you really want an agent account.",
    );
  }
}

/** --new-account replaces the agent account where it lives now. */
function forcedLocations(res: Resolution): Location[] {
  const a = res.action;
  if (a.kind === "use-account" || a.kind === "agent-expired") return [a.location];
  return ["default", "shared"];
}

type Env = Readonly<Record<string, string | undefined>>;

export interface BootstrapInput {
  command: CommandInfo;
  env: Env;
  cwd: string;
  agentName: string | undefined;
  /** Sign up even if an account exists (account bootstrap --new-account). */
  forceNew?: boolean;
  write: (text: string) => void;
}

export interface BootstrapOutcome {
  resolution: Resolution;
  created: SignupOutcome | undefined;
}

/** The first allowed location we can actually write to. */
async function chooseStoreDir(res: Resolution, allowed: Location[]): Promise<{ location: Location; dir: string }> {
  const problems: string[] = [];
  for (const location of allowed) {
    if (location === "default") {
      const probe = await probeWritableDir(res.state.defaultDir);
      if (probe.ok) return { location, dir: res.state.defaultDir };
      problems.push(`${res.state.defaultDir}: ${probe.error}`);
    } else {
      try {
        await ensurePrivateDir(res.state.sharedDir);
        const probe = await probeWritableDir(res.state.sharedDir);
        if (probe.ok) return { location, dir: res.state.sharedDir };
        problems.push(`${res.state.sharedDir}: ${probe.error}`);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }
  throw new UserFacingError(
    `nowhere to store the agent account's credentials: ${problems.join("; ") || "no usable location"}. ` +
      "Make PULUMI_HOME (or ~/.pulumi) writable, or set PULUMI_AGENT_SHARED_DIR to a private directory.",
  );
}

/** Ctrl-C / SIGTERM cancel the solve and the requests; the lock is released on the way out. */
function cancelOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.on("SIGINT", onSig);
  process.on("SIGTERM", onSig);
  return {
    signal: ac.signal,
    dispose: () => {
      process.removeListener("SIGINT", onSig);
      process.removeListener("SIGTERM", onSig);
    },
  };
}

export async function ensureAgentAccount(input: BootstrapInput): Promise<BootstrapOutcome> {
  const first = await resolveCredentials(input.command, input.env, input.cwd);
  if (first.backend.isDiy) return { resolution: first, created: undefined };
  if (first.action.kind !== "signup" && !input.forceNew) return { resolution: first, created: undefined };
  if (first.action.kind === "error") throw credentialsFileError(first.action);
  if (input.forceNew) refuseToShadowLogin(first);
  const allowed: Location[] = first.action.kind === "signup" ? first.action.allowedLocations : forcedLocations(first);
  const target = await chooseStoreDir(first, allowed);
  const cancel = cancelOnSignals();
  let waitingShown = false;
  try {
    return await withExclusiveLock(
      target.dir,
      async () => {
        // A writer killed mid-write may have left a temp file; none can be in progress now.
        await cleanStaleTemps(target.dir);
        // Another agent may have finished a signup while we waited for the lock.
        const again = await resolveCredentials(input.command, input.env, input.cwd);
        if (again.action.kind !== "signup" && !input.forceNew) return { resolution: again, created: undefined };
        if (again.action.kind === "signup" && again.action.expired) {
          const ex = again.action.expired;
          const view = ex.location === "default" ? again.state.defaultCreds : again.state.sharedCreds;
          const username = view.kind === "ok" ? view.account?.username : undefined;
          // The claim link one last time before it goes (reference §9.10).
          input.write(expiredNotice({ username, claimUrl: ex.claim?.claimUrl }));
          await removeAgentAccount(again.backend.url, ex.dir);
        }
        const created = await signupAgentAccount({
          cloudUrl: again.backend.url,
          storeDir: target.dir,
          env: input.env,
          agentName: input.agentName,
          agentModel: detectModel(input.agentName, input.env),
          signal: cancel.signal,
          write: input.write,
        });
        return { resolution: await resolveCredentials(input.command, input.env, input.cwd), created };
      },
      {
        onWait: (holder) => {
          if (waitingShown) return;
          waitingShown = true;
          const who = holder?.pid ? ` (pid ${holder.pid})` : "";
          input.write(`pulumi-agent: another pulumi-agent${who} is creating the agent account; waiting for it…\n`);
        },
      },
    );
  } finally {
    cancel.dispose();
  }
}
