// Every rule of the run plan as a row: a world (what pulumi, the project, the two credential folders and
// the service would answer), the form and the command line → the facts the plan asks for, in order, and
// the step it settles on.
import { describe, expect, it } from "vitest";
import { readCommand, lookupCommand } from "../../src/core/commands.js";
import { plan, type ClaimCheck, type Fact, type Form, type PlanFacts, type PulumiFact, type Step } from "../../src/core/plan.js";
import type { StoreView } from "../../src/core/credentials.js";
import type { ClaimView } from "../../src/core/lifecycle.js";
import { CLOUD, D, DEFAULT_DIR, H, NOW, SHARED_DIR, claimFile, claimedClaim, closedClaim, creds, expired, fresh, human, iso, openClaim, store } from "./fixtures.js";

interface World {
  pulumi?: PulumiFact;
  project?: { file: string | undefined; backendUrl: string | undefined };
  defaultStore?: Partial<StoreView>;
  sharedStore?: Partial<StoreView>;
  history?: ClaimView[];
  claimCheck?: ClaimCheck;
}

interface Case {
  form?: Form;
  argv?: string[];
  agent?: boolean;
  optedOut?: boolean;
  env?: Record<string, string>;
  world?: World;
  extra?: Partial<PlanFacts>;
}

const PULUMI: PulumiFact = { found: true, path: "/usr/bin/pulumi" };
const NO_PROJECT = { file: undefined, backendUrl: undefined };

/** Run the plan against a world: answer every gather from it, stop at the first other step. */
function settle(c: Case): { step: Step; gathered: Fact[] } {
  const w = c.world ?? {};
  let facts: PlanFacts = {
    form: c.form ?? "wrapper",
    command: c.form && c.form !== "wrapper" ? lookupCommand() : readCommand(c.argv ?? ["up"]),
    agent: { isAgent: c.agent ?? true, name: "claude-code", optedOut: c.optedOut ?? false },
    env: { PULUMI_BACKEND_URL: CLOUD, ...c.env },
    now: NOW,
    ...c.extra,
  };
  const gathered: Fact[] = [];
  for (let i = 0; i < 20; i++) {
    const step = plan(facts);
    if (step.kind !== "gather") return { step, gathered };
    gathered.push(step.fact);
    switch (step.fact) {
      case "pulumi":
        facts = { ...facts, pulumi: w.pulumi ?? PULUMI };
        break;
      case "project":
        facts = { ...facts, project: w.project ?? NO_PROJECT };
        break;
      case "default-store":
        facts = { ...facts, defaultStore: store("default", w.defaultStore) };
        break;
      case "shared-store":
        facts = { ...facts, sharedStore: store("shared", w.sharedStore) };
        break;
      case "history":
        facts = { ...facts, history: w.history ?? [] };
        break;
      case "claim-check":
        facts = { ...facts, claimCheck: w.claimCheck ?? "unknown" };
        break;
    }
  }
  throw new Error("the plan did not settle");
}

const ours = (account = fresh, claim: ClaimView = openClaim): Partial<StoreView> => ({ creds: creds({ [CLOUD]: account }), claim: claimFile(claim) });

describe("the wrapper: who and what never reads anything", () => {
  it.each<[string, Case]>([
    ["a human", { agent: false }],
    ["PULUMI_AGENT_DISABLE", { agent: false, optedOut: true }],
    ["a local command", { argv: ["version"] }],
    ["--help anywhere", { argv: ["up", "--help"] }],
    ["login --help", { argv: ["login", "--help"] }],
    ["a bare pulumi", { argv: [] }],
    ["plugin install", { argv: ["plugin", "install", "resource", "aws"] }],
    ["new --generate-only", { argv: ["new", "aws-typescript", "--generate-only"] }],
  ])("%s → pulumi runs as is, no fact gathered", (_n, c) => {
    const { step, gathered } = settle(c);
    expect(gathered).toEqual([]);
    expect(step).toMatchObject({ kind: "exec", childEnv: {}, before: "", forget: [], after: undefined });
  });
});

