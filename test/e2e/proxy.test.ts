// Proxy support: signup traffic goes through HTTP(S)_PROXY, and NO_PROXY is honoured.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useAgentContext } from "../support/context.js";
import { startProxy, type TestProxy } from "../support/proxy.js";
import { runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 6 }, env: () => ({ AI_AGENT: "codex" }) });
let proxy: TestProxy;
beforeEach(async () => {
  proxy = await startProxy(ctx.sb.root);
});
afterEach(async () => {
  await proxy.close();
});

describe("HTTP proxy", () => {
  it("signup goes through HTTP_PROXY / HTTPS_PROXY", async () => {
    const r = await runBin(["account", "bootstrap", "--json"], { ...ctx.sb.env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).created).toBe(true);
    const host = new URL(ctx.mock.url).host;
    // challenge, signup and /api/user all went through the proxy
    expect(proxy.targets().filter((t) => t === host).length, `${proxy.kind}: ${proxy.targets().join(",")}`).toBeGreaterThanOrEqual(1);
  });

  it("NO_PROXY bypasses it", async () => {
    const r = await runBin(["account", "bootstrap", "--json"], { ...ctx.sb.env, HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.targets()).toEqual([]);
  });

  it("a dead proxy is a clear network error, not a hang", async () => {
    await proxy.close();
    const r = await runBin(["account", "bootstrap"], { ...ctx.sb.env, HTTP_PROXY: proxy.url, PULUMI_AGENT_RETRY_BASE_MS: "10" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not reach/);
    proxy = await startProxy(ctx.sb.root); // for afterEach
  });
});
