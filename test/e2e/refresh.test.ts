// End to end: access tokens that live minutes (the mock's refresh mode) and a pulumi that cannot refresh
// (the fake): pulumi-agent renews the token before pulumi runs, once for N agents, never silently signs up
// again when the service refuses, and sees a claim through the refreshed identity.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FAKE_PULUMI } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { readRecords, runBin } from "../support/run.js";

const TTL = 10 * 60_000;
const ctx = useAgentContext({
  mock: { difficulty: 8, refreshTokens: { accessTtlMs: TTL } },
  env: () => ({ CLAUDECODE: "1", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }),
});

const credsPath = () => path.join(ctx.sb.pulumiHome, "credentials.json");
const claimPath = () => path.join(ctx.sb.pulumiHome, "agent-claim.json");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const signups = () => ctx.mock.state.agents().length;

/** Sign up as if `agoMs` ago, so the access token (TTL 10 min) has expired on both sides by now. */
async function bootstrapAgo(agoMs: number) {
  ctx.mock.clock.set(new Date(Date.now() - agoMs));
  const r = await runBin(["account", "bootstrap", "--json"], ctx.sb.env);
  ctx.mock.clock.reset();
  expect(r.code, r.stderr).toBe(0);
  return ctx.mock.state.agents().at(-1)!;
}

describe("refresh before pulumi runs", () => {
  it("an old pulumi that cannot refresh fails with the expired token, and succeeds through pulumi-agent: one refresh, no new account", async () => {
    const agent = await bootstrapAgo(TTL + 60_000);
    const stored = readJson(credsPath()).accounts[ctx.mock.url];
    expect(stored.refreshToken).toBeTruthy();

    // The control: the same pulumi, run directly, fails (401 → exit 3).
    const direct = await runBin(["whoami"], ctx.sb.env, { command: [FAKE_PULUMI] });
    expect(direct.code).toBe(3);

    const refreshes = ctx.mock.stats.refreshes;
    const before = signups();
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${agent.login}\n`);
    expect(ctx.mock.stats.refreshes).toBe(refreshes + 1);
    expect(signups()).toBe(before);
    const after = readJson(credsPath()).accounts[ctx.mock.url];
    expect(after.accessToken).not.toBe(stored.accessToken);
    expect(after.refreshToken).not.toBe(stored.refreshToken); // the mock rotates it
    expect(Date.parse(after.tokenInformation.expiresAt)).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(readJson(credsPath()).accessTokens[ctx.mock.url]).toBe(after.accessToken);
    expect(readRecords(ctx.record).at(-1)!.token).toBe(after.accessToken);

    // Fresh now: the next run makes no refresh and no request before pulumi.
    const r2 = await runBin(["whoami"], ctx.sb.env);
    expect(r2.code).toBe(0);
    expect(ctx.mock.stats.refreshes).toBe(refreshes + 1);
  });

  it("8 concurrent runs at expiry make exactly one refresh", async () => {
    await bootstrapAgo(TTL + 60_000);
    const refreshes = ctx.mock.stats.refreshes;
    const runs = await Promise.all(Array.from({ length: 8 }, () => runBin(["whoami"], ctx.sb.env, { timeoutMs: 120_000 })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(ctx.mock.stats.refreshes).toBe(refreshes + 1);
    const token = readJson(credsPath()).accounts[ctx.mock.url].accessToken;
    for (const rec of readRecords(ctx.record)) expect(rec.token).toBe(token);
  }, 180_000);

  it("a refused refresh with the claim still open: the claim block, exit 1, no new account", async () => {
    const agent = await bootstrapAgo(TTL + 60_000);
    ctx.mock.state.revokeToken(agent.refreshToken as string);
    const before = signups();
    const r = await runBin(["up", "--yes"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(signups()).toBe(before);
    expect(readRecords(ctx.record)).toHaveLength(0); // pulumi did not run
    expect(r.stderr).toContain(`PULUMI_EPHEMERAL_AGENT_ACCOUNT\nCLAIM_URL=${ctx.mock.claimUrl(agent.claimToken)}`);
    expect(r.stderr).toMatch(/refused to renew the agent account's access/);
  });

  it("a refused refresh with the claim no longer claimable: run pulumi login, exit 3", async () => {
    const agent = await bootstrapAgo(TTL + 60_000);
    ctx.mock.state.revokeToken(agent.refreshToken as string);
    ctx.mock.faults.add("validate", { status: 404, body: "", sticky: true });
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("ACTION_REQUIRED=Tell the user to run pulumi login.");
    expect(readJson(claimPath()).claimUnavailableAt).toBeTruthy(); // remembered
  });
});

describe("a claim seen through refresh", () => {
  it("the refreshed identity is the human's: said once, the claim moves to the history, the reminders stop", async () => {
    const agent = await bootstrapAgo(TTL + 60_000);
    ctx.mock.addHumanUser("alice", "pul-alice", ["alice"]);
    const commit = await fetch(`${ctx.mock.url}/api/agents/alice/claim`, { method: "POST", headers: { Authorization: "token pul-alice", "Content-Type": "application/json" }, body: JSON.stringify({ claimToken: agent.claimToken }) });
    expect(commit.status).toBe(200);

    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("alice\n");
    expect(r.stderr).toContain("pulumi-agent now works as alice");
    expect(r.stderr).not.toContain("PULUMI_EPHEMERAL_AGENT_ACCOUNT");
    const history = readJson(path.join(ctx.sb.pulumiHome, "agent-claim-history.json"));
    expect(history[0].claimUrl).toBe(ctx.mock.claimUrl(agent.claimToken));

    const again = await runBin(["whoami"], ctx.sb.env);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status).toMatchObject({ credentials: "login", username: "alice", isAgentAccount: false });
  });
});

describe("account status", () => {
  it("shows whether the account refreshes and when its access token expires next", async () => {
    await bootstrapAgo(0);
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status).toMatchObject({ refreshes: true, accessExpiresIn: expect.stringMatching(/^(9|10)m$/) });
    const text = (await runBin(["account", "status", "--offline"], ctx.sb.env)).stdout;
    expect(text).toMatch(/Access: +expires in (9|10)m \(renewed automatically before it expires\)/);
  });
});