describe("the wrapper: pulumi first", () => {
  it("pulumi is found before anything else is read", () => {
    expect(settle({ world: { defaultStore: ours() } }).gathered[0]).toBe("pulumi");
  });
  it("no pulumi → 127 with install help, nothing read, nothing created", () => {
    const { step, gathered } = settle({ world: { pulumi: { found: false, message: "could not find the Pulumi CLI on PATH", exitCode: 127 } } });
    expect(gathered).toEqual(["pulumi"]);
    expect(step).toMatchObject({ kind: "fail", failure: { code: "pulumi-not-found", exitCode: 127 } });
  });
  it("a typo with no pulumi is the same 127, never a signup", () => {
    const { step } = settle({ argv: ["accounts", "status"], world: { pulumi: { found: false, message: "m", exitCode: 127 } } });
    expect(step.kind).toBe("fail");
  });
});

describe("the wrapper: which backend", () => {
  it("PULUMI_BACKEND_URL: no project file is read", () => {
    expect(settle({ world: { defaultStore: ours() } }).gathered).toEqual(["pulumi", "default-store"]);
  });
  it("no PULUMI_BACKEND_URL: the project, then `current` in the default credentials", () => {
    const { gathered, step } = settle({ env: { PULUMI_BACKEND_URL: "" }, world: { defaultStore: { creds: creds({ [CLOUD]: human }, CLOUD) } } });
    expect(gathered).toEqual(["pulumi", "project", "default-store"]);
    expect(step).toMatchObject({ kind: "exec", reason: expect.stringContaining("alice") });
  });
  it.each<[string, Case]>([
    ["PULUMI_BACKEND_URL=file://", { env: { PULUMI_BACKEND_URL: "file:///state" } }],
    ["Pulumi.yaml backend.url=s3://", { env: { PULUMI_BACKEND_URL: "" }, world: { project: { file: "/p/Pulumi.yaml", backendUrl: "s3://bucket" } } }],
    ["login --local, whatever PULUMI_BACKEND_URL says", { argv: ["login", "--local"] }],
    ["login -l", { argv: ["login", "-l"] }],
    ["login file:///tmp/x", { argv: ["login", "file:///tmp/x"] }],
    ["login --cloud-url azblob://c", { argv: ["login", "--cloud-url", "azblob://c"] }],
    ["login gs://b", { argv: ["login", "gs://b"] }],
    ["login postgres://db", { argv: ["login", "postgres://db/state"] }],
    ["logout --local", { argv: ["logout", "--local"] }],
  ])("%s: a DIY backend never gets an account", (_n, c) => {
    const { step, gathered } = settle(c);
    expect(step).toMatchObject({ kind: "exec", childEnv: {}, forget: [] });
    expect(gathered).not.toContain("shared-store");
  });
  it("login <cloud url> targets that cloud even when PULUMI_BACKEND_URL is a DIY backend", () => {
    const { step } = settle({ argv: ["login", "https://api.other.example"], env: { PULUMI_BACKEND_URL: "file:///state" } });
    expect(step).toMatchObject({ kind: "signup", cloudUrl: "https://api.other.example" });
  });
});

