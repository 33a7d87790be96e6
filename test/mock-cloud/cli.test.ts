// The mock cloud's command-line entry (built output, as `npm run mock-cloud` runs it): prints its URL,
// serves requests, stops cleanly on SIGINT/SIGTERM, validates its flags.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChallengeResponse, RefreshResponse, SignupResponse, UserResponse } from "../../src/cloud/protocol.js";
import { solveReference } from "../../src/pow/challenge.js";
import { makeSandbox, REPO_ROOT, type Sandbox } from "../support/sandbox.js";

// The installed `pulumi-agent-mock-cloud` bin, and the bundle it loads.
const CLI = path.join(REPO_ROOT, "bin", "pulumi-agent-mock-cloud.js");
const BUILT = path.join(REPO_ROOT, "dist", "mock-cloud.js");

let sandbox: Sandbox;

beforeAll(async () => {
  // `npm test` builds first; a missing or stale build would test the wrong code.
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
  const srcDir = path.join(REPO_ROOT, "src", "mock-cloud");
  const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(path.join(srcDir, f)).mtimeMs));
  if (statSync(BUILT).mtimeMs < newest) throw new Error(`${BUILT} is older than src/mock-cloud: run \`npm run build\` first`);
  sandbox = await makeSandbox();
});
afterAll(async () => {
  await sandbox?.cleanup();
});

const env = (): NodeJS.ProcessEnv => sandbox.env;

/** Start the CLI and resolve with the process and the first stdout line. */
function start(args: string[], childEnv: NodeJS.ProcessEnv): Promise<{ child: ChildProcessWithoutNullStreams; line: string; stdout: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, line: out.slice(0, nl), stdout: () => out });
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("exit", (code, signal) => reject(new Error(`exited early (${code ?? signal}): ${err}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

describe("mock-cloud CLI", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`prints its URL, serves the API, and stops cleanly on ${signal}`, async () => {
      const { child, line, stdout } = await start(["--port", "0", "--difficulty", "4", "--demo-human", "dana:pul-human-dana"], env());
      try {
        const m = /^mock Pulumi Cloud listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
        expect(m).not.toBeNull();
        const url = m![1] as string;
        const challenge = ChallengeResponse.parse(await (await fetch(`${url}/api/agents/signup`)).json());
        expect(challenge.challengeData).toMatch(/^v1:[0-9a-f]{16}:4$/);
        const user = UserResponse.parse(await (await fetch(`${url}/api/user`, { headers: { Authorization: "token pul-human-dana" } })).json());
        expect(user.githubLogin).toBe("dana");
        child.kill(signal);
        expect(await exited(child)).toEqual({ code: 0, signal: null });
        expect(stdout()).toBe(`${line}\n`);
        await expect(fetch(`${url}/api/user`)).rejects.toThrow();
      } finally {
        child.kill("SIGKILL");
      }
    });
  }

  it("--refresh-tokens --access-ttl: signup returns a refresh token, access tokens live that long, refresh rotates", async () => {
    const { child, line } = await start(["--difficulty", "1", "--refresh-tokens", "--access-ttl", "120"], env());
    try {
      const url = /listening on (\S+)$/.exec(line)![1] as string;
      const post = (path: string, init: RequestInit) => fetch(`${url}${path}`, { method: "POST", ...init }).then((r) => r.json());
      const c = ChallengeResponse.parse(await (await fetch(`${url}/api/agents/signup`)).json());
      const before = Date.now();
      const s = SignupResponse.parse(
        await post("/api/agents/signup", {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ challengeID: c.challengeID, challengeResult: solveReference(c.challengeData, 1) }),
        }),
      );
      expect(s.refreshToken).toMatch(/^pul-refresh-/);
      expect(Date.parse(s.accessTokenValidUntil) - before).toBeGreaterThan(110_000);
      expect(Date.parse(s.accessTokenValidUntil) - before).toBeLessThan(130_000);
      const r = RefreshResponse.parse(
        await post("/api/oauth/token", { body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: s.refreshToken as string }) }),
      );
      expect(r.expires_in).toBe(120);
      expect(r.refresh_token).not.toBe(s.refreshToken);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("--help prints usage and exits 0; bad flags exit 2 with a message", async () => {
    const childEnv = env();
    const help = spawnSync(process.execPath, [CLI, "--help"], { env: childEnv, encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mock-cloud \[--port N\] \[--host H\] \[--difficulty N\]/);
    expect(help.stderr).toBe("");

    for (const [args, message] of [
      [["--difficulty", "300"], "mock-cloud: --difficulty must be in 1..256, got 300"],
      [["--port", "abc"], "mock-cloud: --port must be an integer, got 'abc'"],
      [["--demo-human", "nocolon"], "mock-cloud: --demo-human must be LOGIN:TOKEN"],
      [["--bogus"], "mock-cloud: Unknown option '--bogus'"],
      [["--access-ttl", "60"], "mock-cloud: --access-ttl needs --refresh-tokens"],
      [["--refresh-tokens", "--access-ttl", "0"], "mock-cloud: --access-ttl must be in 1..31536000, got 0"],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, ...args], { env: childEnv, encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    }
  });
});
