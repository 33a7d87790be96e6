// The mock cloud's rules over real loopback HTTP. Claims: validate, preview, conflicts and their
// resolution, non-transferable failures, commit (moves entities, revokes the agent token, burns the
// claim token), claim status. Refresh mode: short-lived JWT access tokens, rotation, claim identity,
// refusals, stats.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call as callMock, type CallOptions } from "../support/http.js";
import { AgentClaimResponse, ChallengeResponse, ClaimStatusResponse, ErrorBody, RefreshResponse, SignupResponse, UserResponse } from "../../src/cloud/protocol.js";
import { solveReference } from "../../src/pow/challenge.js";
import { DAY_MS, startMockCloud, UNAUTHORIZED_MESSAGE, type AgentAccount, type MockCloud } from "../../src/mock-cloud/server.js";

const HUMAN = "pul-human-alice";
let mock: MockCloud;
let agent: AgentAccount;

beforeEach(async () => {
  mock = await startMockCloud({ demoHuman: { login: "demo-dana", token: "pul-human-dana" } });
  mock.addHumanUser("alice", HUMAN, ["alice", "acme"]);
  agent = mock.createAgent({ agentName: "claude" });
  mock.addEntity(agent.orgName, { kind: "stack", name: "web/dev" });
  mock.addEntity(agent.orgName, { kind: "environment", name: "app/dev" });
});
afterEach(async () => {
  await mock.close();
});

const call = (method: string, path: string, opts: CallOptions = {}) => callMock(mock.url, method, path, opts);

const validate = (token = agent.claimToken) => call("GET", `/api/agents/signup/validate/${encodeURIComponent(token)}`);
const claim = (org: string, body: unknown, opts: { dryRun?: boolean; token?: string } = {}) =>
  call("POST", `/api/agents/${org}/claim${opts.dryRun ? "?dryRun=true" : ""}`, { token: opts.token ?? HUMAN, json: body });
const whoamiStatus = async () => (await call("GET", "/api/user", { token: agent.accessToken })).status;

describe("validate", () => {
  it("describes a claimable agent and 404s unknown tokens", async () => {
    const res = await validate();
    expect(res.status).toBe(200);
    expect(AgentClaimResponse.parse(res.json)).toEqual({
      agent: { login: agent.login, orgName: agent.orgName, createdAt: agent.createdAt.toISOString() },
      inventory: [
        { kind: "stack", name: "web/dev" },
        { kind: "environment", name: "app/dev" },
      ],
      conflicts: [],
      failures: [],
      claimExpiresAt: new Date(agent.createdAt.getTime() + 30 * DAY_MS).toISOString(),
    });
    const unknown = await validate("not-a-token");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ code: 404, message: "claim token not found" });
  });
});