describe("the wrapper: which credentials", () => {
  it("PULUMI_ACCESS_TOKEN → pulumi uses it, nothing else", () => {
    expect(settle({ env: { PULUMI_ACCESS_TOKEN: "pul-env" } }).step).toMatchObject({ kind: "exec", childEnv: {}, after: undefined });
  });
  it("an encrypted default file is left to pulumi", () => {
    expect(settle({ world: { defaultStore: { creds: { kind: "opaque", reason: "encrypted" } } } }).step).toMatchObject({ kind: "exec", after: undefined });
  });
  it("a corrupt default file: refused, named, exit 1", () => {
    const { step } = settle({ world: { defaultStore: { creds: { kind: "corrupt", message: "invalid JSON at line 1" } } } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "credentials-corrupt", exitCode: 1, message: expect.stringContaining(`${DEFAULT_DIR}/credentials.json`) } });
  });
  it("a human login: pulumi runs with nothing added", () => {
    const { step, gathered } = settle({ world: { defaultStore: { creds: creds({ [CLOUD]: human }) } } });
    expect(gathered).not.toContain("shared-store");
    expect(step).toMatchObject({ kind: "exec", childEnv: {}, before: "", after: undefined });
  });
  it("our agent account: a reminder before, the claim block after", () => {
    const { step } = settle({ world: { defaultStore: ours() } });
    expect(step).toMatchObject({ kind: "exec", childEnv: {}, after: { claimBlockOnSuccess: true, cloudUrl: CLOUD } });
    if (step.kind === "exec") expect(step.before).toMatch(/^pulumi-agent: using agent account agent-1 \(write access for 10h; claim within 20d\): /);
  });
  it("right after a signup: no reminder (the claim link was just printed)", () => {
    const { step } = settle({ world: { defaultStore: ours() }, extra: { created: true } });
    expect(step).toMatchObject({ kind: "exec", before: "" });
  });
  it("an account in the shared folder: pulumi is pointed at it", () => {
    const { step } = settle({ world: { sharedStore: ours() } });
    expect(step).toMatchObject({ kind: "exec", childEnv: { PULUMI_CREDENTIALS_PATH: SHARED_DIR } });
  });
  it("neo: the reminder and a notice that Neo needs a claimed account", () => {
    const { step } = settle({ argv: ["neo"], world: { defaultStore: ours() } });
    if (step.kind !== "exec") throw new Error(step.kind);
    expect(step.before).toContain("Neo tasks need a claimed Pulumi account");
  });
  it("a claimed (unavailable) account that still authenticates: no reminder, no block, a diagnosis on failure", () => {
    const { step } = settle({ world: { defaultStore: ours(fresh, claimedClaim) } });
    expect(step).toMatchObject({ kind: "exec", before: "", after: { claimBlockOnSuccess: false } });
  });
});

describe("the wrapper: an agent account whose access expired", () => {
  it("the claim is checked first", () => {
    expect(settle({ world: { defaultStore: ours(expired), claimCheck: "claimable" } }).gathered).toContain("claim-check");
  });
  it("claimable → read-only: no new account, the claim block, exit 1", () => {
    const { step } = settle({ world: { defaultStore: ours(expired), claimCheck: "claimable" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "agent-account-read-only", exitCode: 1, blocks: expect.stringContaining("CLAIM_URL_VALID_FOR=20d") } });
  });
  it("no answer → the same: the human may still claim it", () => {
    expect(settle({ world: { defaultStore: ours(expired), claimCheck: "unknown" } }).step).toMatchObject({ kind: "fail", failure: { exitCode: 1 } });
  });
  it("no longer claimable → login required, exit 3", () => {
    const { step } = settle({ world: { defaultStore: ours(expired), claimCheck: "unavailable" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "login-required", exitCode: 3, blocks: expect.stringContaining("ACTION_REQUIRED=Tell the user to run pulumi login.") } });
  });
  it("no answer, but known unavailable → login required", () => {
    expect(settle({ world: { defaultStore: ours(expired, claimedClaim), claimCheck: "unknown" } }).step).toMatchObject({ kind: "fail", failure: { exitCode: 3 } });
  });
  it("claim window over → replaced: its claim link printed once more, then a new signup", () => {
    const { step } = settle({ world: { defaultStore: ours(expired, closedClaim) } });
    expect(step).toMatchObject({ kind: "signup", replaces: { location: "default", dir: DEFAULT_DIR }, notice: expect.stringContaining(closedClaim.claimUrl) });
  });
});

