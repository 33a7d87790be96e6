// The whole decision of a run, as one pure function of the facts gathered so far. The shell calls
// `plan(facts)`, performs the step it returns (gather one more fact, sign up, refresh, forget, run
// pulumi, report, fail), adds what it learned to the facts and calls `plan` again, until a final step.
// Facts are asked for only when the decision needs them, so a human run reads nothing and a warm agent
// run reads two small files. The wrapper, `account bootstrap`, `account status` and the library are
// forms of the same plan.
import { type CommandMeaning } from "./commands.js";
import { needsProjectFile, resolveBackend, type BackendChoice, type BackendSource } from "./backend.js";
import { childEnvFor, chooseCredentials, type CredentialChoice, type FoundAccount, type Location, type StoreView } from "./credentials.js";
import { accountPhase, type ClaimView } from "./lifecycle.js";
import { accountReport, diyReport, type AccountReport } from "./report.js";
import { claimBlock, expiredNotice, loginRequiredBlock, logoutNotice, neoNotice, reminderLine, type LoginRequiredReason } from "./messages.js";
import { hasConsoleFor } from "./claim-url.js";
import { claimState, type ClaimCheck } from "./diagnosis.js";
import { leftAlone } from "./gate.js";
import { claimHistoryFilePath } from "./paths.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Who carries out the plan: the pulumi wrapper, or one of our own entry points. */
export type Form = "wrapper" | "bootstrap" | "status" | "library";

export interface AgentFact {
  isAgent: boolean;
  /** Our normalized name (debug output, doctor). */
  name: string | undefined;
  /** PULUMI_AGENT_DISABLE is set. */
  optedOut: boolean;
}

export type PulumiFact = { found: true; path: string } | { found: false; message: string; exitCode: number };

export type { ClaimCheck } from "./diagnosis.js";

export type RefreshResult = "done" | "refused" | "failed";

export interface PlanFacts {
  form: Form;
  command: CommandMeaning;
  agent: AgentFact;
  env: Env;
  now: number;
  /** `account bootstrap --new-account`: sign up even though an agent account exists. */
  forceNew?: boolean;
  /** `account status --offline`: never ask the service. */
  offline?: boolean;
  // ---- gathered on request ----
  pulumi?: PulumiFact;
  project?: { file: string | undefined; backendUrl: string | undefined };
  defaultStore?: StoreView;
  sharedStore?: StoreView;
  /** Archived claims of both folders (status only). */
  history?: ClaimView[];
  claimCheck?: ClaimCheck;
  // ---- results of earlier steps of this run ----
  /** This run signed up (its claim link is already on stderr). */
  created?: boolean;
  /** This run tried to refresh the access token (at most once a run). */
  refreshed?: RefreshResult;
  /** The facts were read under the signup lock: nobody else is signing up. */
  underLock?: boolean;
}

export type Fact = "pulumi" | "project" | "default-store" | "shared-store" | "history" | "claim-check";

/** Forget an agent account (logout): archive its claim link, then remove it and its claim file. */
export interface ForgetAction {
  location: Location;
  dir: string;
  /** Cloud URLs whose account entries to remove from this folder's credentials.json. */
  cloudUrls: string[];
  /** The claim to archive in agent-claim-history.json before agent-claim.json is removed. */
  claim: ClaimView | undefined;
}

/** Run after pulumi exits with the agent account: the claim block on success, a diagnosis on failure. */
export interface AfterRun {
  cloudUrl: string;
  found: FoundAccount & { claim: ClaimView };
  claimBlockOnSuccess: boolean;
}

export interface Failure {
  code: string;
  message: string;
  hint?: string | undefined;
  exitCode: number;
  /** Blocks printed on stderr before the message (the agent-facing PULUMI_EPHEMERAL_AGENT_ACCOUNT block). */
  blocks?: string | undefined;
}

export interface AccountOutcome {
  report: AccountReport;
  created: boolean;
}

