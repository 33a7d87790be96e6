// The fake `pulumi` used by end-to-end tests: it must resolve the cloud URL and token like the Go CLI,
// record what it saw, honour its knobs exactly, die by signals on request, and never leave loopback.
// Children are spawned asynchronously: the mock cloud runs in this process and must keep answering.
import { spawn } from "node:child_process";
import { chmod, copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR_MS, DAY_MS, READ_ONLY_MESSAGE, startMockCloud, UNAUTHORIZED_MESSAGE, type MockCloud } from "../src/mock-cloud/server.js";
import { FAKE_PULUMI, makeSandbox, type Sandbox } from "./support/sandbox.js";

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

let mock: MockCloud;
let sb: Sandbox;
let recordFile: string;

beforeEach(async () => {
  mock = await startMockCloud();
  sb = await makeSandbox();
  recordFile = path.join(sb.root, "record.jsonl");
  sb.env["FAKE_PULUMI_RECORD"] = recordFile;
});
afterEach(async () => {
  await mock.close();
  await sb.cleanup();
});

function run(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; bin?: string; onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...sb.env, ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(opts.bin ?? FAKE_PULUMI, args, { env, cwd: opts.cwd ?? sb.root });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      opts.onStdout?.(c, child);
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid as number }));
  });
}

/** An env overlay that removes variables the sandbox sets (run() drops undefined values). */
function without(...keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.map((k) => [k, undefined]));
}

async function records(): Promise<Record<string, unknown>[]> {
  const text = await readFile(recordFile, "utf8");
  return text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function writeCreds(dir: string, creds: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "credentials.json"), JSON.stringify(creds, null, 4));
}

describe("fake pulumi: basics and recording", () => {
  it("`version` prints exactly v3.999.0 and records argv, cwd, resolution and selected env", async () => {
    const r = await run(["version", "--some-flag"], { env: { FOO_UNRELATED: "x", CLAUDECODE: "1", PULUMI_AGENT_DEBUG: "1" } });
    expect(r).toMatchObject({ code: 0, signal: null, stdout: "v3.999.0\n", stderr: "" });
    const [rec, ...rest] = await records();
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      event: "run",
      argv: ["version", "--some-flag"],
      cwd: sb.root,
      cloudUrl: "http://127.0.0.1:9",
      cloudUrlSource: "PULUMI_API",
      token: null,
      tokenSource: null,
      credentialsFile: null,
      agent: "claude",
      pid: r.pid,
    });
    const env = rec?.["env"] as Record<string, string>;
    expect(env["PULUMI_HOME"]).toBe(sb.pulumiHome);
    expect(env["PULUMI_AGENT_DEBUG"]).toBe("1");
    expect(env["FAKE_PULUMI_RECORD"]).toBeUndefined();
    expect(env["CLAUDECODE"]).toBe("1");
    expect(env["FOO_UNRELATED"]).toBeUndefined();
  });

  it("works by name through a PATH symlink, and as a copy together with fake-pulumi.mjs", async () => {
    await symlink(FAKE_PULUMI, path.join(sb.binDir, "pulumi"));
    const viaPath = await run(["version"], { bin: "pulumi", env: { PATH: `${sb.binDir}${path.delimiter}${process.env["PATH"]}` } });
    expect(viaPath).toMatchObject({ code: 0, stdout: "v3.999.0\n" });

    const copyDir = path.join(sb.root, "copy");
    await mkdir(copyDir);
    await copyFile(FAKE_PULUMI, path.join(copyDir, "pulumi"));
    await chmod(path.join(copyDir, "pulumi"), 0o755);
    const lone = await run(["version"], { bin: path.join(copyDir, "pulumi") });
    expect(lone.code).toBe(70);
    expect(lone.stderr).toMatch(/^fake pulumi: cannot load fake-pulumi\.mjs: /);
    await copyFile(path.join(path.dirname(FAKE_PULUMI), "fake-pulumi.mjs"), path.join(copyDir, "fake-pulumi.mjs"));
    expect(await run(["version"], { bin: path.join(copyDir, "pulumi") })).toMatchObject({ code: 0, stdout: "v3.999.0\n" });
  });

  it("`--json` commands print the fixed document; knobs override stdout, stderr and the exit status", async () => {
    const up = await run(["up", "--yes", "--json", "-s", "dev"]);
    expect(up).toMatchObject({ code: 0, stdout: '{"fake":"pulumi","command":"up","result":"succeeded"}\n', stderr: "" });
    const init = await run(["stack", "init", "dev", "--json"]);
    expect(init.stdout).toBe('{"fake":"pulumi","command":"stack init dev","result":"succeeded"}\n');
    expect((await run(["preview"])).stdout).toBe("");

    const knobs = await run(["up", "--json"], {
      env: { FAKE_PULUMI_STDOUT: "exact\nbytes \u00e9", FAKE_PULUMI_STDERR: "warn: x\n", FAKE_PULUMI_EXIT: "7" },
    });
    expect(knobs).toMatchObject({ code: 7, signal: null, stdout: "exact\nbytes \u00e9", stderr: "warn: x\n" });
    const bad = await run(["up"], { env: { FAKE_PULUMI_EXIT: "seven" } });
    expect(bad).toMatchObject({ code: 2, stderr: "error: fake pulumi: FAKE_PULUMI_EXIT must be an integer, got 'seven'\n" });
  });
});