describe("the wrapper: refresh", () => {
  const refreshable = ours({ ...expired, refreshToken: "r" });
  it("ours, expired, with a refresh token → refresh before pulumi runs", () => {
    expect(settle({ world: { defaultStore: refreshable } }).step).toMatchObject({ kind: "refresh", cloudUrl: CLOUD, found: { location: "default" } });
  });
  it("refreshed → pulumi runs", () => {
    expect(settle({ world: { defaultStore: ours() }, extra: { refreshed: "done" } }).step.kind).toBe("exec");
  });
  it("at most once a run: a failed refresh is not retried, pulumi runs", () => {
    expect(settle({ world: { defaultStore: refreshable }, extra: { refreshed: "failed" } }).step.kind).toBe("exec");
  });
  it("refused and the claim is no longer claimable → login required, never a new signup", () => {
    const { step } = settle({ world: { defaultStore: refreshable, claimCheck: "unavailable" }, extra: { refreshed: "refused" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "login-required", exitCode: 3 } });
  });
  it("refused although the claim is open → the claim block, exit 1", () => {
    const { step } = settle({ world: { defaultStore: refreshable, claimCheck: "claimable" }, extra: { refreshed: "refused" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "agent-access-refused", exitCode: 1, blocks: expect.stringContaining("CLAIM_URL=") } });
  });
  it("a human login is never refreshed by us", () => {
    const { step } = settle({ world: { defaultStore: { creds: creds({ [CLOUD]: { ...human, refreshToken: "r", expiresAt: iso(NOW - H) } }) } } });
    expect(step.kind).toBe("exec");
  });
});

describe("the wrapper: no credentials", () => {
  it("a command that needs the cloud → signup, default folder first", () => {
    const { step } = settle({});
    expect(step).toMatchObject({ kind: "signup", cloudUrl: CLOUD, locations: [{ location: "default", dir: DEFAULT_DIR }, { location: "shared", dir: SHARED_DIR }], replaces: undefined });
  });
  it("plain `login` → signup, then pulumi logs in with it", () => {
    expect(settle({ argv: ["login"] }).step.kind).toBe("signup");
  });
  it.each([["about"], ["upp"], ["accounts", "status"], ["logout"], ["login", "--oidc-token", "t"]])("%j: existing credentials only, never a signup", (...argv) => {
    expect(settle({ argv }).step).toMatchObject({ kind: "exec", after: undefined });
  });
  it("an unknown word still passes an existing account on", () => {
    expect(settle({ argv: ["upp"], world: { sharedStore: ours() } }).step).toMatchObject({ kind: "exec", childEnv: { PULUMI_CREDENTIALS_PATH: SHARED_DIR } });
  });
  it("no console host for the cloud → refused before any signup", () => {
    const { step } = settle({ env: { PULUMI_BACKEND_URL: "http://127.0.0.1:8080" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "no-console-url" } });
  });
  it("...unless PULUMI_CONSOLE_DOMAIN names it", () => {
    expect(settle({ env: { PULUMI_BACKEND_URL: "http://127.0.0.1:8080", PULUMI_CONSOLE_DOMAIN: "127.0.0.1:8080" } }).step.kind).toBe("signup");
  });
  it("an interrupted signup is reported, not repeated (under the lock, where nobody else can be mid-signup)", () => {
    const { step } = settle({ world: { defaultStore: { claim: claimFile({ ...openClaim, pending: true }) } }, extra: { underLock: true } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "agent-account-credentials-lost", message: expect.stringContaining(openClaim.claimUrl) } });
  });
  it("outside the lock a pending claim may be another agent's signup in progress: the signup step takes the lock and asks again", () => {
    expect(settle({ world: { defaultStore: { claim: claimFile({ ...openClaim, pending: true }) } } }).step.kind).toBe("signup");
  });
  it("both folders unusable → refused before any network", () => {
    const { step } = settle({ env: { PULUMI_HOME: DEFAULT_DIR }, world: { defaultStore: { creds: { kind: "empty" } }, sharedStore: { creds: { kind: "corrupt", message: "x" } } } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "nowhere-to-store" } });
  });
});

