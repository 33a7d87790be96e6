// The service's answers read field by field: only the tokens a caller cannot do without are
// required; every other field is judged alone, dropped by name (never by value) when unusable.
import { describe, expect, it } from "vitest";
import { droppedLines, readRefreshAnswer, readSignupAnswer, readUserAnswer, tokenProblem } from "../../src/cloud/answers.js";
import { redact } from "../../src/log/debug.js";

const TOKENS = { accessToken: "pul-agent-0123456789abcdef", claimToken: "claim_TOKEN-123" };

function signup(extra: Record<string, unknown>) {
  const r = readSignupAnswer({ ...TOKENS, ...extra });
  if (!r.ok) throw new Error(`refused: ${r.field} ${r.problem}`);
  return r.value;
}

describe("tokens", () => {
  it("must be printable ASCII without spaces", () => {
    for (const good of ["a", "pul-abc", "eyJ.a.b", "x!#$%&'()*+,-./:;<=>?@[]^_`{|}~"]) expect(tokenProblem(good), good).toBeUndefined();
    expect(tokenProblem("")).toBe("is empty");
    expect(tokenProblem(42)).toBe("is not a string");
    expect(tokenProblem(null)).toBe("is not a string");
    for (const bad of ["a b", "a\r\nb", "tab\t", "é", "a\u0000", "\u007f", "zero\u200bwidth"]) {
      expect(tokenProblem(bad), JSON.stringify(bad)).toBe("is not printable ASCII without spaces");
    }
    expect(tokenProblem("a".repeat(8193))).toBe("is longer than 8192 characters");
  });
});

describe("readSignupAnswer", () => {
  it("a full answer: times normalized, user read", () => {
    expect(
      signup({
        accessTokenValidUntil: "2030-01-01 00:00:00Z",
        claimTokenValidUntil: "2030-01-31T00:00:00+01:00",
        refreshToken: "pul-refresh-abcdef",
        userInfo: { githubLogin: "agent-1", organizations: [{ githubLogin: "agent-1" }], isAgent: true, email: "" },
      }),
    ).toEqual({
      ...TOKENS,
      accessTokenValidUntil: "2030-01-01T00:00:00.000Z",
      claimTokenValidUntil: "2030-01-30T23:00:00.000Z",
      refreshToken: "pul-refresh-abcdef",
      user: { login: "agent-1", organizations: ["agent-1"], isAgent: true },
      dropped: [],
    });
  });

  it("only the two tokens: usable, nothing dropped", () => {
    expect(signup({})).toEqual({ ...TOKENS, dropped: [] });
  });

  it.each([
    ["accessToken", undefined, "did not include", "is missing"],
    ["accessToken", "", "did not include", "is missing"],
    ["accessToken", null, "did not include", "is missing"],
    ["accessToken", 12345678, "unusable", "is not a string"],
    ["accessToken", "pul-x\r\nInjected: 1", "unusable", "is not printable ASCII without spaces"],
    ["accessToken", "pul-é", "unusable", "is not printable ASCII without spaces"],
    ["claimToken", undefined, "did not include", "is missing"],
    ["claimToken", "a b", "unusable", "is not printable ASCII without spaces"],
    ["claimToken", ["x"], "unusable", "is not a string"],
  ])("%s = %j refuses the answer", (field, value, _how, problem) => {
    const body: Record<string, unknown> = { ...TOKENS };
    if (value === undefined) delete body[field];
    else body[field] = value;
    // A refused access token still hands back the usable claim token: the account exists.
    const salvage = field === "accessToken" ? { claimToken: TOKENS.claimToken } : {};
    expect(readSignupAnswer(body)).toEqual({ ok: false, field, problem, ...salvage });
  });

  it("a body that is not an object is refused", () => {
    for (const body of [null, [], "x", 1, true]) expect(readSignupAnswer(body)).toEqual({ ok: false, field: "(body)", problem: "is not a JSON object" });
  });

  it.each([
    [{ accessTokenValidUntil: "2030-13-01T00:00:00Z" }, "accessTokenValidUntil", "is not a valid RFC 3339 time"],
    [{ accessTokenValidUntil: 1893456000 }, "accessTokenValidUntil", "is not a string"],
    [{ accessTokenValidUntil: "0001-01-01T00:00:00Z" }, "accessTokenValidUntil", "is the zero time"],
    [{ claimTokenValidUntil: "" }, "claimTokenValidUntil", "is not a valid RFC 3339 time"],
    [{ claimTokenValidUntil: {} }, "claimTokenValidUntil", "is not a string"],
    [{ refreshToken: 42 }, "refreshToken", "is not a string"],
    [{ refreshToken: "rt with space" }, "refreshToken", "is not printable ASCII without spaces"],
    [{ userInfo: "agent-1" }, "userInfo", "is not an object"],
    [{ userInfo: [] }, "userInfo", "is not an object"],
    [{ userInfo: { githubLogin: "", organizations: [] } }, "userInfo.githubLogin", "is empty"],
    [{ userInfo: { githubLogin: 7 } }, "userInfo.githubLogin", "is not a string"],
    [{ userInfo: { githubLogin: "a\u001b[31m" } }, "userInfo.githubLogin", "contains control characters"],
    [{ userInfo: { githubLogin: "x".repeat(300) } }, "userInfo.githubLogin", "is longer than 256 characters"],
    [{ userInfo: { githubLogin: "a", organizations: {} } }, "userInfo.organizations", "is not a list"],
    [{ userInfo: { githubLogin: "a", organizations: ["a"] } }, "userInfo.organizations[0]", "is not an object"],
    [{ userInfo: { githubLogin: "a", organizations: [{ githubLogin: "" }] } }, "userInfo.organizations[0].githubLogin", "is empty"],
    [{ userInfo: { githubLogin: "a", isAgent: "yes" } }, "userInfo.isAgent", "is not true or false"],
  ])("%j: dropped by name, the answer still usable", (extra, field, problem) => {
    const answer = signup(extra);
    expect(answer.accessToken).toBe(TOKENS.accessToken);
    expect(answer.claimToken).toBe(TOKENS.claimToken);
    expect(answer.dropped).toContainEqual({ field, problem });
    const key = field.split(/[.[]/)[0] as string;
    if (!key.startsWith("userInfo")) expect(answer).not.toHaveProperty(key);
  });

  it("null means absent (as in Go), an empty refreshToken is none: nothing reported", () => {
    expect(signup({ accessTokenValidUntil: null, claimTokenValidUntil: null, refreshToken: "", userInfo: null })).toEqual({ ...TOKENS, dropped: [] });
    expect(signup({ userInfo: { githubLogin: "a", organizations: null, tokenInfo: null } })).toEqual({
      ...TOKENS,
      user: { login: "a", organizations: [] },
      dropped: [],
    });
  });

  it("every odd value at once: both tokens kept, every problem listed", () => {
    const answer = signup({
      accessTokenValidUntil: "soon",
      claimTokenValidUntil: false,
      refreshToken: 1,
      userInfo: { githubLogin: "", organizations: [null, { githubLogin: "ok-org" }, { githubLogin: 3 }], tokenInfo: [] },
    });
    expect(answer).toEqual({
      ...TOKENS,
      user: { organizations: ["ok-org"] },
      dropped: [
        { field: "accessTokenValidUntil", problem: "is not a valid RFC 3339 time" },
        { field: "claimTokenValidUntil", problem: "is not a string" },
        { field: "refreshToken", problem: "is not a string" },
        { field: "userInfo.githubLogin", problem: "is empty" },
        { field: "userInfo.organizations[0]", problem: "is not an object" },
        { field: "userInfo.organizations[2].githubLogin", problem: "is not a string" },
        { field: "userInfo.tokenInfo", problem: "is not an object" },
      ],
    });
  });

  it("debug lines name fields, never values, and survive the redactor unchanged", () => {
    const secret = "pul-leaky-value-0123456789";
    const answer = signup({ refreshToken: `${secret} x`, accessTokenValidUntil: secret, userInfo: { githubLogin: `${secret}\n` } });
    const lines = droppedLines("signup answer", answer.dropped);
    expect(lines).toEqual([
      "signup answer: ignored accessTokenValidUntil (is not a valid RFC 3339 time)",
      "signup answer: ignored refreshToken (is not printable ASCII without spaces)",
      "signup answer: ignored userInfo.githubLogin (contains control characters)",
    ]);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(redact(line)).toBe(line);
    }
  });
});