describe("fake pulumi: credential resolution", () => {
  it("PULUMI_ACCESS_TOKEN + PULUMI_BACKEND_URL (one trailing slash trimmed)", async () => {
    const agent = mock.createAgent();
    const r = await run(["whoami"], { env: { PULUMI_ACCESS_TOKEN: agent.accessToken, PULUMI_BACKEND_URL: `${mock.url}/` } });
    expect(r).toMatchObject({ code: 0, stdout: `${agent.login}\n`, stderr: "" });
    expect((await records())[0]).toMatchObject({ cloudUrl: mock.url, cloudUrlSource: "PULUMI_BACKEND_URL", token: agent.accessToken, tokenSource: "env" });
    expect(mock.stats.lastHeaders.user).toMatchObject({
      authorization: `token ${agent.accessToken}`,
      accept: "application/vnd.pulumi+9",
      "content-type": "application/json",
      "user-agent": `pulumi-cli/1 (v3.999.0; ${process.platform}; cmd=whoami)`,
    });
    const json = await run(["whoami", "--json"], { env: { PULUMI_ACCESS_TOKEN: agent.accessToken, PULUMI_BACKEND_URL: mock.url } });
    expect(json.stdout).toBe(`${JSON.stringify({ user: agent.login, organizations: [agent.login], url: mock.url })}\n`);
  });

  it("Pulumi.yaml backend.url (from cwd upwards, --cwd, -C) with the token from PULUMI_HOME accounts", async () => {
    mock.addHumanUser("alice", "pul-alice");
    const project = path.join(sb.root, "proj");
    await mkdir(path.join(project, "sub"), { recursive: true });
    await writeFile(path.join(project, "Pulumi.yaml"), `name: webapp\nruntime: nodejs\nbackend:\n  url: "${mock.url}" # comment\n`);
    await writeCreds(sb.pulumiHome, { current: "http://127.0.0.1:9", accounts: { [mock.url]: { accessToken: "pul-alice", username: "alice" } } });

    for (const [args, cwd] of [
      [["whoami"], path.join(project, "sub")],
      [["--cwd", project, "whoami"], sb.root],
      [["-C", project, "whoami"], sb.root],
      [[`--cwd=${project}`, "whoami"], sb.root],
    ] as const) {
      const r = await run([...args], { cwd });
      expect(r).toMatchObject({ code: 0, stdout: "alice\n" });
    }
    const recs = await records();
    expect(recs.map((r) => [r["cloudUrl"], r["cloudUrlSource"], r["tokenSource"], r["credentialsFile"]])).toEqual(
      Array(4).fill([mock.url, "project", "credentials", path.join(sb.pulumiHome, "credentials.json")]),
    );
    expect(recs[1]?.["projectDir"]).toBe(project);
  });

  it("`current` in credentials.json with the legacy accessTokens map; PULUMI_CREDENTIALS_PATH beats PULUMI_HOME", async () => {
    mock.addHumanUser("bob", "pul-bob");
    mock.addHumanUser("carol", "pul-carol");
    await writeCreds(sb.pulumiHome, { current: mock.url, accessTokens: { [mock.url]: "pul-bob" } });
    const r1 = await run(["whoami"]);
    expect(r1).toMatchObject({ code: 0, stdout: "bob\n" });

    const credsPath = path.join(sb.root, "creds-path");
    await writeCreds(credsPath, { current: mock.url, accessTokens: { [mock.url]: "pul-bob" }, accounts: { [mock.url]: { accessToken: "pul-carol" } } });
    const r2 = await run(["whoami"], { env: { PULUMI_CREDENTIALS_PATH: credsPath } });
    expect(r2).toMatchObject({ code: 0, stdout: "carol\n" });
    const recs = await records();
    expect(recs.map((r) => [r["cloudUrlSource"], r["credentialsFile"]])).toEqual([
      ["credentials", path.join(sb.pulumiHome, "credentials.json")],
      ["credentials", path.join(credsPath, "credentials.json")],
    ]);
  });

  it("falls back to the agent dir only for agents without PULUMI_HOME / PULUMI_CREDENTIALS_PATH", async () => {
    const agent = mock.createAgent();
    await writeCreds(sb.sharedDir, { current: mock.url, accounts: { [mock.url]: { accessToken: agent.accessToken } } });
    const base = { ...without("PULUMI_HOME"), PULUMI_BACKEND_URL: mock.url };

    const asAgent = await run(["whoami"], { env: { ...base, AI_AGENT: " Codex " } });
    expect(asAgent).toMatchObject({ code: 0, stdout: `${agent.login}\n` });
    const asHuman = await run(["whoami"], { env: base });
    expect(asHuman.code).toBe(255);
    const withHome = await run(["whoami"], { env: { ...base, CLAUDECODE: "1", PULUMI_HOME: sb.pulumiHome } });
    expect(withHome.code).toBe(255);
    const recs = await records();
    expect(recs.map((r) => [r["agent"], r["tokenSource"], r["credentialsFile"]])).toEqual([
      ["codex", "agent-credentials", path.join(sb.sharedDir, "credentials.json")],
      ["", null, null],
      ["claude", null, null],
    ]);
  });

  it("never uses the agent file under an explicit path, even when the default file is broken", async () => {
    const agent = mock.createAgent();
    await writeCreds(sb.sharedDir, { current: mock.url, accounts: { [mock.url]: { accessToken: agent.accessToken } } });
    const credsPath = path.join(sb.root, "broken");
    await mkdir(credsPath);
    await writeFile(path.join(credsPath, "credentials.json"), "{ not json");
    // Explicit paths disable the agent fallback: the agent file's `current` and token are ignored.
    const explicit = await run(["version"], { env: { ...without("PULUMI_HOME"), PULUMI_CREDENTIALS_PATH: credsPath, CLAUDECODE: "1" } });
    expect(explicit.code).toBe(0);
    expect((await records())[0]).toMatchObject({ cloudUrl: "http://127.0.0.1:9", cloudUrlSource: "PULUMI_API", tokenSource: null });
  });

  it("PULUMI_API, then https://api.pulumi.com, which it refuses to contact", async () => {
    const viaApi = await run(["whoami"], { env: { PULUMI_API: mock.url, PULUMI_ACCESS_TOKEN: "pul-nobody" } });
    expect(viaApi).toMatchObject({ code: 3, stdout: "", stderr: `error: [401] ${UNAUTHORIZED_MESSAGE}\n` });

    const requestsBefore = mock.stats.requests.length;
    const real = await run(["whoami"], { env: { ...without("PULUMI_API"), PULUMI_ACCESS_TOKEN: "pul-x" } });
    expect(real).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: fake pulumi refuses to contact 'https://api.pulumi.com': only http://127.0.0.1 or http://localhost URLs are allowed\n",
    });
    const other = await run(["whoami"], { env: { PULUMI_BACKEND_URL: "http://example.com:8080", PULUMI_ACCESS_TOKEN: "pul-x" } });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("refuses to contact 'http://example.com:8080'");
    expect(mock.stats.requests.length).toBe(requestsBefore);
    const recs = await records();
    expect(recs.map((r) => [r["cloudUrl"], r["cloudUrlSource"]])).toEqual([
      [mock.url, "PULUMI_API"],
      ["https://api.pulumi.com", "default"],
      ["http://example.com:8080", "PULUMI_BACKEND_URL"],
    ]);
  });

  it("unreachable or malformed servers: exit 1 with an error line", async () => {
    const refused = await run(["whoami"], { env: { PULUMI_ACCESS_TOKEN: "pul-x" } });
    expect(refused).toMatchObject({ code: 1, stdout: "", stderr: "error: failed to contact http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\n" });
    mock.faults.add("user", { malformedJson: true });
    const malformed = await run(["whoami"], { env: { PULUMI_ACCESS_TOKEN: "pul-x", PULUMI_BACKEND_URL: mock.url } });
    expect(malformed).toMatchObject({ code: 1, stdout: "", stderr: "error: unexpected response from server\n" });
  });

  it("no token: the Go CLI's non-interactive login error, exit 255; DIY backends need none", async () => {
    const r = await run(["whoami"], { env: { PULUMI_BACKEND_URL: mock.url } });
    expect(r).toMatchObject({ code: 255, stdout: "", stderr: "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n" });
    const diy = await run(["whoami"], { env: { PULUMI_BACKEND_URL: "file://~" } });
    expect(diy.code).toBe(0);
    expect(diy.stdout).toMatch(/^\S+\n$/);
    expect(mock.stats.requests).toEqual([]);
  });
});

