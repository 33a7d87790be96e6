// The library entry, as an Automation API program would use it: a real child process importing the
// built package by name, with a scrubbed environment.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startMockCloud, type MockCloud } from "../src/mock-cloud/server.js";
import { REPO_ROOT, makeSandbox, type Sandbox } from "./support/sandbox.js";
import { runBin } from "./support/run.js";

let mock: MockCloud;
let sb: Sandbox;
let script: string;

beforeAll(async () => {
  mock = await startMockCloud({ difficulty: 6 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(async () => {
  sb = await makeSandbox();
  // A tiny "Automation API program" that resolves `pulumi-agent` like an installed dependency.
  const app = path.join(sb.root, "app");
  mkdirSync(path.join(app, "node_modules"), { recursive: true });
  symlinkSync(REPO_ROOT, path.join(app, "node_modules", "pulumi-agent"));
  script = path.join(app, "program.mjs");
  writeFileSync(
    script,
    `import { ensureCredentials, getAccountStatus } from "pulumi-agent";
const messages = [];
const opts = process.env.DECLARE_AGENT ? { agentName: process.env.DECLARE_AGENT } : {};
const creds = await ensureCredentials({ ...opts, onMessage: (t) => messages.push(t) });
const status = await getAccountStatus();
process.stdout.write(JSON.stringify({ creds, status, messages }));
`,
  );
  Object.assign(sb.env, { PULUMI_BACKEND_URL: mock.url, PULUMI_CONSOLE_DOMAIN: mock.consoleDomain });
});
afterEach(async () => {
  await sb.cleanup();
});

const run = async (env: NodeJS.ProcessEnv) => {
  const r = await runBin([], env, { command: [process.execPath, script] });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("ensureCredentials", () => {
  it("under an agent: creates the account once, reports the claim link, and reuses it", async () => {
    const env = { ...sb.env, CLAUDECODE: "1" };
    const first = await run(env);
    expect(first.creds).toMatchObject({ created: true, credentials: "agent-account", isAgentAccount: true, cloudUrl: mock.url, envVars: {} });
    const agent = mock.state.agents().at(-1)!;
    expect(first.creds.claimUrl).toBe(mock.claimUrl(agent.claimToken));
    expect(first.messages.join("")).toContain(first.creds.claimUrl);
    expect(first.status.username).toBe(agent.login);
    const second = await run(env);
    expect(second.creds.created).toBe(false);
    expect(second.creds.username).toBe(agent.login);
    expect(mock.state.agents().filter((a) => a.login === agent.login)).toHaveLength(1);
  });

  it("returns PULUMI_CREDENTIALS_PATH in envVars when the account lives in the shared dir", async () => {
    writeFileSync(path.join(sb.root, "blocker"), "");
    const out = await run({ ...sb.env, CLAUDECODE: "1", PULUMI_HOME: path.join(sb.root, "blocker", ".pulumi") });
    expect(out.creds.envVars).toEqual({ PULUMI_CREDENTIALS_PATH: sb.sharedDir });
  });

  it("for a human, creates nothing unless the caller declares an agent", async () => {
    const requests = mock.stats.requests.length;
    const human = await run(sb.env);
    expect(human.creds).toMatchObject({ created: false, credentials: "none" });
    expect(mock.stats.requests.length).toBe(requests);
    const declared = await run({ ...sb.env, DECLARE_AGENT: "my-automation" });
    expect(declared.creds.created).toBe(true);
    expect(mock.state.agents().at(-1)!.agentName).toBe("my-automation");
  });

  it("PULUMI_AGENT_DISABLE=1 opts out even under an agent", async () => {
    const out = await run({ ...sb.env, CLAUDECODE: "1", PULUMI_AGENT_DISABLE: "1" });
    expect(out.creds).toMatchObject({ created: false, credentials: "none" });
  });
});