export type Step =
  | { kind: "gather"; fact: Fact; claimToCheck?: { cloudUrl: string; dir: string; claim: ClaimView } }
  | {
      kind: "signup";
      cloudUrl: string;
      /** Where to store it, in order: the first that proves usable is taken. */
      locations: Array<{ location: Location; dir: string }>;
      /** An expired agent account to remove (after printing its claim link) before the new one is stored. */
      replaces: FoundAccount | undefined;
      /** Printed before the signup starts. */
      notice: string;
    }
  | { kind: "refresh"; cloudUrl: string; found: FoundAccount }
  | { kind: "exec"; reason: string; childEnv: Record<string, string>; before: string; forget: ForgetAction[]; after: AfterRun | undefined }
  | { kind: "done"; outcome: AccountOutcome }
  | { kind: "fail"; failure: Failure };

const gather = (fact: Fact): Step => ({ kind: "gather", fact });
const passthrough = (reason: string, childEnv: Record<string, string> = {}): Step => ({ kind: "exec", reason, childEnv, before: "", forget: [], after: undefined });
const fail = (failure: Failure): Step => ({ kind: "fail", failure });

export function plan(f: PlanFacts): Step {
  switch (f.form) {
    case "wrapper":
      return planWrapper(f);
    case "status":
      return planStatus(f);
    case "bootstrap":
    case "library":
      return planEnsure(f);
  }
}

// ---- backend and credentials, shared by every form --------------------------------------------------

function explicitBackend(cmd: CommandMeaning): { url: string; source: BackendSource } | undefined {
  if (cmd.target.kind !== "url") return undefined;
  const source: BackendSource = cmd.target.via === "argument" ? "command line" : cmd.target.via;
  return { url: cmd.target.url, source };
}

/** The backend, or the fact still needed to know it. */
function backendOf(f: PlanFacts): BackendChoice | Step {
  const explicit = explicitBackend(f.command);
  if (needsProjectFile({ explicit, env: f.env })) {
    if (!f.project) return gather("project");
    if (!f.project.backendUrl && !f.defaultStore) return gather("default-store");
  }
  const current = f.defaultStore?.creds.kind === "ok" ? f.defaultStore.creds.current : undefined;
  return resolveBackend({ explicit, env: f.env, projectBackendUrl: f.project?.backendUrl, currentFromCredentials: current });
}

const STEP_KINDS: ReadonlySet<string> = new Set<Step["kind"]>(["gather", "signup", "refresh", "exec", "done", "fail"]);

/** A sub-decision returns either its answer or the step that gets the fact it still needs. */
function isStep(x: BackendChoice | CredentialChoice | Step): x is Step {
  return "kind" in x && STEP_KINDS.has(x.kind);
}

/** The credential choice, or the fact still needed to make it. */
type Settled = Exclude<CredentialChoice, { kind: "need-shared" }>;

function credentialsOf(f: PlanFacts, backend: BackendChoice): Settled | Step {
  if (!f.defaultStore) return gather("default-store");
  const choice = chooseCredentials({
    cloudUrl: backend.url,
    now: f.now,
    envToken: f.env.PULUMI_ACCESS_TOKEN || undefined,
    defaultExplicit: Boolean(f.env.PULUMI_CREDENTIALS_PATH || f.env.PULUMI_HOME),
    default: f.defaultStore,
    shared: f.sharedStore,
    pendingIsLost: Boolean(f.underLock) || f.form === "status",
  });
  return choice.kind === "need-shared" ? gather("shared-store") : choice;
}

// ---- the wrapper -----------------------------------------------------------------------------------

