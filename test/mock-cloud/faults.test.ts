// Fault injection over a real socket: each mode must reach a real HTTP client the way a broken
// server or network would (status + Retry-After, malformed JSON, truncated body, delay, dropped
// connection), and rules must be consumed exactly as declared.
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChallengeResponse } from "../../src/cloud/protocol.js";
import { MALFORMED_JSON_BODY } from "../../src/mock-cloud/faults.js";
import { startMockCloud, type MockCloud } from "../../src/mock-cloud/server.js";

let mock: MockCloud;

beforeEach(async () => {
  mock = await startMockCloud();
});
afterEach(async () => {
  await mock.close();
});

const challengeUrl = () => `${mock.url}/api/agents/signup`;

/** Raw node:http GET, to see exactly how a response ends (no fetch-level retries or wrapping). */
function rawGet(url: string): Promise<{ status: number | undefined; received: string; outcome: "end" | "error" | "aborted"; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let received = "";
      let settled = false;
      const done = (outcome: "end" | "error" | "aborted", error?: string) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode, received, outcome, ...(error ? { error } : {}) });
      };
      res.setEncoding("utf8");
      res.on("data", (c: string) => (received += c));
      res.on("end", () => done("end"));
      res.on("aborted", () => done("aborted"));
      res.on("error", (e) => done("error", e.message));
      res.on("close", () => done(res.complete ? "end" : "aborted"));
    });
    req.on("error", (e) => resolve({ status: undefined, received: "", outcome: "error", error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

describe("faults", () => {
  it("status + Retry-After for `times` requests, then the real answer", async () => {
    const handle = mock.faults.add("challenge", { status: 429, retryAfter: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(challengeUrl());
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toEqual({ code: 429, message: "injected fault: HTTP 429" });
    }
    expect(handle.applied).toBe(2);
    expect(handle.remaining).toBe(0);
    expect(mock.faults.pending()).toBe(0);
    const ok = await fetch(challengeUrl());
    expect(ok.status).toBe(200);
    ChallengeResponse.parse(await ok.json());
    expect(mock.stats.of("challenge").map((r) => r.faulted)).toEqual([true, true, false]);
  });

  it("Retry-After alone implies 429; custom JSON and raw bodies are sent verbatim", async () => {
    mock.faults.add("user", { retryAfter: "Wed, 21 Oct 2037 07:28:00 GMT" });
    mock.faults.add("user", { status: 503, json: { code: 503, message: "maintenance" }, headers: { "X-Test": "1" } });
    mock.faults.add("user", { status: 502, body: "<html>Bad Gateway</html>", headers: { "Content-Type": "text/html" } });
    const a = await fetch(`${mock.url}/api/user`);
    expect([a.status, a.headers.get("retry-after")]).toEqual([429, "Wed, 21 Oct 2037 07:28:00 GMT"]);
    const b = await fetch(`${mock.url}/api/user`);
    expect([b.status, b.headers.get("x-test"), await b.json()]).toEqual([503, "1", { code: 503, message: "maintenance" }]);
    const c = await fetch(`${mock.url}/api/user`);
    expect([c.status, c.headers.get("content-type"), await c.text()]).toEqual([502, "text/html", "<html>Bad Gateway</html>"]);
    expect((await fetch(`${mock.url}/api/user`)).status).toBe(401);
  });

  it("malformed JSON: a JSON content type with a body that does not parse", async () => {
    mock.faults.add("challenge", { malformedJson: true });
    const res = await fetch(challengeUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    expect(text).toBe(MALFORMED_JSON_BODY);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("partial body: the client gets half the promised bytes and then an error", async () => {
    mock.faults.add("challenge", { partialBody: true, json: { challengeID: "abcdefgh", challengeData: "v1:abcdefgh:8" } });
    const raw = await rawGet(challengeUrl());
    expect(raw.status).toBe(200);
    expect(raw.outcome).toBe("aborted");
    const full = JSON.stringify({ challengeID: "abcdefgh", challengeData: "v1:abcdefgh:8" });
    expect(raw.received).toBe(full.slice(0, Math.floor(full.length / 2)));

    mock.faults.add("challenge", { partialBody: true });
    const res = await fetch(challengeUrl());
    await expect(res.text()).rejects.toThrow();
  });

  it("drop: the connection closes with no response", async () => {
    mock.faults.add("signup", { drop: true });
    const raw = await new Promise<string>((resolve) => {
      const req = request(challengeUrl(), { method: "POST", agent: false }, () => resolve("got a response"));
      req.on("error", (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
      req.end('{"challengeID":"x","challengeResult":"1"}');
    });
    expect(raw).toBe("ECONNRESET");
    // The request and its body were still recorded.
    expect(mock.stats.of("signup")).toMatchObject([{ body: '{"challengeID":"x","challengeResult":"1"}', faulted: true }]);

    mock.faults.add("challenge", { drop: true });
    await expect(fetch(challengeUrl())).rejects.toThrow(TypeError);
  });

  it("delay: the real answer arrives after the delay; a client timeout fires first on a long one", async () => {
    mock.faults.add("challenge", { delayMs: 100 });
    const res = await fetch(challengeUrl());
    expect(res.status).toBe(200);
    ChallengeResponse.parse(await res.json());

    mock.faults.add("challenge", { delayMs: 60_000 });
    await expect(fetch(challengeUrl(), { signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    // close() must not wait for the pending delay (afterEach would time out otherwise).
  });

  it("delay combined with a status answers with that status", async () => {
    mock.faults.add("user", { delayMs: 50, status: 500 });
    const res = await fetch(`${mock.url}/api/user`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 500, message: "injected fault: HTTP 500" });
  });

  it("sticky rules apply until removed; '*' and route lists match as declared", async () => {
    const sticky = mock.faults.add(["challenge", "challenge-alt"], { status: 503, sticky: true });
    for (let i = 0; i < 3; i++) expect((await fetch(challengeUrl())).status).toBe(503);
    expect((await fetch(`${mock.url}/api/agents/signup/challenge`)).status).toBe(503);
    expect((await fetch(`${mock.url}/api/user`)).status).toBe(401);
    expect(sticky.remaining).toBe(Infinity);
    expect(sticky.applied).toBe(4);
    sticky.remove();
    expect((await fetch(challengeUrl())).status).toBe(200);

    mock.faults.add("*", { status: 418 });
    expect((await fetch(`${mock.url}/nothing`)).status).toBe(418);
    expect((await fetch(`${mock.url}/nothing`)).status).toBe(404);

    mock.faults.add("user", { status: 500, times: 5 });
    expect(mock.faults.pending("user")).toBe(1);
    mock.faults.clear();
    expect(mock.faults.pending()).toBe(0);
    expect(() => mock.faults.add("nope" as "user", { status: 500 })).toThrow("unknown mock route: nope");
    expect(() => mock.faults.add("user", { status: 500, times: 0 })).toThrow(RangeError);
  });

  it("a faulted signup creates no account", async () => {
    mock.setChallengeData("v1:abc:12");
    const c = ChallengeResponse.parse(await (await fetch(challengeUrl())).json());
    mock.faults.add("signup", { status: 500 });
    const body = JSON.stringify({ challengeID: c.challengeID, challengeResult: "4815" });
    const post = () => fetch(challengeUrl(), { method: "POST", body, headers: { "Content-Type": "application/json" } });
    expect((await post()).status).toBe(500);
    expect(mock.stats.signups).toBe(0);
    expect(mock.state.agents()).toEqual([]);
    // The challenge was not consumed by the faulted attempt.
    expect((await post()).status).toBe(200);
    expect(mock.stats.signups).toBe(1);
  });
});