describe("claim", () => {
  it("commit moves entities, revokes the agent token and burns the claim token", async () => {
    expect(await whoamiStatus()).toBe(200);
    const res = await claim("acme", { claimToken: agent.claimToken });
    expect(res.status).toBe(200);
    const body = AgentClaimResponse.parse(res.json);
    expect(body.transferToken).toMatch(/^transfer-[0-9a-f]{24}$/);
    expect(body.conflicts).toEqual([]);
    expect(body.failures).toEqual([]);
    expect(body.inventory).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);

    expect(mock.state.entitiesOf("acme")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);
    expect(mock.state.entitiesOf(agent.orgName)).toEqual([]);
    expect(mock.state.orgs.get(agent.orgName)?.deletedAt).toBeInstanceOf(Date);
    expect(mock.state.phase(agent)).toBe("claimed");
    expect(mock.state.tokens.get(agent.accessToken)?.revokedAt).toBeInstanceOf(Date);
    expect(agent).toMatchObject({ claimedBy: "alice", destinationOrg: "acme", transferToken: body.transferToken });

    expect((await validate()).json).toEqual({ code: 404, message: "claim token has already been used" });
    const me = await call("GET", "/api/user", { token: agent.accessToken });
    expect(me.json).toEqual({ code: 401, message: UNAUTHORIZED_MESSAGE });
    const again = await claim("acme", { claimToken: agent.claimToken });
    expect(again.json).toEqual({ code: 404, message: "claim token has already been used" });

    const status = await call("GET", "/api/agents/acme/claim/status", { token: HUMAN });
    expect(status.status).toBe(200);
    const parsed = ClaimStatusResponse.parse(status.json);
    expect(parsed.claims).toHaveLength(1);
    expect(parsed.claims[0]).toMatchObject({ transferToken: body.transferToken, status: "succeeded", destinationOrg: "acme" });
    expect((await call("GET", "/api/agents/acme/claim/status", { token: agent.accessToken })).status).toBe(401);
    mock.addHumanUser("bob", "pul-human-bob");
    expect((await call("GET", "/api/agents/acme/claim/status", { token: "pul-human-bob" })).status).toBe(403);
  });

  it("preview reports conflicts and mutates nothing; a rename resolution lets the commit succeed", async () => {
    mock.addEntity("acme", { kind: "stack", name: "web/dev" });
    const preview = await claim("acme", { claimToken: agent.claimToken }, { dryRun: true });
    expect(preview.status).toBe(200);
    const p = AgentClaimResponse.parse(preview.json);
    expect(p.conflicts).toEqual([{ kind: "stack", name: "web/dev" }]);
    expect(p.failures).toEqual([]);
    expect(p.transferToken).toBeUndefined();

    // A blocked commit is also a 200 with the same body and no mutation.
    const blocked = await claim("acme", { claimToken: agent.claimToken });
    expect(blocked.status).toBe(200);
    expect(blocked.json).toEqual(preview.json);

    expect((await validate()).status).toBe(200);
    expect(await whoamiStatus()).toBe(200);
    expect(mock.state.entitiesOf(agent.orgName)).toHaveLength(2);
    expect(mock.state.entitiesOf("acme")).toEqual([{ kind: "stack", name: "web/dev" }]);
    expect(mock.state.claims).toEqual([]);

    // Renaming onto another taken name still conflicts; a free name resolves it.
    mock.addEntity("acme", { kind: "stack", name: "web/taken" });
    const stillBlocked = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/taken" }],
    });
    expect(AgentClaimResponse.parse(stillBlocked.json).conflicts).toEqual([{ kind: "stack", name: "web/dev" }]);

    const dryResolved = await claim(
      "acme",
      { claimToken: agent.claimToken, conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/agent-dev" }] },
      { dryRun: true },
    );
    expect(AgentClaimResponse.parse(dryResolved.json)).toMatchObject({ conflicts: [], failures: [] });
    expect(AgentClaimResponse.parse(dryResolved.json).transferToken).toBeUndefined();
    expect(await whoamiStatus()).toBe(200);

    const done = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/agent-dev" }],
    });
    expect(AgentClaimResponse.parse(done.json).transferToken).toMatch(/^transfer-/);
    expect(mock.state.entitiesOf("acme")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "stack", name: "web/taken" },
      { kind: "stack", name: "web/agent-dev" },
      { kind: "environment", name: "app/dev" },
    ]);
    expect(mock.state.claims[0]?.transferred).toEqual([
      { kind: "stack", name: "web/dev", newName: "web/agent-dev" },
      { kind: "environment", name: "app/dev", newName: "app/dev" },
    ]);
    expect(await whoamiStatus()).toBe(401);
  });

  it("failures (no transfer primitive) block the commit and cannot be resolved", async () => {
    mock.addEntity(agent.orgName, { kind: "insights-account", name: "aws-main" });
    const expected = [
      {
        entity: { kind: "insights-account", name: "aws-main" },
        failureDetails: "insights-account 'aws-main' cannot be transferred: no transfer primitive for this kind yet",
      },
    ];
    const res = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "insights-account", name: "aws-main", newName: "other" }],
    });
    expect(res.status).toBe(200);
    const body = AgentClaimResponse.parse(res.json);
    expect(body.failures).toEqual(expected);
    expect(body.conflicts).toEqual([]);
    expect(body.transferToken).toBeUndefined();
    expect(await whoamiStatus()).toBe(200);
    expect((await validate()).status).toBe(200);
    expect(mock.state.entitiesOf("acme")).toEqual([]);
  });

  it("rejects bad callers, destinations, bodies and tokens", async () => {
    const cases: [Promise<{ status: number; json: unknown }>, number, string | RegExp][] = [
      [claim("acme", { claimToken: agent.claimToken }, { token: "nope" }), 401, UNAUTHORIZED_MESSAGE],
      [call("POST", "/api/agents/acme/claim", { json: { claimToken: agent.claimToken } }), 401, UNAUTHORIZED_MESSAGE],
      [claim("acme", { claimToken: agent.claimToken }, { token: agent.accessToken }), 403, /agent account cannot claim/],
      [claim("not-mine", { claimToken: agent.claimToken }), 403, "alice is not a member of organization 'not-mine'"],
      [claim("acme", { claimToken: "bogus" }), 404, "claim token not found"],
      [claim("acme", {}), 400, /^invalid request body: claimToken: /],
      [
        claim("acme", { claimToken: agent.claimToken, conflictsResolution: [{ kind: "stack", name: "nope", newName: "x" }] }),
        400,
        "conflictsResolution refers to stack 'nope', which the agent does not own",
      ],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      const err = ErrorBody.parse(res.json);
      expect(err.code).toBe(status);
      expect(err.message).toMatch(message);
    }
    expect(await whoamiStatus()).toBe(200);
  });

  it("an expired claim token answers 404 on claim", async () => {
    mock.clock.advance(30 * DAY_MS);
    const res = await claim("acme", { claimToken: agent.claimToken });
    expect(res.json).toEqual({ code: 404, message: "claim token has expired" });
  });
});