describe("fake pulumi: writes against the agent lifecycle", () => {
  it("creates the stack while active; 403 (exit 1) when read-only; 401 (exit 3) when locked", async () => {
    const agent = mock.createAgent();
    const project = path.join(sb.root, "proj");
    await mkdir(project);
    await writeFile(path.join(project, "Pulumi.yaml"), "name: webapp\nruntime: nodejs\n");
    const env = { PULUMI_ACCESS_TOKEN: agent.accessToken, PULUMI_BACKEND_URL: mock.url, FAKE_PULUMI_WRITE: "1" };

    const up = await run(["up", "--yes", "--json"], { env, cwd: project });
    expect(up).toMatchObject({ code: 0, stdout: '{"fake":"pulumi","command":"up","result":"succeeded"}\n', stderr: "" });
    const init = await run(["stack", "init", `${agent.login}/other/prod`], { env, cwd: project });
    expect(init.code).toBe(0);
    expect(mock.state.entitiesOf(agent.orgName)).toEqual([
      { kind: "stack", name: "webapp/dev" },
      { kind: "stack", name: "other/prod" },
    ]);
    expect((await run(["up", "-s", "dev"], { env, cwd: project })).code).toBe(0); // exists: fine

    mock.clock.advance(73 * HOUR_MS);
    const ro = await run(["up", "-s", "staging"], { env, cwd: project });
    expect(ro).toMatchObject({ code: 1, stdout: "", stderr: `error: [403] ${READ_ONLY_MESSAGE}\n` });

    mock.clock.advance(30 * DAY_MS);
    const locked = await run(["up", "-s", `${agent.login}/webapp/staging`], { env, cwd: project });
    expect(locked).toMatchObject({ code: 3, stdout: "", stderr: `error: [401] ${UNAUTHORIZED_MESSAGE}\n` });

    const writes = (await records()).filter((r) => r["event"] === "write");
    expect(writes.map((w) => [w["path"], w["status"]])).toEqual([
      [`/api/stacks/${agent.login}/webapp/dev`, 200],
      [`/api/stacks/${agent.login}/other/prod`, 200],
      [`/api/stacks/${agent.login}/webapp/dev`, 409],
      [`/api/stacks/${agent.login}/webapp/staging`, 403],
      [`/api/stacks/${agent.login}/webapp/staging`, 401],
    ]);
  });
});