describe("readUserAnswer", () => {
  it("returns what is usable", () => {
    expect(
      readUserAnswer({
        githubLogin: "alice",
        organizations: [{ githubLogin: "alice" }, { githubLogin: "acme" }, { githubLogin: "acme" }],
        tokenInfo: { name: "alice-token", organization: "acme", team: "" },
      }),
    ).toEqual({
      ok: true,
      value: {
        login: "alice",
        organizations: ["alice", "acme"],
        tokenInfo: { name: "alice-token", organization: "acme" },
        dropped: [{ field: "tokenInfo.team", problem: "is empty" }],
      },
    });
  });

  it("no login, null organizations, an odd tokenInfo: still an answer", () => {
    expect(readUserAnswer({ organizations: null, tokenInfo: { name: 5 } })).toEqual({
      ok: true,
      value: {
        organizations: [],
        tokenInfo: { name: "" },
        dropped: [
          { field: "githubLogin", problem: "is missing" },
          { field: "tokenInfo.name", problem: "is not a string" },
        ],
      },
    });
    expect(readUserAnswer({ githubLogin: "" }).ok).toBe(true);
    expect(readUserAnswer([])).toEqual({ ok: false, field: "(body)", problem: "is not a JSON object" });
  });
});

describe("readRefreshAnswer", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");
  it("expires_in → expiresAt; absent, zero or negative → no expiry", () => {
    expect(readRefreshAnswer({ access_token: "at", expires_in: 3600, refresh_token: "rt", token_type: "bearer" }, now)).toEqual({
      ok: true,
      value: { accessToken: "at", expiresAt: "2030-01-01T01:00:00.000Z", refreshToken: "rt", dropped: [] },
    });
    for (const expires_in of [0, -5, undefined, null]) {
      expect(readRefreshAnswer({ access_token: "at", expires_in }, now)).toEqual({ ok: true, value: { accessToken: "at", dropped: [] } });
    }
    expect(readRefreshAnswer({ access_token: "at", expires_in: 1e300 }, now)).toEqual({
      ok: true,
      value: { accessToken: "at", dropped: [{ field: "expires_in", problem: "is out of range" }] },
    });
  });

  it("needs a usable access_token", () => {
    expect(readRefreshAnswer({ expires_in: 60 }, now)).toEqual({ ok: false, field: "access_token", problem: "is missing" });
    expect(readRefreshAnswer({ access_token: "a\nb" }, now)).toEqual({ ok: false, field: "access_token", problem: "is not printable ASCII without spaces" });
  });
});
