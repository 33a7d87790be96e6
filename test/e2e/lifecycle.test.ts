// Claim lifecycle end to end: every phase driven by the mock's clock, the exact blocks, the
// no-re-signup rules, the diagnosis after failures, shared-dir interop, and the account commands.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FAKE_PULUMI } from "../support/sandbox.js";
import { bootstrapAgo, readJson, useAgentContext } from "../support/context.js";
import { readRecords, runBin } from "../support/run.js";

const H = 3600_000;
const D = 24 * H;

const ctx = useAgentContext({ mock: { difficulty: 6 }, env: () => ({ AI_AGENT: "codex", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }) });

const credsPath = () => path.join(ctx.sb.pulumiHome, "credentials.json");
const claimPath = () => path.join(ctx.sb.pulumiHome, "agent-claim.json");
const signups = () => ctx.mock.state.agents().length;


/** The PULUMI_EPHEMERAL_AGENT_ACCOUNT block's KEY=value lines, in order. */
function block(stderr: string): Array<[string, string]> {
  const start = stderr.lastIndexOf("PULUMI_EPHEMERAL_AGENT_ACCOUNT\n");
  expect(start, `no block in:\n${stderr}`).toBeGreaterThanOrEqual(0);
  const lines = stderr.slice(start).split("\n").slice(1);
  const out: Array<[string, string]> = [];
  for (const l of lines) {
    const m = /^([A-Z_]+)=(.*)$/.exec(l);
    if (!m) break;
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

describe("phases", () => {
  it("active: reminder line before, claim block with access time after", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^pulumi-agent: using agent account ${agent.login} \\(write access for 2d23h5\\dm; claim within 29d23h5\\dm\\): ${ctx.mock.claimUrl(agent.claimToken).replace(/[.?]/g, "\\$&")}$`));
    const b = block(r.stderr);
    expect(b.map(([k]) => k)).toEqual(["CLAIM_URL", "EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN", "ACTION_REQUIRED", "INSTRUCTION"]);
    expect(b[0]![1]).toBe(ctx.mock.claimUrl(agent.claimToken));
    expect(b[1]![1]).toMatch(/^2d23h5\dm$/);
    expect(b[2]![1]).toBe("Tell the user to claim this Pulumi agent account.");
    expect(b[3]![1]).toContain(`must claim the account within ${b[1]![1]} before agent access expires`);
  });

  it("read-only (access expired, claim open): no pulumi run, no new account, claim block with CLAIM_URL_VALID_FOR", async () => {
    const { agent } = await bootstrapAgo(ctx, 73 * H);
    const before = signups();
    const r = await runBin(["up", "--yes"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(signups()).toBe(before);
    expect(readRecords(ctx.record)).toHaveLength(0);
    const b = block(r.stderr);
    expect(b.map(([k]) => k)).toEqual(["CLAIM_URL", "CLAIM_URL_VALID_FOR", "ACTION_REQUIRED", "INSTRUCTION"]);
    expect(b[1]![1]).toMatch(/^26d2[23]h\d+m$|^26d23h$/);
    expect(b[3]![1]).toContain(`can no longer authenticate, but the claim URL is still valid for ${b[1]![1]}`);
    expect(r.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    const status = JSON.parse((await runBin(["account", "status", "--json"], ctx.sb.env)).stdout);
    expect(status).toMatchObject({ phase: "read-only", accessExpiresIn: "expired", claimUrl: ctx.mock.claimUrl(agent.claimToken) });
  });

  it("locked (claim window over): the old link is shown once more, only that cloud's state is replaced, a new account is made", async () => {
    // Another cloud's login in the same file must survive the cleanup.
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(credsPath(), JSON.stringify({ accessTokens: { "https://api.other.example": "pul-other" }, accounts: { "https://api.other.example": { accessToken: "pul-other", username: "bob", lastValidatedAt: "0001-01-01T00:00:00Z" } } }, null, 4));
    const { agent: old } = await bootstrapAgo(ctx, 31 * D);
    const before = signups();
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before + 1);
    expect(r.stderr).toContain(`agent account ${old.login} expired unclaimed`);
    expect(r.stderr).toContain(ctx.mock.claimUrl(old.claimToken));
    const fresh = ctx.mock.state.agents().at(-1)!;
    const creds = readJson(credsPath());
    expect(creds.accounts[ctx.mock.url].accessToken).toBe(fresh.accessToken);
    expect(creds.accounts["https://api.other.example"].accessToken).toBe("pul-other");
    expect(readJson(claimPath()).claimToken).toBe(fresh.claimToken);
    expect(readRecords(ctx.record)[0]!.token).toBe(fresh.accessToken);
  });

  it("claimed: the failure is diagnosed as login-required, remembered, and no new account is made", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    ctx.mock.addHumanUser("alice", "pul-alice", ["alice-org"]);
    const commit = await fetch(`${ctx.mock.url}/api/agents/alice-org/claim`, { method: "POST", headers: { Authorization: "token pul-alice", "Content-Type": "application/json" }, body: JSON.stringify({ claimToken: agent.claimToken }) });
    expect(commit.status).toBe(200);
    const before = signups();

    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code).toBe(3); // pulumi's own status (login required)
    const b = block(r.stderr);
    expect(b.map(([k]) => k)).toEqual(["EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN", "ACTION_REQUIRED", "INSTRUCTION"]);
    expect(b[1]![1]).toBe("Tell the user to run pulumi login.");
    expect(b[2]![1]).toContain("its claim URL is no longer claimable");
    expect(readJson(claimPath()).claimUnavailableAt).toBeTruthy();

    const again = await runBin(["whoami"], ctx.sb.env);
    expect(again.code).toBe(3);
    expect(again.stderr).not.toContain("pulumi-agent: using agent account"); // claimed: stop reminding
    expect(block(again.stderr)[1]![1]).toBe("Tell the user to run pulumi login.");
    expect(signups()).toBe(before);
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status.phase).toBe("claimed");
  });
});

describe("diagnosis and last-known claim state", () => {
  it("zero cost when pulumi succeeds: no request after the run", async () => {
    await bootstrapAgo(ctx, 0);
    const n = ctx.mock.stats.requests.length;
    const r = await runBin(["preview"], ctx.sb.env);
    expect(r.code).toBe(0);
    expect(ctx.mock.stats.requests.length).toBe(n);
  });

  it("a failure unrelated to auth checks token and claim, then shows the claim block", async () => {
    await bootstrapAgo(ctx, 0);
    const n = { user: ctx.mock.stats.count("user"), validate: ctx.mock.stats.count("validate") };
    const r = await runBin(["up"], { ...ctx.sb.env, FAKE_PULUMI_EXIT: "1" });
    expect(r.code).toBe(1);
    expect(ctx.mock.stats.count("user")).toBe(n.user + 1);
    expect(ctx.mock.stats.count("validate")).toBe(n.validate + 1);
    expect(block(r.stderr)[0]![0]).toBe("CLAIM_URL");
  });

  it("a stale claimUnavailableAt is cleared when the service says the claim is open (PR #24495)", async () => {
    await bootstrapAgo(ctx, 0);
    const claim = readJson(claimPath());
    writeFileSync(claimPath(), JSON.stringify({ ...claim, claimUnavailableAt: "2026-01-01T00:00:00Z" }, null, 4));
    const r = await runBin(["up"], { ...ctx.sb.env, FAKE_PULUMI_EXIT: "1" });
    expect(r.code).toBe(1);
    expect(readJson(claimPath()).claimUnavailableAt).toBeUndefined();
    expect(block(r.stderr)[0]![0]).toBe("CLAIM_URL");
  });

  it("an unreachable validate endpoint keeps the last known state", async () => {
    await bootstrapAgo(ctx, 0);
    const claim = readJson(claimPath());
    writeFileSync(claimPath(), JSON.stringify({ ...claim, claimUnavailableAt: "2026-01-01T00:00:00Z" }, null, 4));
    ctx.mock.faults.add("validate", { status: 503, sticky: true });
    const r = await runBin(["up"], { ...ctx.sb.env, FAKE_PULUMI_EXIT: "1" });
    expect(readJson(claimPath()).claimUnavailableAt).toBe("2026-01-01T00:00:00Z");
    expect(block(r.stderr).find(([k]) => k === "ACTION_REQUIRED")![1]).toBe("Tell the user to run pulumi login.");
  });

  it("a rejected but unexpired token with an unknown claim → token-rejected block, never a new account", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    ctx.mock.state.revokeToken(agent.accessToken);
    ctx.mock.faults.add("validate", { status: 500, sticky: true });
    const before = signups();
    for (let i = 0; i < 2; i++) {
      const r = await runBin(["whoami"], ctx.sb.env);
      expect(r.code).toBe(3);
      expect(block(r.stderr).at(-1)![1]).toContain("even though local access had not expired");
    }
    expect(signups()).toBe(before);
  });
});

describe("re-signup rules and account commands", () => {
  it("bootstrap --new-account forces a new account and shows the old claim link", async () => {
    const { agent: old } = await bootstrapAgo(ctx, 0);
    const before = signups();
    const r = await runBin(["account", "bootstrap", "--new-account"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before + 1);
    expect(r.stderr).toContain(ctx.mock.claimUrl(old.claimToken));
    expect(r.stderr).toMatch(/stay in it/);
  });

  it("bootstrap --new-account refuses to shadow a human login", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const human = JSON.stringify({ current: ctx.mock.url, accessTokens: { [ctx.mock.url]: "pul-h" }, accounts: { [ctx.mock.url]: { accessToken: "pul-h", username: "alice", lastValidatedAt: "0001-01-01T00:00:00Z" } } }, null, 4);
    writeFileSync(credsPath(), human);
    const r = await runBin(["account", "bootstrap", "--new-account"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/logged in .* as alice/);
    expect(readFileSync(credsPath(), "utf8")).toBe(human);
  });

  it("neo on an unclaimed account says a claimed, verified account is needed", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    const r = await runBin(["neo", "tasks", "list"], ctx.sb.env);
    expect(r.stderr).toContain("Neo tasks need a claimed Pulumi account with a verified email");
    expect(r.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    expect(readRecords(ctx.record)[0]!.argv).toEqual(["neo", "tasks", "list"]);
  });

  it("account env prints quoted export lines per shell; status --json shows the live inventory", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    const bash = await runBin(["account", "env"], { ...ctx.sb.env, SHELL: "/bin/bash" });
    expect(bash.stdout).toBe(`export PULUMI_BACKEND_URL='${ctx.mock.url}'\nexport PULUMI_ACCESS_TOKEN='${agent.accessToken}'\n`);
    const fish = await runBin(["account", "env", "--shell", "fish"], ctx.sb.env);
    expect(fish.stdout).toContain(`set -gx PULUMI_ACCESS_TOKEN '${agent.accessToken}';`);
    const ps = await runBin(["account", "env", "--shell", "powershell"], ctx.sb.env);
    expect(ps.stdout).toContain(`$Env:PULUMI_BACKEND_URL = '${ctx.mock.url}'`);
    const status = JSON.parse((await runBin(["account", "status", "--json"], ctx.sb.env)).stdout);
    expect(status).toMatchObject({ credentials: "agent-account", username: agent.login, phase: "active", claim: { claimable: true, agent: { login: agent.login }, inventory: [] } });
    expect(JSON.stringify(status)).not.toContain(agent.accessToken); // status never shows the token
  });

  it("account forget shows the link, needs --yes, and removes only the agent account", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    const dry = await runBin(["account", "forget"], ctx.sb.env);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    expect(existsSync(claimPath())).toBe(true);
    const real = await runBin(["account", "forget", "--yes"], ctx.sb.env);
    expect(real.code, real.stderr).toBe(0);
    expect(existsSync(claimPath())).toBe(false);
    expect(existsSync(credsPath())).toBe(false); // it held only the agent account
  });

  it("account claim previews conflicts, mutates nothing, and commits after a rename", async () => {
    const { agent } = await bootstrapAgo(ctx, 0);
    // The agent creates a stack; the human's org already has one with that name.
    const w = await runBin(["stack", "init", "dev"], { ...ctx.sb.env, FAKE_PULUMI_WRITE: "1" });
    expect(w.code, w.stderr).toBe(0);
    ctx.mock.addHumanUser("carol", "pul-carol", ["carol-org"]);
    ctx.mock.addEntity("carol-org", { kind: "stack", name: "fake-project/dev" });
    const human = { ...ctx.sb.env, PULUMI_ACCESS_TOKEN: "pul-carol" };

    const preview = await runBin(["account", "claim", "--org", "carol-org", "--commit", "--json"], human);
    expect(preview.code).toBe(1);
    const p = JSON.parse(preview.stdout);
    expect(p.committed).toBe(false);
    expect(p.response.conflicts).toEqual([{ kind: "stack", name: "fake-project/dev" }]);
    expect(ctx.mock.state.phase(agent)).toBe("active"); // nothing mutated

    const ok = await runBin(["account", "claim", "--org", "carol-org", "--commit", "--rename", "stack:fake-project/dev=fake-project/dev-agent"], human);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("Claimed.");
    expect(ctx.mock.state.phase(agent)).toBe("claimed");
    expect(readJson(claimPath()).claimUnavailableAt).toBeTruthy();
  });

  it("account doctor explains detection, paths, backend and the pulumi it would run", async () => {
    const r = await runBin(["account", "doctor", "--json"], { ...ctx.sb.env, CURSOR_TRACE_ID: "x" });
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.detection).toMatchObject({ isAgent: true, name: "codex" });
    expect(d.detection.weakSignals).toContain("CURSOR_TRACE_ID");
    expect(d.account.cloudUrl).toBe(ctx.mock.url);
    expect(d.reachability).toMatchObject({ reachable: true, status: 401 });
    expect(d.pulumi).toMatchObject({ path: FAKE_PULUMI, version: "v3.999.0" });
    expect(d.locks).toHaveLength(2);
    const text = await runBin(["account", "doctor"], ctx.sb.env);
    expect(text.stdout).toContain("Agent detection");
  });
});

describe("shared-dir interop with the Go CLI (docs/compatibility.md#file-interop)", () => {
  it("reuses an account a Pulumi CLI ≥ 3.243 created in the shared dir", async () => {
    const agent = ctx.mock.createAgent();
    mkdirSync(ctx.sb.sharedDir, { recursive: true, mode: 0o700 });
    // Exactly what the Go CLI writes: MarshalIndent, 4 spaces, no trailing newline, Go time formats.
    writeFileSync(
      path.join(ctx.sb.sharedDir, "credentials.json"),
      `{\n    "current": "${ctx.mock.url}",\n    "accessTokens": {\n        "${ctx.mock.url}": "${agent.accessToken}"\n    },\n    "accounts": {\n        "${ctx.mock.url}": {\n            "accessToken": "${agent.accessToken}",\n            "username": "${agent.login}",\n            "organizations": [\n                "${agent.login}"\n            ],\n            "lastValidatedAt": "2026-11-22T10:15:30.123456789-07:00",\n            "tokenInformation": {\n                "name": "",\n                "expiresAt": "${agent.accessTokenValidUntil.toISOString().replace("Z", "+00:00")}"\n            }\n        }\n    }\n}`,
      { mode: 0o600 },
    );
    writeFileSync(
      path.join(ctx.sb.sharedDir, "agent-claim.json"),
      `{\n    "claimUrl": "${ctx.mock.claimUrl(agent.claimToken)}",\n    "claimToken": "${agent.claimToken}",\n    "validUntil": "${agent.claimTokenValidUntil.toISOString()}",\n    "cloudUrl": "${ctx.mock.url}"\n}`,
      { mode: 0o600 },
    );
    const before = signups();
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before);
    expect(r.stdout).toBe(`${agent.login}\n`);
    const [rec] = readRecords(ctx.record);
    expect(rec!.token).toBe(agent.accessToken);
    expect(rec!.env.PULUMI_CREDENTIALS_PATH).toBe(ctx.sb.sharedDir);
    expect(r.stderr).toContain(`using agent account ${agent.login}`);
  });

  it("what we write in the shared dir is exactly what the Go CLI reads", async () => {
    writeFileSync(path.join(ctx.sb.root, "blocker"), "");
    ctx.sb.env.PULUMI_HOME = path.join(ctx.sb.root, "blocker", ".pulumi"); // default dir unusable → shared dir
    const r = await runBin(["account", "bootstrap"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    const credsText = readFileSync(path.join(ctx.sb.sharedDir, "credentials.json"), "utf8");
    const claimText = readFileSync(path.join(ctx.sb.sharedDir, "agent-claim.json"), "utf8");
    expect(credsText.endsWith("}")).toBe(true);
    expect(credsText).toMatch(/^\{\n {4}"current": /);
    const creds = JSON.parse(credsText);
    expect(Object.keys(creds)).toEqual(["current", "accessTokens", "accounts"]);
    expect(Object.keys(creds.accounts[ctx.mock.url])).toEqual(["accessToken", "username", "organizations", "lastValidatedAt", "tokenInformation"]);
    expect(Object.keys(creds.accounts[ctx.mock.url].tokenInformation)).toEqual(["name", "expiresAt"]);
    expect(Object.keys(JSON.parse(claimText))).toEqual(["claimUrl", "claimToken", "validUntil", "cloudUrl"]);
    expect(claimText).toMatch(/^\{\n {4}"claimUrl": /);

    // A Go-like pulumi in agent mode (no PULUMI_HOME/PULUMI_CREDENTIALS_PATH) finds it by itself.
    const goEnv: NodeJS.ProcessEnv = { ...ctx.sb.env, CLAUDECODE: "1" };
    delete goEnv.PULUMI_HOME;
    const direct = await runBin(["whoami"], goEnv, { command: [FAKE_PULUMI] });
    expect(direct.stdout).toBe(`${agent.login}\n`);
    expect(readRecords(ctx.record).at(-1)!.tokenSource).toBe("agent-credentials");
  });
});

describe("claim links are never overwritten", () => {
  it("after `pulumi logout` of the agent account, a new signup archives the still-open claim and status keeps showing it", async () => {
    const { agent: old } = await bootstrapAgo(ctx, 0);
    // What `pulumi logout` does: the account goes (Go deletes a credentials file left empty), the claim stays.
    rmSync(credsPath());
    const r = await runBin(["whoami"], { ...ctx.sb.env, PULUMI_HOME: ctx.sb.pulumiHome });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`can still be claimed until ${old.claimTokenValidUntil.toISOString()}: ${ctx.mock.claimUrl(old.claimToken)}`);
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status.earlierClaims).toEqual([{ claimUrl: ctx.mock.claimUrl(old.claimToken), validUntil: old.claimTokenValidUntil.toISOString(), cloudUrl: ctx.mock.url }]);
    expect(status.claimUrl).not.toBe(ctx.mock.claimUrl(old.claimToken));
  });
});

it("a still-open claim left in the other dir is listed by status too", async () => {
  const { agent: old } = await bootstrapAgo(ctx, 0);
  writeFileSync(credsPath(), ""); // empty file at an explicit PULUMI_HOME: the next account goes to the shared dir
  const r = await runBin(["whoami"], ctx.sb.env);
  expect(r.code, r.stderr).toBe(0);
  const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
  expect(status.storage.location).toBe("shared");
  expect(status.earlierClaims.map((c: { claimUrl: string }) => c.claimUrl)).toEqual([ctx.mock.claimUrl(old.claimToken)]);
});