function planWrapper(f: PlanFacts): Step {
  const cmd = f.command;
  const alone = leftAlone(f.agent);
  if (alone) return passthrough(alone);
  if (cmd.cloud === "never") return passthrough(cmd.reason);
  // pulumi first: nothing is created for a command that cannot run.
  if (!f.pulumi) return gather("pulumi");
  if (!f.pulumi.found) return fail(pulumiMissing(f.pulumi));
  if (cmd.target.kind === "all") return planLogout(f, undefined);
  const backend = backendOf(f);
  if (isStep(backend)) return backend;
  if (backend.isDiy) return passthrough(`${backend.url} is a DIY backend: it needs no Pulumi Cloud account`);
  if (cmd.hook === "logout") return planLogout(f, backend);
  const choice = credentialsOf(f, backend);
  if (isStep(choice)) return choice;

  switch (choice.kind) {
    case "env-token":
      return passthrough("PULUMI_ACCESS_TOKEN is set: pulumi uses it");
    case "opaque":
      return passthrough(`${choice.path}: ${choice.reason}; pulumi may be able to read it`);
    case "unusable":
      return fail(credentialsUnusable(choice));
    case "lost":
      return fail(lostAccount(choice.claim, choice.dir));
    case "agent-expired":
      return planExpired(f, backend, choice.found);
    case "account": {
      const refreshStep = planRefresh(f, backend, choice);
      if (refreshStep) return refreshStep;
      return execWith(f, backend, choice.found);
    }
    case "none":
      if (cmd.cloud === "uses") return passthrough(`no Pulumi Cloud credentials, and ${cmd.reason}`);
      if (f.created) return fail(internalNoCredentials(backend));
      return signupStep(f, backend, choice);
  }
}

/** Run pulumi with a found account: where to point it, what to say before, what to do after. */
function execWith(f: PlanFacts, backend: BackendChoice, found: FoundAccount): Step {
  const childEnv = childEnvFor(found);
  const reason = `${found.isAgent ? "agent account" : "login"} ${found.account.username ?? ""} in ${found.dir}`.replace("  ", " ");
  const claim = found.claim;
  if (!claim) return passthrough(reason, childEnv);
  const phase = accountPhase(found.account, claim, f.now);
  const active = phase === "active";
  let before = "";
  // A run that just signed up has printed the claim link already.
  if (active && !f.created) before += reminderLine(found.account, claim, f.now);
  if (active && f.command.hook === "neo") before += neoNotice(claim.claimUrl);
  return { kind: "exec", reason, childEnv, before, forget: [], after: { cloudUrl: backend.url, found: { ...found, claim }, claimBlockOnSuccess: active } };
}

/** Refresh before exec when the account is ours, can refresh, and must (at most once a run). */
function planRefresh(f: PlanFacts, backend: BackendChoice, choice: Extract<CredentialChoice, { kind: "account" }>): Step | undefined {
  if (!choice.refresh) return undefined;
  if (f.refreshed === undefined) return { kind: "refresh", cloudUrl: backend.url, found: choice.found };
  if (f.refreshed === "refused") return planRefused(f, backend, choice.found);
  // "failed" (network, odd answer): the access token may still work for a while; pulumi will say if not.
  return undefined;
}

/** The service refused the refresh token: claimed? revoked? Never a silent new signup. */
function planRefused(f: PlanFacts, backend: BackendChoice, found: FoundAccount): Step {
  const claim = found.claim;
  if (claim && f.claimCheck === undefined && !f.offline) return { kind: "gather", fact: "claim-check", claimToCheck: { cloudUrl: backend.url, dir: found.dir, claim } };
  const check = claim ? claimState(claim, f.claimCheck ?? "unknown") : "unknown";
  const who = found.account.username ?? "agent account";
  if (claim && check === "claimable") {
    return fail(keptForClaim(f, { ...found, claim }, "agent-access-refused", `Pulumi Cloud refused to renew the agent account's access (${who}), although its claim link still works.`));
  }
  const reason = claim && check === "unavailable" ? "claim-unavailable" : "token-rejected";
  return fail(loginRequired(f, found, reason, `Pulumi Cloud refused to renew the agent account's access (${who}); it was likely claimed or revoked.`));
}

/** Our agent account's access expired: never re-sign up while the human can still claim it. */
function planExpired(f: PlanFacts, backend: BackendChoice, found: FoundAccount & { claim: ClaimView }): Step {
  if (f.claimCheck === undefined && !f.offline) return { kind: "gather", fact: "claim-check", claimToCheck: { cloudUrl: backend.url, dir: found.dir, claim: found.claim } };
  const check = claimState(found.claim, f.claimCheck ?? "unknown");
  if (check === "unavailable") {
    const message = `The agent account ${found.account.username ?? ""} can no longer authenticate and its claim link is no longer claimable (it was likely claimed).`.replace("  ", " ");
    return fail(loginRequired(f, found, "claim-unavailable", message));
  }
  return fail(keptForClaim(f, found, "agent-account-read-only", "The agent account's access has expired, so pulumi cannot use it (the account is read-only until claimed).", " (`--new-account` creates another one anyway)."));
}