describe("refresh mode", () => {
  const TTL = 60_000;
  let rm: MockCloud;
  beforeEach(async () => {
    rm = await startMockCloud({ difficulty: 1, refreshTokens: { accessTtlMs: TTL } });
    rm.addHumanUser("alice", HUMAN, ["alice"]);
  });
  afterEach(async () => {
    await rm.close();
  });
  const rcall = (method: string, path: string, opts: CallOptions = {}) => callMock(rm.url, method, path, opts);
  const refresh = (refreshToken: string) => rcall("POST", "/api/oauth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString("utf8")) as { sub: string; exp: number; iat: number };
  const INVALID_GRANT = { error: "invalid_grant", error_description: "the refresh token is invalid, expired or revoked" };

  it("signup returns a refresh token and a short-lived JWT-shaped access token whose sub is the agent", async () => {
    const c = ChallengeResponse.parse((await rcall("GET", "/api/agents/signup")).json);
    const nonce = solveReference(c.challengeData, 1) as string;
    const before = rm.clock.now().getTime();
    const res = await rcall("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: nonce } });
    expect(res.status).toBe(200);
    const s = SignupResponse.parse(res.json);
    expect(s.refreshToken).toMatch(/^pul-refresh-[0-9a-f]{40}$/);
    expect(s.accessToken.split(".")).toHaveLength(3);
    const agent = rm.state.agentByLogin(s.userInfo?.githubLogin as string)!;
    expect(claims(s.accessToken).sub).toBe(agent.id);
    const until = Date.parse(s.accessTokenValidUntil);
    expect(until - before).toBeGreaterThanOrEqual(TTL - 1000);
    expect(until - before).toBeLessThanOrEqual(TTL + 1000);
    expect(claims(s.accessToken).exp).toBe(Math.floor(until / 1000));
    expect(Date.parse(s.claimTokenValidUntil) - agent.createdAt.getTime()).toBe(30 * DAY_MS);

    expect((await rcall("GET", "/api/user", { token: s.accessToken })).status).toBe(200);
    rm.clock.advance(TTL);
    expect((await rcall("GET", "/api/user", { token: s.accessToken })).json).toEqual({ code: 401, message: UNAUTHORIZED_MESSAGE });
    expect(rm.state.phase(agent)).toBe("active"); // the account's 72 h are not the token's hour
  });

  it("/api/oauth/token rotates both tokens; a used refresh token is refused; stats count refreshes", async () => {
    const agent = rm.createAgent();
    const first = agent.refreshToken as string;
    rm.clock.advance(TTL + 1);
    const r1 = await refresh(first);
    expect(r1.status).toBe(200);
    const body = RefreshResponse.parse(r1.json);
    expect(body).toEqual({ access_token: expect.any(String), token_type: "bearer", expires_in: 60, refresh_token: expect.stringMatching(/^pul-refresh-/) });
    expect(body.refresh_token).not.toBe(first);
    expect(agent.refreshToken).toBe(body.refresh_token);
    expect(agent.accessToken).toBe(body.access_token);
    expect(claims(body.access_token).sub).toBe(agent.id);
    expect(UserResponse.parse((await rcall("GET", "/api/user", { token: body.access_token })).json).githubLogin).toBe(agent.login);

    const reused = await refresh(first);
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual(INVALID_GRANT);
    expect((await refresh(body.refresh_token as string)).status).toBe(200);
    expect(rm.stats.refreshes).toBe(2);
    expect(rm.stats.count("oauth-token")).toBe(3);
    rm.stats.reset();
    expect(rm.stats.refreshes).toBe(0);
  });

  it("after a claim, a refresh returns tokens of the claimer; the agent's access tokens are revoked", async () => {
    const agent = rm.createAgent();
    const oldAccess = agent.accessToken;
    const r1 = RefreshResponse.parse((await refresh(agent.refreshToken as string)).json);
    const committed = await rcall("POST", "/api/agents/alice/claim", { token: HUMAN, json: { claimToken: agent.claimToken } });
    expect(committed.status).toBe(200);
    for (const t of [oldAccess, r1.access_token]) expect((await rcall("GET", "/api/user", { token: t })).status).toBe(401);

    const r2 = RefreshResponse.parse((await refresh(r1.refresh_token as string)).json);
    const alice = rm.state.accounts.get("alice")!;
    expect(claims(r2.access_token).sub).toBe(alice.id);
    expect(claims(r2.access_token).sub).not.toBe(agent.id);
    const me = UserResponse.parse((await rcall("GET", "/api/user", { token: r2.access_token })).json);
    expect(me).toMatchObject({ githubLogin: "alice", isAgent: false, tokenInfo: { name: "alice-refresh" } });
    // The chain keeps rotating, as the human's.
    const r3 = RefreshResponse.parse((await refresh(r2.refresh_token as string)).json);
    expect(claims(r3.access_token).sub).toBe(alice.id);
  });

  it("refuses revoked, unknown and locked-account refresh tokens, and malformed requests", async () => {
    const agent = rm.createAgent();
    expect(rm.state.revokeToken(agent.refreshToken as string)).toBe(true);
    expect(rm.state.revokeToken(agent.refreshToken as string)).toBe(false);
    expect((await refresh(agent.refreshToken as string)).json).toEqual(INVALID_GRANT);
    expect((await refresh("pul-refresh-unknown")).json).toEqual(INVALID_GRANT);

    const later = rm.createAgent();
    rm.clock.advance(31 * DAY_MS);
    const locked = await refresh(later.refreshToken as string);
    expect(locked.status).toBe(400);
    expect(locked.json).toMatchObject({ error: "invalid_grant" });

    const wrongGrant = await rcall("POST", "/api/oauth/token", { form: { grant_type: "password", refresh_token: "x" } });
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.json).toMatchObject({ error: "unsupported_grant_type" });
    expect((await rcall("POST", "/api/oauth/token", { form: { grant_type: "refresh_token" } })).json).toMatchObject({ error: "invalid_request" });
    const asJson = await rcall("POST", "/api/oauth/token", { json: { grant_type: "refresh_token", refresh_token: "x" } });
    expect(asJson.status).toBe(400);
    expect(asJson.json).toMatchObject({ error: "invalid_request" });
    expect(rm.stats.refreshes).toBe(0);
  });

  it("rejects a TTL that is not a positive number", async () => {
    await expect(startMockCloud({ refreshTokens: { accessTtlMs: 0 } })).rejects.toThrow(RangeError);
  });
});

describe("default mode (no refresh tokens)", () => {
  it("signup has no refresh token, the access token lasts the 72 h, and /api/oauth/token does not exist", async () => {
    expect(agent.refreshToken).toBeUndefined();
    expect(agent.accessToken).toMatch(/^pul-agent-[0-9a-f]{40}$/);
    const s = mock.state.signupResponse(agent);
    expect(s).not.toHaveProperty("refreshToken");
    expect(Date.parse(s.accessTokenValidUntil) - agent.createdAt.getTime()).toBe(72 * 3600 * 1000);
    const res = await call("POST", "/api/oauth/token", { form: { grant_type: "refresh_token", refresh_token: "x" } });
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(res.json)).toEqual({ code: 404, message: "no route for POST /api/oauth/token" });
    expect(mock.stats.count("not-found")).toBe(1);
    expect(mock.stats.count("oauth-token")).toBe(0);
  });
});
