// The REST client against the mock over loopback: retries, Retry-After, timeouts, fallbacks, and
// validation messages (reference §1.4).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { CloudClient } from "../src/cloud/client.js";
import { CloudError } from "../src/cloud/errors.js";
import { startMockCloud, type MockCloud } from "../src/mock-cloud/server.js";

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
    expect((await rejection(client().getChallenge())).message).toMatch(/is not valid JSON: "<html>oops<\/html>"/);
  });

  it("401 on /api/user is 'unauthorized' with the service message", async () => {
    const err = await rejection(client().getUser("pul-nope"));
    expect(err.kind).toBe("unauthorized");
    expect(err.message).toBe("[401] Unauthorized: No credentials provided or are invalid.");
  });

  it("validate: 200 claimable, Go 404 not claimable, other errors thrown", async () => {
    const agent = mock.createAgent();
    expect((await client().validateClaim(agent.claimToken)).claimable).toBe(true);
    expect((await client().validateClaim("no-such-token")).claimable).toBe(false);
    expect((await client().validateClaim("  ")).claimable).toBe(false);
    mock.faults.add("validate", { status: 404, body: "not json", times: 1 });
    await rejection(client({ retries: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }).validateClaim(agent.claimToken));
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