/** The agent account cannot work but the human can still claim it: say so, and create nothing. */
function keptForClaim(f: PlanFacts, found: FoundAccount & { claim: ClaimView }, code: string, message: string, bootstrapNote = ""): Failure {
  return {
    code,
    message,
    hint: `No new account was created, because the human can still claim this one and keep its stacks: ${found.claim.claimUrl}${f.form === "bootstrap" ? bootstrapNote : ""}`,
    exitCode: 1,
    blocks: claimBlock(found.account, found.claim, f.now),
  };
}

/** The agent account can no longer authenticate and nothing here can fix that: the human logs in. */
function loginRequired(f: PlanFacts, found: FoundAccount, reason: LoginRequiredReason, message: string): Failure {
  return {
    code: "login-required",
    message,
    hint: "Ask the user to run `pulumi login` (or set PULUMI_ACCESS_TOKEN), then retry.",
    exitCode: 3,
    blocks: loginRequiredBlock({ reason, tokenExpiresAt: found.account.expiresAt, now: f.now }),
  };
}

function signupStep(f: PlanFacts, backend: BackendChoice, choice: Extract<CredentialChoice, { kind: "none" }>): Step {
  if (!hasConsoleFor(backend.url, f.env.PULUMI_CONSOLE_DOMAIN)) return fail(noConsole(backend.url));
  const dirs: Record<Location, string | undefined> = { default: f.defaultStore?.dir, shared: f.sharedStore?.dir };
  const locations = choice.locations.flatMap((location) => (dirs[location] ? [{ location, dir: dirs[location] as string }] : []));
  if (locations.length === 0) return fail(nowhereToStore(f));
  const replaces = choice.replaces;
  const notice = replaces ? expiredNotice({ username: replaces.account.username, claimUrl: replaces.claim?.claimUrl }) : "";
  return { kind: "signup", cloudUrl: backend.url, locations, replaces, notice };
}

// ---- logout -----------------------------------------------------------------------------------------

/**
 * `logout [url]` / `logout --all`: every agent account being logged out has its claim link printed once
 * more and archived, then is forgotten wherever we stored it; human logins are left to pulumi.
 */
function planLogout(f: PlanFacts, backend: BackendChoice | undefined): Step {
  if (!f.defaultStore) return gather("default-store");
  if (!f.sharedStore) return gather("shared-store");
  const forget = agentAccountsToForget([f.defaultStore, f.sharedStore], backend?.url);
  const before = forget.map((a) => (a.claim ? logoutNotice(a.claim, claimHistoryFilePath(a.dir), f.now) : "")).join("");
  return { kind: "exec", reason: backend ? `logout of ${backend.url}` : "logout of every backend", childEnv: {}, before, forget, after: undefined };
}

/** The agent accounts of `cloudUrl` (undefined: of every cloud) in these folders. */
export function agentAccountsToForget(stores: readonly StoreView[], cloudUrl: string | undefined): ForgetAction[] {
  const out: ForgetAction[] = [];
  const seen = new Set<string>();
  for (const s of stores) {
    if (seen.has(s.dir)) continue;
    seen.add(s.dir);
    const claim = s.claim.kind === "ok" && (cloudUrl === undefined || s.claim.claim.cloudUrl === cloudUrl) ? s.claim.claim : undefined;
    const accounts = s.creds.kind === "ok" ? Object.keys(s.creds.accounts) : [];
    // The shared folder holds agent accounts only; in the default folder only the claim names ours.
    const urls =
      s.location === "shared"
        ? accounts.filter((u) => cloudUrl === undefined || u === cloudUrl)
        : claim && accounts.includes(claim.cloudUrl)
          ? [claim.cloudUrl]
          : [];
    if (claim || urls.length) out.push({ location: s.location, dir: s.dir, cloudUrls: urls, claim });
  }
  return out;
}

