// End to end: the built bin, the mock cloud over loopback, the fake pulumi, real processes and files.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { BIN, FAKE_PULUMI, type Sandbox } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { readRecords, runBin, startBin, waitFor } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 8 }, env: () => ({ CLAUDECODE: "1", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }) });

const signupsNow = () => ctx.mock.state.agents().length;
const credsFile = () => path.join(ctx.sb.pulumiHome, "credentials.json");
const claimFile = () => path.join(ctx.sb.pulumiHome, "agent-claim.json");

describe("first and second run", () => {
  it("signs up once, stores Go-shaped files, hands the credentials to pulumi, then reuses them", async () => {
    const before = signupsNow();
    const first = await runBin(["whoami"], ctx.sb.env);
    expect(first.stderr).toContain("pulumi: created an agent account on Pulumi Cloud so this work persists.\nClaim within 30 days to take ownership.\n");
    expect(first.code).toBe(0);
    expect(signupsNow()).toBe(before + 1);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(first.stdout).toBe(`${agent.login}\n`);
    expect(first.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));

    const creds = JSON.parse(readFileSync(credsFile(), "utf8"));
    expect(creds.current).toBe(ctx.mock.url);
    expect(creds.accessTokens[ctx.mock.url]).toBe(agent.accessToken);
    expect(creds.accounts[ctx.mock.url]).toMatchObject({ accessToken: agent.accessToken, username: agent.login });
    expect(readFileSync(credsFile(), "utf8")).not.toMatch(/\n$/); // Go's MarshalIndent: no trailing newline
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
    const claim = JSON.parse(readFileSync(claimFile(), "utf8"));
    expect(claim).toMatchObject({ claimUrl: ctx.mock.claimUrl(agent.claimToken), claimToken: agent.claimToken, cloudUrl: ctx.mock.url });

    const [rec1] = readRecords(ctx.record);
    expect(rec1.token).toBe(agent.accessToken);
    // The Go CLI's name for Claude Code on the wire (our own name, claude-code, stays in doctor and debug output).
    expect(agent.agentName).toBe("claude");

    const challengesBefore = ctx.mock.stats.count?.("challenge") ?? undefined;
    const second = await runBin(["whoami"], ctx.sb.env);
    expect(second.code).toBe(0);
    expect(signupsNow()).toBe(before + 1);
    expect(second.stdout).toBe(`${agent.login}\n`);
    expect(second.stderr).not.toContain("created an agent account");
    expect(second.stderr).toContain(`pulumi-agent: using agent account ${agent.login}`);
    expect(second.stderr).toContain(`PULUMI_EPHEMERAL_AGENT_ACCOUNT\nCLAIM_URL=${ctx.mock.claimUrl(agent.claimToken)}\nEPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN=`);
    if (challengesBefore !== undefined) expect(ctx.mock.stats.count("challenge")).toBe(challengesBefore);
    expect(readRecords(ctx.record)[1]!.token).toBe(agent.accessToken);
  });

  it("stores in the shared dir when the default dir is unusable, and points pulumi at it", async () => {
    // PULUMI_HOME below a regular file: not creatable, even for root.
    writeFileSync(path.join(ctx.sb.root, "blocker"), "");
    ctx.sb.env.PULUMI_HOME = path.join(ctx.sb.root, "blocker", ".pulumi");
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code).toBe(0);
    const shared = path.join(ctx.sb.sharedDir, "credentials.json");
    expect(existsSync(shared)).toBe(true);
    expect(statSync(ctx.sb.sharedDir).mode & 0o777).toBe(0o700);
    const [rec] = readRecords(ctx.record);
    expect(rec.env.PULUMI_CREDENTIALS_PATH).toBe(ctx.sb.sharedDir);
    expect(rec.token).toBe(ctx.mock.state.agents().at(-1)!.accessToken);
  });
});

