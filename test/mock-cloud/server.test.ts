// The mock Pulumi Cloud over real loopback HTTP: challenges, proof of work, signup, /api/user, the
// agent lifecycle on the mock clock, stats, and routing errors.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call as callMock, type CallOptions } from "../support/http.js";
import { ChallengeResponse, ErrorBody, SignupResponse, UserResponse } from "../../src/cloud/protocol.js";
import { nonceMeetsDifficulty, parseChallengeData, solveReference } from "../../src/pow/challenge.js";
import {
  DAY_MS,
  HOUR_MS,
  READ_ONLY_MESSAGE,
  startMockCloud,
  UNAUTHORIZED_MESSAGE,
  type MockCloud,
} from "../../src/mock-cloud/server.js";

let mock: MockCloud;

beforeEach(async () => {
  mock = await startMockCloud();
});
afterEach(async () => {
  await mock.close();
});

const call = (method: string, path: string, opts: CallOptions = {}) => callMock(mock.url, method, path, opts);

async function getChallenge(path = "/api/agents/signup"): Promise<ChallengeResponse> {
  const res = await call("GET", path);
  expect(res.status).toBe(200);
  return ChallengeResponse.parse(res.json);
}

async function signup(extra: Record<string, unknown> = {}): Promise<SignupResponse> {
  const c = await getChallenge();
  const parsed = parseChallengeData(c.challengeData);
  if (!parsed.ok) throw new Error(parsed.error);
  const nonce = solveReference(c.challengeData, parsed.difficulty) as string;
  const res = await call("POST", "/api/agents/signup", {
    json: { challengeID: c.challengeID, challengeResult: nonce, ...extra },
  });
  expect(res.status).toBe(200);
  return SignupResponse.parse(res.json);
}