describe("the wrapper: logout", () => {
  const shared = ours();
  it("the agent account being logged out is printed, archived and forgotten in both folders; the human login is pulumi's", () => {
    const { step } = settle({
      argv: ["logout"],
      world: { defaultStore: { creds: creds({ [CLOUD]: human, "https://api.other.example": fresh }) }, sharedStore: shared },
    });
    expect(step).toMatchObject({ kind: "exec", childEnv: {}, after: undefined, forget: [{ location: "shared", dir: SHARED_DIR, cloudUrls: [CLOUD], claim: openClaim }] });
    if (step.kind === "exec") {
      expect(step.before).toContain(openClaim.claimUrl);
      expect(step.before).toContain(`${SHARED_DIR}/agent-claim-history.json`);
    }
  });
  it("logout <url> of our account in the default folder", () => {
    const { step } = settle({ argv: ["logout", CLOUD], env: { PULUMI_BACKEND_URL: "" }, world: { defaultStore: ours() } });
    expect(step).toMatchObject({ kind: "exec", forget: [{ location: "default", cloudUrls: [CLOUD], claim: openClaim }] });
  });
  it("logout of another cloud leaves our account alone", () => {
    const { step } = settle({ argv: ["logout", "https://api.other.example"], world: { defaultStore: ours(), sharedStore: shared } });
    expect(step).toMatchObject({ kind: "exec", forget: [], before: "" });
  });
  it("logout --all: every agent account in both folders, whatever the backend", () => {
    const { step } = settle({
      argv: ["logout", "--all"],
      env: { PULUMI_BACKEND_URL: "file:///state" },
      world: { defaultStore: ours(), sharedStore: { creds: creds({ "https://api.other.example": fresh }), claim: claimFile({ ...openClaim, cloudUrl: "https://api.other.example", claimUrl: "https://app.other.example/claim/o" }) } },
    });
    expect(step).toMatchObject({
      kind: "exec",
      forget: [
        { location: "default", cloudUrls: [CLOUD] },
        { location: "shared", cloudUrls: ["https://api.other.example"] },
      ],
    });
  });
  it("a logout with only a human login forgets nothing", () => {
    expect(settle({ argv: ["logout"], world: { defaultStore: { creds: creds({ [CLOUD]: human }) } } }).step).toMatchObject({ kind: "exec", forget: [], before: "" });
  });
});

describe("account bootstrap", () => {
  it("works without pulumi: it is never looked for", () => {
    const { step, gathered } = settle({ form: "bootstrap" });
    expect(gathered).not.toContain("pulumi");
    expect(step.kind).toBe("signup");
  });
  it("creates for a human too: it is an explicit request", () => {
    expect(settle({ form: "bootstrap", agent: false }).step.kind).toBe("signup");
  });
  it("PULUMI_AGENT_DISABLE → refused", () => {
    expect(settle({ form: "bootstrap", agent: false, optedOut: true }).step).toMatchObject({ kind: "fail", failure: { code: "agent-disabled" } });
  });
  it("a DIY backend → nothing created, exit 0, says no account is needed", () => {
    const { step, gathered } = settle({ form: "bootstrap", env: { PULUMI_BACKEND_URL: "file:///state" } });
    expect(gathered).toEqual([]);
    expect(step).toMatchObject({ kind: "done", outcome: { created: false, report: { needsAccount: false, credentials: "not-needed" } } });
  });
  it("an existing agent account is reused", () => {
    expect(settle({ form: "bootstrap", world: { defaultStore: ours() } }).step).toMatchObject({ kind: "done", outcome: { created: false, report: { isAgentAccount: true, claimUrl: openClaim.claimUrl } } });
  });
  it("after the signup: the report says created", () => {
    expect(settle({ form: "bootstrap", world: { defaultStore: ours() }, extra: { created: true } }).step).toMatchObject({ kind: "done", outcome: { created: true } });
  });
  it("a just-created account is reported even if the service's clock made it expire already", () => {
    expect(settle({ form: "bootstrap", world: { defaultStore: ours(expired, closedClaim) }, extra: { created: true } }).step.kind).toBe("done");
  });
  it("an expired agent account with an open claim → refused with --new-account as the way out", () => {
    const { step } = settle({ form: "bootstrap", world: { defaultStore: ours(expired), claimCheck: "claimable" } });
    expect(step).toMatchObject({ kind: "fail", failure: { code: "agent-account-read-only", hint: expect.stringContaining("--new-account") } });
  });
  it("--new-account replaces the agent account where it lives", () => {
    const { step } = settle({ form: "bootstrap", world: { sharedStore: ours() }, extra: { forceNew: true } });
    expect(step).toMatchObject({ kind: "signup", locations: [{ location: "shared" }], notice: expect.stringContaining("creating a new agent account") });
  });
  it.each<[string, Case]>([
    ["a human login", { form: "bootstrap", world: { defaultStore: { creds: creds({ [CLOUD]: human }) } }, extra: { forceNew: true } }],
    ["PULUMI_ACCESS_TOKEN", { form: "bootstrap", env: { PULUMI_ACCESS_TOKEN: "pul-x" }, extra: { forceNew: true } }],
  ])("--new-account never shadows %s", (_n, c) => {
    expect(settle(c).step).toMatchObject({ kind: "fail", failure: { code: "would-be-unused" } });
  });
});

