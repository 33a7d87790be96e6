// The proof of work is bounded: absurd difficulties are refused at once, a time budget ends a solve,
// and Ctrl-C cancels it — each leaving no files and no lock behind.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { startMockCloud, type MockCloud } from "../src/mock-cloud/server.js";
import { makeSandbox, type Sandbox } from "./support/sandbox.js";
import { runBin, startBin, waitFor } from "./support/run.js";

let mock: MockCloud;
let sb: Sandbox;
beforeAll(async () => {
  mock = await startMockCloud({ difficulty: 6 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(async () => {
  sb = await makeSandbox();
  Object.assign(sb.env, { AI_AGENT: "codex", PULUMI_BACKEND_URL: mock.url, PULUMI_CONSOLE_DOMAIN: mock.consoleDomain });
});
afterEach(async () => {
  mock.setDifficulty(6);
  await sb.cleanup();
});

/** Nothing but (possibly) an empty dir: no credentials, no claim, no temp file, no lock. */
function expectNothingLeft() {
  for (const dir of [sb.pulumiHome, sb.sharedDir]) {
    if (existsSync(dir)) expect(readdirSync(dir), dir).toEqual([]);
  }
}

describe("bounded proof of work", () => {
  it("an absurd difficulty is refused at once with a clear message", async () => {
    mock.setDifficulty(64);
    const signups = mock.stats.count("signup");
    const r = await runBin(["account", "bootstrap"], sb.env, { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing proof-of-work challenge with difficulty 64/);
    expect(mock.stats.count("signup")).toBe(signups);
    expectNothingLeft();
  });

  it("the time budget ends a long solve with a clear error", async () => {
    mock.setDifficulty(34);
    const r = await runBin(["account", "bootstrap"], { ...sb.env, PULUMI_AGENT_POW_BUDGET_MS: "400" }, { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400 ms/);
    expectNothingLeft();
  });

  it("Ctrl-C during the solve cancels it (exit 130), releases the lock and writes nothing", async () => {
    mock.setDifficulty(34);
    const before = mock.stats.count("challenge");
    const { child, done } = startBin(["account", "bootstrap"], sb.env, { timeoutMs: 30_000 });
    await waitFor(() => mock.stats.count("challenge") > before || undefined, 15_000, "the challenge request");
    await new Promise((r) => setTimeout(r, 300)); // let the workers start hashing
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled/);
    expectNothingLeft();
    // The lock is free: the next run signs up at once.
    mock.setDifficulty(6);
    const again = await runBin(["account", "bootstrap", "--json"], sb.env);
    expect(again.code, again.stderr).toBe(0);
    expect(path.basename(JSON.parse(again.stdout).storage.credentialsPath)).toBe("credentials.json");
  });
});