describe("fake pulumi: signals", () => {
  /** Run with a long sleep and send `signal` once the fake has printed "ready" (handlers are set). */
  function runAndSignal(signal: NodeJS.Signals, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    let sent = false;
    return run(["up"], {
      env: { FAKE_PULUMI_SLEEP_MS: "60000", FAKE_PULUMI_STDOUT: "ready\n", ...env },
      onStdout: (_c, child) => {
        if (!sent) {
          sent = true;
          child.kill(signal);
        }
      },
    });
  }

  it("records SIGTERM / SIGINT and exits 143 / 130", async () => {
    const term = await runAndSignal("SIGTERM");
    expect(term).toMatchObject({ code: 143, signal: null, stdout: "ready\n" });
    const int = await runAndSignal("SIGINT");
    expect(int).toMatchObject({ code: 130, signal: null });
    const recs = await records();
    expect(recs.map((r) => [r["event"], r["signal"] ?? r["ms"] ?? null])).toEqual([
      ["run", null],
      ["sleep", 60000],
      ["signal", "SIGTERM"],
      ["run", null],
      ["sleep", 60000],
      ["signal", "SIGINT"],
    ]);
    expect(recs[2]?.["pid"]).toBe(term.pid);
  });

  it("with FAKE_PULUMI_DIE_BY_SIGNAL=1 it dies by the signal it received", async () => {
    const r = await runAndSignal("SIGTERM", { FAKE_PULUMI_DIE_BY_SIGNAL: "1" });
    expect(r).toMatchObject({ code: null, signal: "SIGTERM" });
    expect((await records()).map((x) => x["event"])).toEqual(["run", "sleep", "signal"]);
  });

  it("FAKE_PULUMI_KILL_SELF kills itself at once, after recording the run", async () => {
    for (const sig of ["SIGKILL", "SIGTERM", "SIGHUP"] as const) {
      const r = await run(["up", "--json"], { env: { FAKE_PULUMI_KILL_SELF: sig, FAKE_PULUMI_EXIT: "0" } });
      expect(r).toMatchObject({ code: null, signal: sig, stdout: "" });
    }
    expect((await records()).map((x) => x["event"])).toEqual(["run", "run", "run"]);
    const bad = await run(["up"], { env: { FAKE_PULUMI_KILL_SELF: "SIGNOPE" } });
    expect(bad).toMatchObject({ code: 2, signal: null, stderr: "error: fake pulumi: FAKE_PULUMI_KILL_SELF: unknown signal 'SIGNOPE'\n" });
  });
});