// ---- bootstrap and the library ------------------------------------------------------------------------

function planEnsure(f: PlanFacts): Step {
  const mayCreate = f.form === "bootstrap" || f.agent.isAgent;
  if (f.agent.optedOut && f.form === "bootstrap") {
    return fail({
      code: "agent-disabled",
      message: "PULUMI_AGENT_DISABLE is set, so pulumi-agent creates no accounts.",
      hint: "Unset PULUMI_AGENT_DISABLE to bootstrap an agent account.",
      exitCode: 1,
    });
  }
  const backend = backendOf(f);
  if (isStep(backend)) return backend;
  if (backend.isDiy) return done(diyReport(backend), false);
  const choice = credentialsOf(f, backend);
  if (isStep(choice)) return choice;
  const report = () => done(accountReport(backend, choice, f.now), Boolean(f.created));
  // A just-created account is reported as it is, even if the service's clock made it expire already.
  if (f.created) return report();

  if (f.forceNew) return planNewAccount(f, backend, choice);
  switch (choice.kind) {
    case "env-token":
    case "opaque":
      return report();
    case "unusable":
      return fail(credentialsUnusable(choice));
    case "lost":
      return mayCreate ? fail(lostAccount(choice.claim, choice.dir)) : report();
    case "agent-expired":
      return mayCreate ? planExpired(f, backend, choice.found) : report();
    case "account":
      return (mayCreate && planRefresh(f, backend, choice)) || report();
    case "none":
      if (!mayCreate || f.agent.optedOut) return report();
      return signupStep(f, backend, choice);
  }
}

/** `account bootstrap --new-account`: a new agent account where the old one lives, never over a human login. */
function planNewAccount(f: PlanFacts, backend: BackendChoice, choice: CredentialChoice): Step {
  if (choice.kind === "env-token") {
    return fail({ code: "would-be-unused", message: "PULUMI_ACCESS_TOKEN is set, so pulumi would not use a new agent account.", hint: "Unset PULUMI_ACCESS_TOKEN first.", exitCode: 1 });
  }
  if (choice.kind === "account" && !choice.found.isAgent) {
    return fail({
      code: "would-be-unused",
      message: `pulumi is logged in to ${backend.url} as ${choice.found.account.username ?? "a user"} (${choice.found.dir}); a new agent account would not be used.`,
      hint: "Run `pulumi logout` first if you really want an agent account.",
      exitCode: 1,
    });
  }
  if (choice.kind === "unusable") return fail(credentialsUnusable(choice));
  if (choice.kind === "opaque") {
    return fail({ code: "credentials-opaque", message: `${choice.path}: ${choice.reason}.`, hint: "pulumi-agent never writes over it; log in with the Pulumi CLI instead.", exitCode: 1 });
  }
  if (!hasConsoleFor(backend.url, f.env.PULUMI_CONSOLE_DOMAIN)) return fail(noConsole(backend.url));
  if (!f.defaultStore || !f.sharedStore) return gather(!f.defaultStore ? "default-store" : "shared-store");
  const here = choice.kind === "account" || choice.kind === "agent-expired" ? choice.found.location : choice.kind === "lost" ? choice.location : undefined;
  const all = [
    { location: "default" as const, dir: f.defaultStore.dir },
    { location: "shared" as const, dir: f.sharedStore.dir },
  ];
  const locations = here ? all.filter((l) => l.location === here) : all;
  return {
    kind: "signup",
    cloudUrl: backend.url,
    locations,
    replaces: undefined,
    notice: "pulumi-agent: creating a new agent account. Stacks of the previous agent account stay in it; claim it separately to keep them.\n",
  };
}

// ---- status -------------------------------------------------------------------------------------------

