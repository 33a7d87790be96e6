// The shared set-up of the end-to-end tests: one mock cloud per file, one isolated sandbox per test
// whose env points pulumi-agent at the mock (and the fake pulumi's record file).
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { startMockCloud, type MockCloud, type MockCloudOptions } from "../../src/mock-cloud/server.js";
import { makeSandbox, type Sandbox } from "./sandbox.js";
import { runBin } from "./run.js";

export interface AgentTestContext {
  mock: MockCloud;
  sb: Sandbox;
  /** The fake pulumi's JSON-lines record file (FAKE_PULUMI_RECORD). */
  record: string;
}

export function useAgentContext(o: { mock?: MockCloudOptions; env?: (mock: MockCloud) => NodeJS.ProcessEnv } = {}): AgentTestContext {
  const ctx = {} as AgentTestContext;
  beforeAll(async () => {
    ctx.mock = await startMockCloud(o.mock ?? {});
  });
  afterAll(async () => {
    await ctx.mock.close();
  });
  beforeEach(async () => {
    ctx.sb = await makeSandbox();
    ctx.record = path.join(ctx.sb.root, "record.jsonl");
    Object.assign(ctx.sb.env, {
      PULUMI_BACKEND_URL: ctx.mock.url,
      PULUMI_CONSOLE_DOMAIN: ctx.mock.consoleDomain,
      PULUMI_AGENT_RETRY_BASE_MS: "10",
      FAKE_PULUMI_RECORD: ctx.record,
      ...o.env?.(ctx.mock),
    });
  });
  afterEach(async () => {
    ctx.mock.clock.reset();
    ctx.mock.faults.clear();
    ctx.mock.setDifficulty(o.mock?.difficulty ?? 8);
    await ctx.sb.cleanup();
  });
  return ctx;
}

export const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

/** `account bootstrap --json` (no pulumi run) as if it happened `agoMs` ago on the service's clock. */
export async function bootstrapAgo(ctx: AgentTestContext, agoMs: number) {
  ctx.mock.clock.set(new Date(Date.now() - agoMs));
  const r = await runBin(["account", "bootstrap", "--json"], ctx.sb.env);
  ctx.mock.clock.reset();
  expect(r.code, r.stderr).toBe(0);
  return { doc: JSON.parse(r.stdout), agent: ctx.mock.state.agents().at(-1)! };
}