describe("existing credentials win", () => {
  it("a human run makes no request and reads no credentials", async () => {
    delete ctx.sb.env.CLAUDECODE;
    // A FIFO as credentials.json: anyone who reads it blocks forever.
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    execFileSync("mkfifo", [credsFile()]);
    const requests = ctx.mock.stats.requests.length;
    // /bin/true stands in for pulumi: it reads nothing, so only the wrapper could block on the FIFO.
    const r = await runBin(["up", "--yes"], { ...ctx.sb.env, PULUMI_AGENT_PULUMI_BIN: "/bin/true" }, { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(ctx.mock.stats.requests.length).toBe(requests);
  });

  it("PULUMI_ACCESS_TOKEN wins: no signup, the child sees the env token", async () => {
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(["version"], { ...ctx.sb.env, PULUMI_ACCESS_TOKEN: "pul-from-env" });
    expect(r.code).toBe(0);
    const r2 = await runBin(["up", "--yes"], { ...ctx.sb.env, PULUMI_ACCESS_TOKEN: "pul-from-env" });
    expect(r2.code).toBe(0);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(readRecords(ctx.record).at(-1)!.token).toBe("pul-from-env");
    expect(existsSync(credsFile())).toBe(false);
  });

  it("an existing login in the default credentials file wins", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const existing = JSON.stringify({ current: ctx.mock.url, accessTokens: { [ctx.mock.url]: "pul-human" }, accounts: { [ctx.mock.url]: { accessToken: "pul-human", username: "alice", lastValidatedAt: "2026-11-22T00:00:00Z" } } }, null, 4);
    writeFileSync(credsFile(), existing);
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(["preview"], ctx.sb.env);
    expect(r.code).toBe(0);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(readRecords(ctx.record)[0]!.token).toBe("pul-human");
    expect(readFileSync(credsFile(), "utf8")).toBe(existing);
  });
});

describe("concurrency", () => {
  it("8 concurrent cold runs create exactly one account and all children use it", async () => {
    const before = signupsNow();
    const runs = await Promise.all(Array.from({ length: 8 }, () => runBin(["whoami"], ctx.sb.env, { timeoutMs: 120_000 })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(signupsNow()).toBe(before + 1);
    const token = ctx.mock.state.agents().at(-1)!.accessToken;
    const recs = readRecords(ctx.record);
    expect(recs).toHaveLength(8);
    for (const rec of recs) expect(rec.token).toBe(token);
    expect(runs.filter((r) => r.stderr.includes("created an agent account"))).toHaveLength(1);
  }, 180_000);
});

describe("bad input loses nothing", () => {
  it("a corrupt credentials.json stays byte-identical and the error names it", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const garbage = '{"accounts": {"https://api.pulumi.com": {"accessToken": "x"'; // truncated JSON
    writeFileSync(credsFile(), garbage);
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(credsFile());
    expect(readFileSync(credsFile(), "utf8")).toBe(garbage);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(readRecords(ctx.record)).toHaveLength(0);
  });

  it.each([
    ["PULUMI_BACKEND_URL=file://", (s: Sandbox) => ({ PULUMI_BACKEND_URL: `file://${s.root}/state` }), []],
    ["Pulumi.yaml backend.url", (s: Sandbox) => {
      writeFileSync(path.join(s.root, "Pulumi.yaml"), `name: p\nruntime: nodejs\nbackend:\n  url: file://${s.root}/state\n`);
      return { PULUMI_BACKEND_URL: "" };
    }, []],
    ["Pulumi.yaml via --cwd", (s: Sandbox) => {
      mkdirSync(path.join(s.root, "proj"));
      writeFileSync(path.join(s.root, "proj", "Pulumi.yaml"), `name: p\nbackend:\n  url: s3://bucket/state\n`);
      return { PULUMI_BACKEND_URL: "" };
    }, ["--cwd", "proj"]],
  ])("DIY backend via %s never signs up", async (_n, setup, extra) => {
    const extraEnv = setup(ctx.sb);
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin([...extra, "stack", "ls"], { ...ctx.sb.env, ...extraEnv }, { cwd: ctx.sb.root });
    expect(r.code).toBe(0);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(existsSync(credsFile())).toBe(false);
    expect(existsSync(path.join(ctx.sb.sharedDir, "credentials.json"))).toBe(false);
  });

  it.each([
    ["a 500 on every challenge attempt", () => ctx.mock.faults.add("challenge", { status: 500, sticky: true }), /\[500\]/],
    ["a malformed signup body", () => ctx.mock.faults.add("signup", { malformedJson: true }), /signup response .*not valid JSON/],
    // (With a usable claim token the account exists and its link is kept: see transaction.test.ts.)
    ["a signup body without any token", () => ctx.mock.faults.add("signup", { status: 200, json: { claimTokenValidUntil: "2030-01-01T00:00:00Z", accessTokenValidUntil: "2030-01-01T00:00:00Z" } }), /did not include accessToken/],
    ["a 429 with a long Retry-After", () => ctx.mock.faults.add("challenge", { status: 429, retryAfter: "3600", sticky: true }), /rate limit/],
  ])("%s → a clear error and no partial files", async (_name, inject, message) => {
    const handle = inject();
    try {
      const r = await runBin(["up"], ctx.sb.env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(existsSync(credsFile())).toBe(false);
      expect(existsSync(claimFile())).toBe(false);
      const leftovers = existsSync(ctx.sb.pulumiHome) ? readdirSync(ctx.sb.pulumiHome).filter((f) => !f.startsWith(".pulumi-agent.lock")) : [];
      expect(leftovers).toEqual([]);
      expect(readRecords(ctx.record)).toHaveLength(0);
    } finally {
      ctx.mock.faults.clear?.();
      void handle;
    }
  });
});

describe("running pulumi", () => {
  it("exit codes propagate", async () => {
    const r = await runBin(["version"], { ...ctx.sb.env, FAKE_PULUMI_EXIT: "7" });
    expect(r.code).toBe(7);
  });

  it("a signal death propagates as the same signal", async () => {
    const r = await runBin(["version"], { ...ctx.sb.env, FAKE_PULUMI_KILL_SELF: "SIGTERM" });
    expect(r.signal).toBe("SIGTERM");
  });

  it("SIGTERM reaches the child", async () => {
    const { child, done } = startBin(["version"], { ...ctx.sb.env, FAKE_PULUMI_SLEEP_MS: "20000" });
    await waitFor(() => readRecords(ctx.record).length > 0 || undefined, 15_000, "the fake pulumi to start");
    child.kill("SIGTERM");
    const r = await done;
    expect(r.code).toBe(143);
    const recs = readRecords(ctx.record);
    expect(recs.some((rec) => rec.signal === "SIGTERM")).toBe(true);
  });

  it("stdout is byte-identical to the child's", async () => {
    const payload = '{"a": 1}\n\u00e9\u65e5\r\n\tno newline at end';
    const env = { ...ctx.sb.env, FAKE_PULUMI_STDOUT: payload };
    const wrapped = await runBin(["version"], env);
    const direct = spawnSync(FAKE_PULUMI, ["version"], { env });
    expect(wrapped.stdoutBytes.equals(direct.stdout)).toBe(true);
    expect(wrapped.stdout).toContain(payload);
    // …also on the agent path, where we print reminders (to stderr only)
    const agentRun = await runBin(["preview", "--json"], env);
    const directAgent = spawnSync(FAKE_PULUMI, ["preview", "--json"], { env: { ...env, PULUMI_ACCESS_TOKEN: ctx.mock.state.agents().at(-1)!.accessToken } });
    expect(agentRun.stdoutBytes.equals(directAgent.stdout)).toBe(true);
  });

  it("a `pulumi` symlink to us on PATH does not recurse", async () => {
    const selfDir = path.join(ctx.sb.root, "self");
    const realDir = path.join(ctx.sb.root, "real");
    mkdirSync(selfDir);
    mkdirSync(realDir);
    symlinkSync(BIN, path.join(selfDir, "pulumi"));
    symlinkSync(FAKE_PULUMI, path.join(realDir, "pulumi"));
    const env: NodeJS.ProcessEnv = { ...ctx.sb.env, PATH: `${selfDir}:${realDir}:${process.env.PATH}` };
    delete env.PULUMI_AGENT_PULUMI_BIN;
    const r = await runBin(["version"], env, { command: [path.join(selfDir, "pulumi")] });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("v3.999.0\n");
  });

  it("a wrapper script named pulumi that calls us is caught by the guard", async () => {
    const selfDir = path.join(ctx.sb.root, "wrap");
    const realDir = path.join(ctx.sb.root, "real");
    mkdirSync(selfDir);
    mkdirSync(realDir);
    const script = path.join(selfDir, "pulumi");
    // The script does not name us, so only the exec guard can tell that it leads back to pulumi-agent.
    writeFileSync(script, `#!/bin/sh\nexec "$WRAP_NODE" "$WRAP_TARGET" "$@"\n`);
    chmodSync(script, 0o755);
    symlinkSync(FAKE_PULUMI, path.join(realDir, "pulumi"));
    const env: NodeJS.ProcessEnv = { ...ctx.sb.env, PATH: `${selfDir}:${realDir}:${process.env.PATH}`, WRAP_NODE: process.execPath, WRAP_TARGET: BIN };
    delete env.PULUMI_AGENT_PULUMI_BIN;
    const r = await runBin(["version"], env, { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("v3.999.0\n");
  });

  it("no pulumi at all: a clear message, and account bootstrap still works", async () => {
    const selfDir = path.join(ctx.sb.root, "self");
    mkdirSync(selfDir);
    symlinkSync(BIN, path.join(selfDir, "pulumi"));
    const env: NodeJS.ProcessEnv = { ...ctx.sb.env, PATH: `${selfDir}:${path.dirname(process.execPath)}` };
    delete env.PULUMI_AGENT_PULUMI_BIN;
    const r = await runBin(["version"], env);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/could not find the Pulumi CLI.*PULUMI_AGENT_PULUMI_BIN/s);
    const b = await runBin(["account", "bootstrap", "--json"], env);
    expect(b.code, b.stderr).toBe(0);
    const doc = JSON.parse(b.stdout);
    expect(doc).toMatchObject({ created: true, credentials: "agent-account", cloudUrl: ctx.mock.url });
    expect(b.stderr).toContain(doc.claimUrl);
  });
});

describe("files we must not write", () => {
  it("an encrypted credentials.json ($pulumiSecureStore) is left to pulumi, byte-identical, with no signup", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const envelope = JSON.stringify({ $pulumiSecureStore: 1, backend: "linux-secretservice", algo: "aes-256-gcm", nonce: "bm9uY2U=", data: "ZGF0YQ==" }, null, 4);
    writeFileSync(credsFile(), envelope);
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(["preview"], ctx.sb.env);
    expect(r.code).toBe(0); // pulumi ran (it may be able to decrypt it)
    expect(readRecords(ctx.record)).toHaveLength(1);
    expect(readFileSync(credsFile(), "utf8")).toBe(envelope);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(existsSync(path.join(ctx.sb.sharedDir, "credentials.json"))).toBe(false);
  });

  it("an empty credentials.json at an explicit PULUMI_HOME is not written: the account goes to the shared dir", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(credsFile(), "");
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(credsFile(), "utf8")).toBe("");
    expect(existsSync(path.join(ctx.sb.sharedDir, "credentials.json"))).toBe(true);
    expect(readRecords(ctx.record)[0]!.env.PULUMI_CREDENTIALS_PATH).toBe(ctx.sb.sharedDir);
  });
});

describe("one claim block, never two", () => {
  it("a Pulumi CLI ≥ 3.243 does not print its own block next to ours for a shared-dir account", async () => {
    // The account lives in the shared dir (created while the default dir was unusable).
    writeFileSync(path.join(ctx.sb.root, "blocker"), "");
    const first = await runBin(["account", "bootstrap"], { ...ctx.sb.env, PULUMI_HOME: path.join(ctx.sb.root, "blocker", ".pulumi") });
    expect(first.code, first.stderr).toBe(0);
    // Now no explicit PULUMI_HOME: a Go CLI in agent mode would fall back to the shared dir by itself.
    const env: NodeJS.ProcessEnv = { ...ctx.sb.env, FAKE_PULUMI_GO_CLAIM_BLOCK: "1" };
    delete env.PULUMI_HOME;
    const direct = await runBin(["preview"], env, { command: [FAKE_PULUMI] });
    expect(direct.stderr.match(/PULUMI_EPHEMERAL_AGENT_ACCOUNT/g)).toHaveLength(1); // the emulation prints its block
    const wrapped = await runBin(["preview"], env);
    expect(wrapped.code, wrapped.stderr).toBe(0);
    expect(wrapped.stderr.match(/PULUMI_EPHEMERAL_AGENT_ACCOUNT/g)).toHaveLength(1);
    expect(wrapped.stderr).toContain("EPHEMERAL_ACCOUNT_ACCESS_EXPIRES_IN="); // and it is ours
  });
});

describe("PULUMI_AGENT_DEBUG", () => {
  it("traces the signup on stderr with every token redacted, stdout untouched", async () => {
    const r = await runBin(["whoami"], { ...ctx.sb.env, PULUMI_AGENT_DEBUG: "1" });
    expect(r.code, r.stderr).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(r.stderr).toMatch(/pulumi-agent\[debug\]: agent detected: claude-code/);
    expect(r.stderr).toMatch(/pulumi-agent\[debug\]: proof of work solved: nonce \d+/);
    expect(r.stderr).toMatch(/pulumi-agent\[debug\]: signed up as agent-\w+; .*token \[redacted\]/);
    expect(r.stderr).not.toContain(agent.accessToken);
    expect(r.stdout).toBe(`${agent.login}\n`);
  });
});

describe("`--`", () => {
  it("passes everything after it to pulumi, even our own command word", async () => {
    const r = await runBin(["--", "account", "status"], { ...ctx.sb.env, PULUMI_ACCESS_TOKEN: "pul-env-token-123" });
    expect(r.code, r.stderr).toBe(0);
    expect(readRecords(ctx.record)[0]!.argv).toEqual(["account", "status"]);
  });
});

describe("who gets an account", () => {
  it.each([
    ["PULUMI_AGENT_DISABLE=1 under Claude Code", { PULUMI_AGENT_DISABLE: "1" }],
    ["AI_AGENT=none under Claude Code", { AI_AGENT: "none" }],
    ["a human in Cursor's terminal (weak markers only)", { CLAUDECODE: "", CURSOR_TRACE_ID: "abc", TERM_PROGRAM: "vscode" }],
    ["a human who exported Copilot/Goose configuration", { CLAUDECODE: "", COPILOT_MODEL: "gpt-5", GOOSE_PROVIDER: "openai" }],
  ])("%s: pure passthrough, no request, no file", async (_name, extra) => {
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(["up", "--yes"], { ...ctx.sb.env, ...extra });
    expect(r.stderr).not.toContain("pulumi-agent");
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(existsSync(credsFile())).toBe(false);
    expect(readRecords(ctx.record)).toHaveLength(1); // pulumi itself ran
  });

  it("a human's current login (another cloud) is never switched by the agent account", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const other = "https://api.corp.example";
    writeFileSync(credsFile(), JSON.stringify({ current: other, accessTokens: { [other]: "pul-corp" }, accounts: { [other]: { accessToken: "pul-corp", username: "dana", lastValidatedAt: "0001-01-01T00:00:00Z" } } }, null, 4));
    const r = await runBin(["whoami"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    const creds = JSON.parse(readFileSync(credsFile(), "utf8"));
    expect(creds.current).toBe(other);
    expect(creds.accounts[other]).toEqual({ accessToken: "pul-corp", username: "dana", lastValidatedAt: "0001-01-01T00:00:00Z" });
    expect(creds.accounts[ctx.mock.url].username).toBe(ctx.mock.state.agents().at(-1)!.login);
  });
});