function planStatus(f: PlanFacts): Step {
  const backend = backendOf(f);
  if (isStep(backend)) return backend;
  if (backend.isDiy) return done(diyReport(backend), false);
  if (!f.defaultStore) return gather("default-store");
  if (!f.sharedStore) return gather("shared-store");
  if (!f.history) return gather("history");
  const choice = credentialsOf(f, backend);
  if (isStep(choice)) return choice;
  const claimed = choice.kind === "account" || choice.kind === "agent-expired" ? choice.found : undefined;
  if (claimed?.claim?.claimToken && f.claimCheck === undefined && !f.offline) {
    return { kind: "gather", fact: "claim-check", claimToCheck: { cloudUrl: backend.url, dir: claimed.dir, claim: claimed.claim } };
  }
  return done(accountReport(backend, choice, f.now), false);
}

const done = (report: AccountReport, created: boolean): Step => ({ kind: "done", outcome: { report, created } });

/** Claim files and archived claims of both folders, for the report's earlier claims. */
export function claimCandidates(f: PlanFacts): ClaimView[] {
  const files = [f.defaultStore, f.sharedStore].flatMap((s) => (s?.claim.kind === "ok" ? [s.claim.claim] : []));
  return [...(f.history ?? []), ...files];
}

// ---- failures -----------------------------------------------------------------------------------------

function pulumiMissing(p: Extract<PulumiFact, { found: false }>): Failure {
  return { code: "pulumi-not-found", message: p.message, exitCode: p.exitCode, hint: "No agent account was created." };
}

function credentialsUnusable(c: Extract<CredentialChoice, { kind: "unusable" }>): Failure {
  return {
    code: c.reason === "corrupt" ? "credentials-corrupt" : "credentials-unreadable",
    message: `${c.path}: ${c.message}`,
    hint:
      c.reason === "corrupt"
        ? "It was left untouched. Fix or delete it (deleting it logs out of every backend it lists), or point PULUMI_CREDENTIALS_PATH at another folder."
        : "It was left untouched. Check the path and its permissions, or point PULUMI_CREDENTIALS_PATH at another folder.",
    exitCode: 1,
  };
}

function lostAccount(claim: ClaimView, dir: string): Failure {
  return {
    code: "agent-account-credentials-lost",
    message: `An agent account was created for ${claim.cloudUrl}, but storing its credentials in ${dir} failed, so pulumi cannot use it. It can still be claimed: ${claim.claimUrl}`,
    hint: "Claim it (the link above), then run `pulumi login`; or run `pulumi-agent account bootstrap --new-account` to create another agent account (this one stays claimable through its link).",
    exitCode: 1,
  };
}

function noConsole(cloudUrl: string): Failure {
  return {
    code: "no-console-url",
    message: `Cannot build a claim link for ${cloudUrl}: its host does not start with "api." and PULUMI_CONSOLE_DOMAIN is not set, so no agent account was created.`,
    hint: "Set PULUMI_CONSOLE_DOMAIN to the Pulumi Cloud console host for this API (e.g. app.example.com), so the account can be claimed.",
    exitCode: 1,
  };
}

function nowhereToStore(f: PlanFacts): Failure {
  return {
    code: "nowhere-to-store",
    message: `Nowhere to store an agent account's credentials: ${f.defaultStore?.dir ?? "the default folder"} and ${f.sharedStore?.dir ?? "the shared folder"} hold files pulumi-agent must not write.`,
    hint: "Fix the files named above, or set PULUMI_AGENT_SHARED_DIR to a private folder of yours.",
    exitCode: 1,
  };
}

function internalNoCredentials(backend: BackendChoice): Failure {
  return {
    code: "signup-not-stored",
    message: `The agent account for ${backend.url} was created, but its credentials are not where pulumi-agent stored them.`,
    hint: "Run `pulumi-agent account status` to see the claim link and where the files are; then try again.",
    exitCode: 1,
  };
}

/** The backend and credential choice the facts settle on, once complete enough (for `account env`, `forget`). */
export function settledChoice(f: PlanFacts): { backend: BackendChoice; choice: CredentialChoice | undefined } | undefined {
  const backend = backendOf(f);
  if (isStep(backend)) return undefined;
  if (backend.isDiy) return { backend, choice: undefined };
  const choice = credentialsOf(f, backend);
  return isStep(choice) ? undefined : { backend, choice };
}
