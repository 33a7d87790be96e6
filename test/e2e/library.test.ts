// The library entry, as an Automation API program would use it: a real child process importing the
// built package by name, with a scrubbed environment.
import { beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 6 } });
let script: string;

beforeEach(() => {
  // A tiny "Automation API program" that resolves `pulumi-agent` like an installed dependency.
  const app = path.join(ctx.sb.root, "app");
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
});

const run = async (env: NodeJS.ProcessEnv) => {
  const r = await runBin([], env, { command: [process.execPath, script] });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("ensureCredentials", () => {
  it("under an agent: creates the account once, reports the claim link, and reuses it", async () => {
    const env = { ...ctx.sb.env, CLAUDECODE: "1" };
    const first = await run(env);
    expect(first.creds).toMatchObject({ created: true, credentials: "agent-account", isAgentAccount: true, cloudUrl: ctx.mock.url, envVars: {} });
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(first.creds.claimUrl).toBe(ctx.mock.claimUrl(agent.claimToken));
    expect(first.messages.join("")).toContain(first.creds.claimUrl);
    expect(first.status.username).toBe(agent.login);
    const second = await run(env);
    expect(second.creds.created).toBe(false);
    expect(second.creds.username).toBe(agent.login);
    expect(ctx.mock.state.agents().filter((a) => a.login === agent.login)).toHaveLength(1);
  });

  it("returns PULUMI_CREDENTIALS_PATH in envVars when the account lives in the shared dir", async () => {
    writeFileSync(path.join(ctx.sb.root, "blocker"), "");
    const out = await run({ ...ctx.sb.env, CLAUDECODE: "1", PULUMI_HOME: path.join(ctx.sb.root, "blocker", ".pulumi") });
    expect(out.creds.envVars).toEqual({ PULUMI_CREDENTIALS_PATH: ctx.sb.sharedDir });
  });

  it("for a human, creates nothing unless the caller declares an agent", async () => {
    const requests = ctx.mock.stats.requests.length;
    const human = await run(ctx.sb.env);
    expect(human.creds).toMatchObject({ created: false, credentials: "none" });
    expect(ctx.mock.stats.requests.length).toBe(requests);
    const declared = await run({ ...ctx.sb.env, DECLARE_AGENT: "my-automation" });
    expect(declared.creds.created).toBe(true);
    expect(ctx.mock.state.agents().at(-1)!.agentName).toBe("my-automation");
  });

  it("PULUMI_AGENT_DISABLE=1 opts out even under an agent", async () => {
    const out = await run({ ...ctx.sb.env, CLAUDECODE: "1", PULUMI_AGENT_DISABLE: "1" });
    expect(out.creds).toMatchObject({ created: false, credentials: "none" });
  });
});
