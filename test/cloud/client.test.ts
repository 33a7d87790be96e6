// The REST client against the mock over loopback: headers, retries, Retry-After, timeouts,
// fallbacks, validation messages, the validate endpoint read as the Go CLI reads it, and refresh.
// Hostile answers (redirects, huge or slow bodies, odd values) are in hostile.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { CloudClient, goErrorBody, goPathEscape } from "../../src/cloud/client.js";
import { CloudError } from "../../src/cloud/errors.js";
import { startMockCloud, type MockCloud } from "../../src/mock-cloud/server.js";

let mock: MockCloud;
beforeAll(async () => {
  mock = await startMockCloud({ difficulty: 4 });
});
afterAll(async () => {
  await mock.close();
});
afterEach(() => mock.faults.clear());

const client = (o: Partial<ConstructorParameters<typeof CloudClient>[0]> = {}) =>
  new CloudClient({ baseUrl: `${mock.url}/`, userAgent: "pulumi-agent-test/1 (agent=test)", timeoutMs: 2000, retries: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 }, ...o });

async function rejection(p: Promise<unknown>): Promise<CloudError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CloudError);
  return err as CloudError;
}

describe("CloudClient", () => {
  it("sends the Pulumi headers", async () => {
    await client().getChallenge();
    const h = mock.stats.of("challenge").at(-1)!.headers;
    expect(h.accept).toBe("application/vnd.pulumi+9");
    expect(h["content-type"]).toBe("application/json");
    expect(h["user-agent"]).toBe("pulumi-agent-test/1 (agent=test)");
    expect(h.authorization).toBeUndefined(); // signup is unauthenticated
  });

  it("retries GETs on 5xx and succeeds", async () => {
    const before = mock.stats.count("challenge");
    mock.faults.add("challenge", { status: 502, times: 2 });
    const c = await client().getChallenge();
    expect(c.challengeData).toMatch(/^v1:.+:4$/);
    expect(mock.stats.count("challenge")).toBe(before + 3);
  });

  it("gives up after 4 attempts with the Go-style message", async () => {
    const before = mock.stats.count("challenge");
    mock.faults.add("challenge", { status: 500, sticky: true });
    const err = await rejection(client().getChallenge());
    expect(err.message).toBe("[500] injected fault: HTTP 500");
    expect(mock.stats.count("challenge")).toBe(before + 4);
  });

  it("honours Retry-After on 429 and refuses to wait longer than its maximum", async () => {
    const retries: number[] = [];
    mock.faults.add("challenge", { retryAfter: "0", times: 1 });
    await client({ onRetry: (i) => retries.push(i.delayMs) }).getChallenge();
    expect(retries).toEqual([0]);
    mock.faults.add("challenge", { retryAfter: "120", sticky: true });
    const err = await rejection(client().getChallenge());
    expect(err.kind).toBe("rate-limited");
  });

  it("falls back to /api/agents/signup/challenge on 404 and 405", async () => {
    for (const status of [404, 405]) {
      const alt = mock.stats.count("challenge-alt");
      mock.faults.add("challenge", { status, times: 1 });
      await client().getChallenge();
      expect(mock.stats.count("challenge-alt")).toBe(alt + 1);
    }
  });

  it("never retries the signup POST", async () => {
    const c = await client().getChallenge();
    const before = mock.stats.count("signup");
    mock.faults.add("signup", { status: 503, times: 1 });
    const err = await rejection(client().signup({ challengeID: c.challengeID, challengeResult: "0" }));
    expect(err.details.status).toBe(503);
    expect(mock.stats.count("signup")).toBe(before + 1);
  });

  it("times out a stalled request with a clear message", async () => {
    mock.faults.add("challenge", { delayMs: 1500, sticky: true });
    const err = await rejection(client({ timeoutMs: 200, retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).getChallenge());
    expect(err.kind).toBe("timeout");
    expect(err.message).toMatch(/timed out after 200 ms/);
  });

  it("reports dropped connections and partial bodies as network errors", async () => {
    mock.faults.add("challenge", { drop: true, sticky: true });
    expect((await rejection(client({ retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).getChallenge())).kind).toBe("network");
    mock.faults.clear();
    mock.faults.add("challenge", { partialBody: true, sticky: true });
    const err = await rejection(client({ retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).getChallenge());
    expect(["network", "malformed"]).toContain(err.kind);
  });

  it("names the missing field of a malformed answer", async () => {
    mock.faults.add("challenge", { json: { challengeID: "x" }, times: 1 });
    const err = await rejection(client().getChallenge());
    expect(err.message).toBe("the signup challenge response from /api/agents/signup did not include challengeData");
    mock.faults.add("challenge", { body: "<html>oops</html>", times: 1 });
    const html = await rejection(client().getChallenge());
    expect(html.message).toBe('the signup challenge response from /api/agents/signup is not valid JSON: "oops"');
    expect(html.kind).toBe("malformed");
    expect(html.code).toBe("cloud-malformed");
    expect(html.hint).toMatch(/PULUMI_BACKEND_URL/);
  });

  it("401 on /api/user is 'unauthorized' with the service message", async () => {
    const err = await rejection(client().getUser("pul-nope"));
    expect(err.kind).toBe("unauthorized");
    expect(err.message).toBe("[401] Unauthorized: No credentials provided or are invalid.");
  });

  it("a refused connection is a network error naming the server", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const err = await rejection(new CloudClient({ baseUrl: `http://127.0.0.1:${port}`, userAgent: "t", retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).getChallenge());
    expect(err.kind).toBe("network");
    expect(err.message).toBe(`could not reach http://127.0.0.1:${port} (GET /api/agents/signup): ECONNREFUSED`);
  });
});

describe("validateClaim reads answers as the Go CLI's tests do", () => {
  const once = () => client({ retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
  const json = { "Content-Type": "application/json" };

  it("the mock's real answers: 200 claimable with details, 404 not claimable, blank without a request", async () => {
    const agent = mock.createAgent();
    const v = await once().validateClaim(agent.claimToken, { details: true });
    expect(v).toEqual({ claimable: true, details: expect.objectContaining({ agent: expect.objectContaining({ login: agent.login }) }) });
    // Without asking for the details (a diagnosis), only the verdict.
    expect(await once().validateClaim(agent.claimToken)).toEqual({ claimable: true });
    expect(await once().validateClaim("no-such-token")).toEqual({ claimable: false });
    const before = mock.stats.count("validate");
    expect(await once().validateClaim("  ")).toEqual({ claimable: false });
    expect(mock.stats.count("validate")).toBe(before);
  });

  it.each([
    ["an empty 200", { status: 200, body: "" }],
    ["an HTML 200", { status: 200, body: "<html><title>ok</title></html>" }],
    ["a JSON 200 of another shape", { status: 200, json: { hello: "world" } }],
    ["a 204", { status: 204, body: "" }],
  ])("%s is claimable, without details", async (_name, fault) => {
    const agent = mock.createAgent();
    mock.faults.add("validate", fault);
    expect(await once().validateClaim(agent.claimToken, { details: true })).toEqual({ claimable: true });
  });

  it.each([
    ["an empty 404", { status: 404, body: "" }],
    ["an HTML 404", { status: 404, body: "<html><body>Not Found</body></html>" }],
    ["a Go 404", { status: 404, json: { code: 404, message: "claim token not found" } }],
    ["a JSON array 404 (Go cannot decode it: the status counts)", { status: 404, body: "[1]", headers: json }],
    ["a 404 whose code is a string (Go cannot decode it: the status counts)", { status: 404, json: { code: "404" } }],
  ])("%s is not claimable", async (_name, fault) => {
    const agent = mock.createAgent();
    mock.faults.add("validate", fault);
    expect(await once().validateClaim(agent.claimToken)).toEqual({ claimable: false });
  });

  it.each([
    ["a JSON 404 without code", { status: 404, json: { message: "gone" } }, "http"],
    ["a JSON 404 with another code", { status: 404, json: { code: 400, message: "bad" } }, "http"],
    ["a null 404 (code 0)", { status: 404, body: "null", headers: json }, "http"],
    ["a 401", { status: 401 }, "unauthorized"],
    ["a 500", { status: 500 }, "http"],
  ])("%s is an error", async (_name, fault, kind) => {
    const agent = mock.createAgent();
    mock.faults.add("validate", fault);
    const err = await rejection(once().validateClaim(agent.claimToken));
    expect(err.kind).toBe(kind);
    expect(err.message).not.toContain(agent.claimToken);
  });

  it("escapes the claim token like Go's url.PathEscape", async () => {
    expect(goPathEscape("abc_-.~XYZ019")).toBe("abc_-.~XYZ019");
    expect(goPathEscape("$&+:=@")).toBe("$&+:=@");
    expect(goPathEscape("a b/c?d;e,f#g%h")).toBe("a%20b%2Fc%3Fd%3Be%2Cf%23g%25h");
    expect(goPathEscape("!*'()")).toBe("%21%2A%27%28%29");
    expect(goPathEscape("é")).toBe("%C3%A9");
    await once().validateClaim("a+b=/c!");
    expect(mock.stats.of("validate").at(-1)?.path).toBe("/api/agents/signup/validate/a+b=%2Fc%21");
  });

  it("goErrorBody decodes like Go's json.Unmarshal into {code, message}", () => {
    expect(goErrorBody('{"code":404,"message":"x"}')).toEqual({ code: 404, message: "x" });
    expect(goErrorBody('{"Code":404}')).toEqual({ code: 404, message: "" });
    expect(goErrorBody("null")).toEqual({ code: 0, message: "" });
    expect(goErrorBody("{}")).toEqual({ code: 0, message: "" });
    expect(goErrorBody('{"code":null,"message":null}')).toEqual({ code: 0, message: "" });
    for (const bad of ["", "<html>", "[]", '"x"', "1", '{"code":"404"}', '{"code":4.5}', '{"message":7}', '{"code":404} x']) {
      expect(goErrorBody(bad), bad).toBeUndefined();
    }
  });
});

describe("refresh", () => {
  let rmock: MockCloud;
  beforeAll(async () => {
    rmock = await startMockCloud({ refreshTokens: { accessTtlMs: 60_000 } });
  });
  afterAll(async () => {
    await rmock.close();
  });
  afterEach(() => rmock.faults.clear());
  const rclient = (now?: () => number) =>
    new CloudClient({ baseUrl: rmock.url, userAgent: "pulumi-agent-test/1", timeoutMs: 2000, retries: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 }, ...(now ? { now } : {}) });

  it("posts the form, returns the new access token, its expiry and the rotated refresh token", async () => {
    const agent = rmock.createAgent();
    const rt = agent.refreshToken as string;
    const now = Date.parse("2031-02-03T04:05:06.000Z");
    const r = await rclient(() => now).refresh(rt);
    expect(r.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.expiresAt).toBe("2031-02-03T04:06:06.000Z");
    expect(r.refreshToken).toMatch(/^pul-refresh-/);
    expect(r.refreshToken).not.toBe(rt);
    expect(r.dropped).toEqual([]);
    const seen = rmock.stats.of("oauth-token").at(-1)!;
    expect(seen.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toBe(`grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`);
    expect(rmock.stats.refreshes).toBe(1);
    const me = await rclient().getUser(r.accessToken);
    expect(me.login).toBe(agent.login);
  });

  it("a used or revoked refresh token is refused (400 invalid_grant), without the token in the message", async () => {
    const agent = rmock.createAgent();
    const rt = agent.refreshToken as string;
    await rclient().refresh(rt);
    const reused = await rejection(rclient().refresh(rt));
    expect(reused.kind).toBe("refresh-refused");
    expect(reused.code).toBe("cloud-refresh-refused");
    expect(reused.details).toMatchObject({ status: 400, oauthError: "invalid_grant" });
    expect(reused.message).toBe(`${rmock.url} refused the refresh token (HTTP 400 invalid_grant).`);
    expect(reused.hint).toMatch(/account status/);
    const current = agent.refreshToken as string;
    expect(rmock.state.revokeToken(current)).toBe(true);
    expect((await rejection(rclient().refresh(current))).kind).toBe("refresh-refused");
  });

  it("401 is a refusal; another 400 and a 5xx are plain errors, never retried", async () => {
    const rt = rmock.createAgent().refreshToken as string;
    rmock.faults.add("oauth-token", { status: 401 });
    expect((await rejection(rclient().refresh(rt))).kind).toBe("refresh-refused");
    rmock.faults.add("oauth-token", { status: 400, json: { error: "invalid_request", error_description: "nope" } });
    const other = await rejection(rclient().refresh(rt));
    expect(other.kind).toBe("http");
    const before = rmock.stats.count("oauth-token");
    rmock.faults.add("oauth-token", { status: 503, sticky: true });
    expect((await rejection(rclient().refresh(rt))).details.status).toBe(503);
    expect(rmock.stats.count("oauth-token")).toBe(before + 1);
  });

  it("expires_in <= 0 gives no expiry, an empty refresh_token none, odd values are dropped by name", async () => {
    const rt = rmock.createAgent().refreshToken as string;
    rmock.faults.add("oauth-token", { json: { access_token: "new-token", expires_in: 0, refresh_token: "" } });
    expect(await rclient().refresh(rt)).toEqual({ accessToken: "new-token", dropped: [] });
    rmock.faults.add("oauth-token", { json: { access_token: "new-token", expires_in: "3600", refresh_token: 42 } });
    expect(await rclient().refresh(rt)).toEqual({
      accessToken: "new-token",
      dropped: [
        { field: "expires_in", problem: "is not a number" },
        { field: "refresh_token", problem: "is not a string" },
      ],
    });
    rmock.faults.add("oauth-token", { json: { access_token: "bad token\r\n", expires_in: 60 } });
    const bad = await rejection(rclient().refresh(rt));
    expect(bad.kind).toBe("malformed");
    expect(bad.message).toBe("the token refresh response from /api/oauth/token has an unusable access_token (is not printable ASCII without spaces)");
    rmock.faults.add("oauth-token", { body: "access_token=pul-secret-123456&x=1" });
    const form = await rejection(rclient().refresh(rt));
    expect(form.message).toBe("the token refresh response from /api/oauth/token is not valid JSON");
  });
});