describe("the library", () => {
  it("for a human: a report, never a signup", () => {
    expect(settle({ form: "library", agent: false }).step).toMatchObject({ kind: "done", outcome: { created: false, report: { credentials: "none" } } });
  });
  it("under an agent: a signup", () => {
    expect(settle({ form: "library" }).step.kind).toBe("signup");
  });
  it("shared-folder accounts come with the env pulumi needs", () => {
    expect(settle({ form: "library", world: { sharedStore: ours() } }).step).toMatchObject({ kind: "done", outcome: { report: { childEnv: { PULUMI_CREDENTIALS_PATH: SHARED_DIR } } } });
  });
});

describe("account status", () => {
  it("reads both folders and the history, asks the service about the claim, creates nothing", () => {
    const { step, gathered } = settle({ form: "status", world: { defaultStore: ours(), claimCheck: "claimable" } });
    expect(gathered).toEqual(["default-store", "shared-store", "history", "claim-check"]);
    expect(step).toMatchObject({ kind: "done", outcome: { created: false, report: { phase: "active", claimValidFor: "20d" } } });
  });
  it("--offline never asks", () => {
    expect(settle({ form: "status", world: { defaultStore: ours() }, extra: { offline: true } }).gathered).not.toContain("claim-check");
  });
  it("no credentials: none, and what the next agent run would do", () => {
    expect(settle({ form: "status" }).step).toMatchObject({ kind: "done", outcome: { report: { credentials: "none", problem: "no Pulumi Cloud credentials found" } } });
  });
  it("a DIY backend needs no account", () => {
    expect(settle({ form: "status", env: { PULUMI_BACKEND_URL: "file:///state" } }).step).toMatchObject({ kind: "done", outcome: { report: { needsAccount: false } } });
  });
  it("an account whose credentials were lost still shows its claim link", () => {
    expect(settle({ form: "status", world: { defaultStore: { claim: claimFile({ ...openClaim, pending: true }) } } }).step).toMatchObject({ kind: "done", outcome: { report: { claimUrl: openClaim.claimUrl, credentials: "error" } } });
  });
  it("refresh tokens are reported", () => {
    expect(settle({ form: "status", world: { defaultStore: ours({ ...fresh, refreshToken: "r" }) }, extra: { offline: true } }).step).toMatchObject({ kind: "done", outcome: { report: { refreshes: true } } });
  });
  it("history entries older than now are not earlier claims", () => {
    // (the report's earlier claims are computed by the shell from claimCandidates; see report.test.ts)
    expect(settle({ form: "status", world: { history: [{ ...openClaim, validUntil: iso(NOW - D) }] }, extra: { offline: true } }).step.kind).toBe("done");
  });
});
