// The shared set-up of the end-to-end tests: one mock cloud per file, one isolated sandbox per test
// whose env points pulumi-agent at the mock (and the fake pulumi's record file).
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startMockCloud, type MockCloud, type MockCloudOptions } from "../../src/mock-cloud/server.js";
import { makeSandbox, type Sandbox } from "./sandbox.js";

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
