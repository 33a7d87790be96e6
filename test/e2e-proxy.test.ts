// Proxy support: signup traffic goes through HTTP(S)_PROXY, and NO_PROXY is honoured.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockCloud, type MockCloud } from "../src/mock-cloud/server.js";
import { makeSandbox, type Sandbox } from "./support/sandbox.js";
import { startProxy, type TestProxy } from "./support/proxy.js";
import { runBin } from "./support/run.js";

let mock: MockCloud;
let proxy: TestProxy;
let sb: Sandbox;

beforeAll(async () => {
  mock = await startMockCloud({ difficulty: 6 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(async () => {
  sb = await makeSandbox();
  proxy = await startProxy(sb.root);
  Object.assign(sb.env, { AI_AGENT: "codex", PULUMI_BACKEND_URL: mock.url, PULUMI_CONSOLE_DOMAIN: mock.consoleDomain });
});
afterEach(async () => {
  await proxy.close();
  await sb.cleanup();
});

describe("HTTP proxy", () => {
  it("signup goes through HTTP_PROXY / HTTPS_PROXY", async () => {
    const r = await runBin(["account", "bootstrap", "--json"], { ...sb.env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).created).toBe(true);
    const host = new URL(mock.url).host;
    // challenge, signup and /api/user all went through the proxy
    expect(proxy.targets().filter((t) => t === host).length, `${proxy.kind}: ${proxy.targets().join(",")}`).toBeGreaterThanOrEqual(1);
  });

  it("NO_PROXY bypasses it", async () => {
    const r = await runBin(["account", "bootstrap", "--json"], { ...sb.env, HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.targets()).toEqual([]);
  });

  it("a dead proxy is a clear network error, not a hang", async () => {
    await proxy.close();
    const r = await runBin(["account", "bootstrap"], { ...sb.env, HTTP_PROXY: proxy.url, PULUMI_AGENT_RETRY_BASE_MS: "10" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not reach/);
    proxy = await startProxy(sb.root); // for afterEach
  });
});