describe("challenges", () => {
  it("serves v1 challenges with the configured difficulty on both paths", async () => {
    const a = await getChallenge("/api/agents/signup");
    const b = await getChallenge("/api/agents/signup/challenge");
    expect(a.challengeData).toMatch(/^v1:[0-9a-f]{16}:8$/);
    expect(b.challengeData).toMatch(/^v1:[0-9a-f]{16}:8$/);
    expect(a.challengeID).not.toBe(b.challengeID);
    expect(a.challengeData).not.toBe(b.challengeData);
    expect(mock.stats.count("challenge")).toBe(1);
    expect(mock.stats.count("challenge-alt")).toBe(1);

    mock.setDifficulty(3);
    expect((await getChallenge()).challengeData).toMatch(/^v1:[0-9a-f]{16}:3$/);
    expect(() => mock.setDifficulty(0)).toThrow(RangeError);
    expect(() => mock.setDifficulty(257)).toThrow(RangeError);
  });

  it("honours options.difficulty", async () => {
    const other = await startMockCloud({ difficulty: 5 });
    try {
      const res = await fetch(`${other.url}/api/agents/signup`);
      expect(ChallengeResponse.parse(await res.json()).challengeData).toMatch(/^v1:[0-9a-f]{16}:5$/);
    } finally {
      await other.close();
    }
  });

  it("accepts the reference vector v1:abc:12 → 4815 and rejects wrong or non-canonical nonces", async () => {
    expect(nonceMeetsDifficulty("v1:abc:12", "4815", 12)).toBe(true);
    expect(nonceMeetsDifficulty("v1:abc:12", "4814", 12)).toBe(false);
    mock.setChallengeData("v1:abc:12");
    const c = await getChallenge();
    expect(c.challengeData).toBe("v1:abc:12");

    for (const [result, message] of [
      ["4814", "challengeResult does not satisfy the challenge difficulty"],
      ["04815", "challengeResult must be a canonical unsigned decimal integer"],
      ["+4815", "challengeResult must be a canonical unsigned decimal integer"],
      ["18446744073709551616", "challengeResult must be a canonical unsigned decimal integer"],
    ] as const) {
      const bad = await call("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: result } });
      expect(bad.status).toBe(400);
      expect(ErrorBody.parse(bad.json)).toEqual({ code: 400, message });
    }
    expect(mock.stats.signups).toBe(0);

    // A rejected answer does not burn the challenge; the right one is accepted.
    const good = await call("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: "4815" } });
    expect(good.status).toBe(200);
    SignupResponse.parse(good.json);
    expect(mock.stats.signups).toBe(1);
  });

  it("rejects unknown, reused and expired challenges with distinct messages", async () => {
    mock.setChallengeData("v1:abc:12");
    const unknown = await call("POST", "/api/agents/signup", { json: { challengeID: "nope", challengeResult: "4815" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ code: 400, message: "unknown challengeID" });

    const c = await getChallenge();
    expect((await call("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: "4815" } })).status).toBe(200);
    const reused = await call("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: "4815" } });
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual({ code: 400, message: "challenge has already been used" });

    const old = await getChallenge();
    mock.clock.advance(5 * 60 * 1000 + 1);
    const expired = await call("POST", "/api/agents/signup", { json: { challengeID: old.challengeID, challengeResult: "4815" } });
    expect(expired.status).toBe(400);
    expect(expired.json).toEqual({ code: 400, message: "challenge has expired" });
    expect(mock.stats.signups).toBe(1);
  });

  it("rejects a challenge whose fixed data is not a valid v1 challenge", async () => {
    mock.setChallengeData("v2:x:1");
    const c = await getChallenge();
    const res = await call("POST", "/api/agents/signup", { json: { challengeID: c.challengeID, challengeResult: "1" } });
    expect(res.json).toEqual({ code: 400, message: "challenge data is not valid: invalid challenge data" });
  });
});

describe("signup", () => {
  it("returns the full SignupResponse and records the agent", async () => {
    const before = mock.clock.now().getTime();
    const res = await signup({ agentName: "claude", agentModel: "opus", challengeSolveDurationMs: 42 });
    const after = mock.clock.now().getTime();

    expect(res.accessToken).toMatch(/^pul-agent-[0-9a-f]{40}$/);
    expect(res.claimToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const created = Date.parse(res.accessTokenValidUntil) - 72 * HOUR_MS;
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    expect(Date.parse(res.claimTokenValidUntil) - Date.parse(res.accessTokenValidUntil)).toBe(30 * DAY_MS - 72 * HOUR_MS);
    const login = res.userInfo?.githubLogin as string;
    expect(login).toMatch(/^agent-[0-9a-f]{12}$/);
    expect(res.userInfo).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      githubLogin: login,
      name: login,
      email: "",
      avatarUrl: "",
      organizations: [{ githubLogin: login }],
      identities: [],
      isAgent: true,
    });

    const agent = mock.state.agentByLogin(login);
    expect(agent).toMatchObject({ agentName: "claude", agentModel: "opus", challengeSolveDurationMs: 42, accessToken: res.accessToken });
    expect(agent && mock.state.phase(agent)).toBe("active");
    expect(mock.stats.signups).toBe(1);
  });

  it("rejects bad JSON and schema violations with 400 Go-shape errors", async () => {
    const bad = await call("POST", "/api/agents/signup", { body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(bad.status).toBe(400);
    const err = ErrorBody.parse(bad.json);
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/^invalid JSON body: /);

    const missing = await call("POST", "/api/agents/signup", { json: { challengeID: "x" } });
    expect(missing.status).toBe(400);
    expect(ErrorBody.parse(missing.json).message).toMatch(/^invalid request body: challengeResult: /);
  });
});

describe("/api/user and the lifecycle", () => {
  it("answers 401 in the Go shape without, or with an unknown, token", async () => {
    const variants: Record<string, string>[] = [{}, { Authorization: "token nope" }, { Authorization: "Bearer x" }];
    for (const headers of variants) {
      const res = await call("GET", "/api/user", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.json).toEqual({ code: 401, message: UNAUTHORIZED_MESSAGE });
    }
  });

  it("identifies agents and humans", async () => {
    const s = await signup();
    const login = s.userInfo?.githubLogin as string;
    const me = await call("GET", "/api/user", { token: s.accessToken });
    expect(me.status).toBe(200);
    expect(UserResponse.parse(me.json)).toMatchObject({
      githubLogin: login,
      name: login,
      organizations: [{ githubLogin: login }],
      tokenInfo: { name: "agent-signup" },
      isAgent: true,
    });

    mock.addHumanUser("alice", "pul-human-alice", ["alice", "acme"]);
    const alice = await call("GET", "/api/user", { token: "pul-human-alice" });
    expect(UserResponse.parse(alice.json)).toMatchObject({
      githubLogin: "alice",
      organizations: [{ githubLogin: "alice" }, { githubLogin: "acme" }],
      tokenInfo: { name: "alice-token" },
      isAgent: false,
    });
  });

  it("active 72 h (write OK) → read-only (reads OK, writes 403) → locked after 30 d (401)", async () => {
    const s = await signup();
    const login = s.userInfo?.githubLogin as string;
    const agent = mock.state.agentByLogin(login)!;

    const w1 = await call("POST", `/api/stacks/${login}/proj/dev`, { token: s.accessToken, json: {} });
    expect(w1.status).toBe(200);
    expect(w1.json).toEqual({ orgName: login, projectName: "proj", stackName: "dev" });
    expect(mock.state.entitiesOf(login)).toEqual([{ kind: "stack", name: "proj/dev" }]);
    const dup = await call("POST", `/api/stacks/${login}/proj/dev`, { token: s.accessToken, json: {} });
    expect(dup.status).toBe(409);
    const otherOrg = await call("POST", `/api/stacks/someone-else/proj/dev`, { token: s.accessToken, json: {} });
    expect(otherOrg.status).toBe(403);

    mock.clock.advance(73 * HOUR_MS);
    expect(mock.state.phase(agent)).toBe("read-only");
    expect((await call("GET", "/api/user", { token: s.accessToken })).status).toBe(200);
    const w2 = await call("POST", `/api/stacks/${login}/proj/prod`, { token: s.accessToken, json: {} });
    expect(w2.status).toBe(403);
    expect(w2.json).toEqual({ code: 403, message: READ_ONLY_MESSAGE });
    expect(READ_ONLY_MESSAGE).toContain("read-only");
    expect((await call("GET", `/api/agents/signup/validate/${s.claimToken}`)).status).toBe(200);

    mock.clock.advance(30 * DAY_MS - 73 * HOUR_MS + HOUR_MS); // 31 d after signup
    expect(mock.state.phase(agent)).toBe("locked");
    expect((await call("GET", "/api/user", { token: s.accessToken })).json).toEqual({ code: 401, message: UNAUTHORIZED_MESSAGE });
    expect((await call("POST", `/api/stacks/${login}/proj/x`, { token: s.accessToken, json: {} })).status).toBe(401);
    const v = await call("GET", `/api/agents/signup/validate/${s.claimToken}`);
    expect(v.status).toBe(404);
    expect(v.json).toEqual({ code: 404, message: "claim token has expired" });
    expect(mock.state.entitiesOf(login)).toEqual([{ kind: "stack", name: "proj/dev" }]);
  });

  it("clock.set and reset move the mock's time", () => {
    mock.clock.set("2030-01-01T00:00:00Z");
    expect(Math.abs(mock.clock.now().getTime() - Date.parse("2030-01-01T00:00:00Z"))).toBeLessThan(60_000);
    mock.clock.reset();
    expect(mock.clock.offsetMs).toBe(0);
  });
});

describe("routing and stats", () => {
  it("answers 404 in the Go shape for unmatched routes and wrong methods", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["DELETE", "/api/user"],
      ["GET", "/api/agents/signup/validate/"],
      ["GET", "/api/agents/signup/validate/%E0%A4%A"],
    ] as const) {
      const res = await call(method, path);
      expect(res.status).toBe(404);
      expect(ErrorBody.parse(res.json).code).toBe(404);
    }
    expect(mock.stats.count("not-found")).toBe(4);
  });

  it("records requests, bodies and the Accept / User-Agent / Content-Type headers per route", async () => {
    const headers = { Accept: "application/vnd.pulumi+9", "User-Agent": "pulumi-cli/1 (v3.250.0; linux; agent=claude)", "Content-Type": "application/json" };
    await call("GET", "/api/agents/signup", { headers });
    await call("GET", "/api/agents/signup", { headers: { ...headers, "User-Agent": "other/2" } });
    await call("GET", "/api/user", { headers, token: "t0k" });

    expect(mock.stats.headersSeen.challenge).toEqual({
      accept: ["application/vnd.pulumi+9"],
      userAgent: ["pulumi-cli/1 (v3.250.0; linux; agent=claude)", "other/2"],
      contentType: ["application/json"],
    });
    expect(mock.stats.lastHeaders.challenge?.["user-agent"]).toBe("other/2");
    expect(mock.stats.lastHeaders.user?.authorization).toBe("token t0k");
    expect(mock.stats.requests.map((r) => `${r.method} ${r.path} ${r.route}`)).toEqual([
      "GET /api/agents/signup challenge",
      "GET /api/agents/signup challenge",
      "GET /api/user user",
    ]);

    await call("POST", "/api/agents/signup", { json: { challengeID: "x", challengeResult: "1" } });
    expect(mock.stats.of("signup")[0]?.body).toBe('{"challengeID":"x","challengeResult":"1"}');
    mock.stats.reset();
    expect(mock.stats.requests).toEqual([]);
    expect(mock.stats.count("challenge")).toBe(0);
  });

  it("exposes the console domain and claim URLs", async () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.consoleUrl).toBe(mock.url);
    expect(mock.consoleDomain).toBe(`127.0.0.1:${mock.port}`);
    expect(mock.claimUrl("abc_-1")).toBe(`${mock.url}/claim/abc_-1`);
    const other = await startMockCloud({ consoleUrl: "http://localhost:3000/" });
    try {
      expect(other.consoleDomain).toBe("localhost:3000");
      expect(other.claimUrl("t")).toBe("http://localhost:3000/claim/t");
    } finally {
      await other.close();
    }
  });

  it("close() is idempotent and frees the port", async () => {
    const other = await startMockCloud();
    await other.close();
    await other.close();
    await expect(fetch(`${other.url}/api/user`)).rejects.toThrow();
  });
});
