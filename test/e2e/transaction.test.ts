// End to end: the signup as a transaction with one irreversible step. Every place it writes is proven
// usable before the challenge; once the server answered, the claim link is shown and persisted before
// anything else can fail; odd optional values never lose the account; an account whose credentials could
// not be stored is reported by the next run instead of being replaced by another.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FAKE_PULUMI } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { readRecords, runBin, startBin, waitFor } from "../support/run.js";
import { transpileSrc } from "../support/transpile.js";

const ctx = useAgentContext({ mock: { difficulty: 8 }, env: () => ({ CLAUDECODE: "1", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }) });

const signups = () => ctx.mock.state.agents().length;
const credsPath = (dir = ctx.sb.pulumiHome) => path.join(dir, "credentials.json");
const claimPath = (dir = ctx.sb.pulumiHome) => path.join(dir, "agent-claim.json");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("odd values in fields nobody needs never lose the account", () => {
  it.each<[string, (b: Record<string, unknown>) => unknown]>([
    ["userInfo: null", (b) => ({ ...b, userInfo: null })],
    ["userInfo.organizations: null", (b) => ({ ...b, userInfo: { ...(b.userInfo as object), organizations: null } })],
    ["an empty login", (b) => ({ ...b, userInfo: { ...(b.userInfo as object), githubLogin: "" } })],
    ["a numeric refreshToken", (b) => ({ ...b, refreshToken: 42 })],
    ["a time with a space instead of T", (b) => ({ ...b, accessTokenValidUntil: "2030-01-01 00:00:00Z" })],
    ["an unparseable claimTokenValidUntil", (b) => ({ ...b, claimTokenValidUntil: "soon" })],
  ])("%s: the signup completes, the files are what Go reads, the next run reuses it", async (_name, rewrite) => {
    ctx.mock.faults.add("signup", { rewrite });
    // /api/user failing too must not abort after the account exists.
    ctx.mock.faults.add("user", { status: 500, times: 4 });
    const before = signups();
    const r = await runBin(["up", "--yes"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before + 1);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(r.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    const account = readJson(credsPath()).accounts[ctx.mock.url];
    expect(account.accessToken).toBe(agent.accessToken);
    expect(account.refreshToken === undefined || typeof account.refreshToken === "string").toBe(true);
    if (account.tokenInformation?.expiresAt) expect(account.tokenInformation.expiresAt).toMatch(RFC3339);
    expect(account.lastValidatedAt).toMatch(RFC3339);
    const claim = readJson(claimPath());
    expect(claim).toMatchObject({ claimUrl: ctx.mock.claimUrl(agent.claimToken), claimToken: agent.claimToken, cloudUrl: ctx.mock.url });
    expect(claim.validUntil).toMatch(RFC3339);
    expect(Date.parse(claim.validUntil)).toBeGreaterThan(Date.now());
    expect(claim.credentialsPending).toBeUndefined();
    expect(readRecords(ctx.record).at(-1)!.token).toBe(agent.accessToken);

    const again = await runBin(["up", "--yes"], ctx.sb.env);
    expect(again.code).toBe(0);
    expect(signups()).toBe(before + 1);
  });

  it("the stored time is written back in RFC 3339, not verbatim", async () => {
    ctx.mock.faults.add("signup", { rewrite: (b) => ({ ...b, accessTokenValidUntil: "2030-01-01 00:00:00Z" }) });
    expect((await runBin(["up"], ctx.sb.env)).code).toBe(0);
    expect(readJson(credsPath()).accounts[ctx.mock.url].tokenInformation.expiresAt).toBe("2030-01-01T00:00:00.000Z");
  });
});

describe("an unusable access token after the account exists", () => {
  it("refuses the answer, keeps the claim link on stderr and in the claim file, stores no credentials; the next run reports it", async () => {
    ctx.mock.faults.add("signup", { rewrite: (b) => ({ ...b, accessToken: "pul-x\r\nInjected: 1" }) });
    const before = signups();
    const r = await runBin(["up", "--yes"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(signups()).toBe(before + 1);
    const agent = ctx.mock.state.agents().at(-1)!;
    const link = ctx.mock.claimUrl(agent.claimToken);
    expect(r.stderr).toContain(link);
    expect(r.stderr).toMatch(/created an agent account, but .*accessToken.*no credentials were stored/);
    expect(r.stderr).not.toContain("Injected");
    expect(readJson(claimPath())).toMatchObject({ claimUrl: link, credentialsPending: true });
    expect(existsSync(credsPath())).toBe(false);
    expect(readRecords(ctx.record)).toHaveLength(0);

    // The next run makes no other orphan: it reports this account.
    const next = await runBin(["up", "--yes"], ctx.sb.env);
    expect(next.code).toBe(1);
    expect(signups()).toBe(before + 1);
    expect(next.stderr).toContain(link);
    expect(next.stderr).toContain("--new-account");
    const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
    expect(status).toMatchObject({ credentials: "error", claimUrl: link });

    // Explicitly asked: a new account, and the old link is kept in the history.
    const fresh = await runBin(["account", "bootstrap", "--new-account"], ctx.sb.env);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(signups()).toBe(before + 2);
    expect(readJson(path.join(ctx.sb.pulumiHome, "agent-claim-history.json")).map((c: { claimUrl: string }) => c.claimUrl)).toContain(link);
  });
});

describe("every place the signup writes is proven usable before the challenge", () => {
  it("a credentials.json that is a symlink is never replaced: the account goes to the shared folder", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const target = path.join(ctx.sb.root, "elsewhere.json");
    writeFileSync(target, "{}");
    symlinkSync(target, credsPath());
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("{}");
    expect(readJson(credsPath(ctx.sb.sharedDir)).accounts[ctx.mock.url]).toBeDefined();
    expect(readRecords(ctx.record)[0]!.env.PULUMI_CREDENTIALS_PATH).toBe(ctx.sb.sharedDir);
  });

  it.each([
    ["a FIFO", (p: string) => execFileSync("mkfifo", [p])],
    ["a directory", (p: string) => mkdirSync(p)],
  ])("an agent-claim.json that is %s, and no usable shared folder: refused before any request, nothing created", async (_name, plant) => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    plant(claimPath());
    // The shared folder's path runs through a regular file: it cannot be created.
    writeFileSync(path.join(ctx.sb.root, "shared-blocker"), "");
    const env = { ...ctx.sb.env, PULUMI_AGENT_SHARED_DIR: path.join(ctx.sb.root, "shared-blocker", ".pulumi") };
    const requests = ctx.mock.stats.requests.length;
    const before = signups();
    const r = await runBin(["up"], env, { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(signups()).toBe(before);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(r.stderr).toMatch(/Nowhere to store/);
  });

  it("a stale temp file of a writer killed mid-write is removed by the next run that writes", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    const stale = path.join(ctx.sb.pulumiHome, ".credentials.json.tmp-99999-0123456789ab");
    writeFileSync(stale, "partial");
    const old = new Date(Date.now() - 10 * 60_000);
    (await import("node:fs")).utimesSync(stale, old, old);
    expect((await runBin(["up"], ctx.sb.env)).code).toBe(0);
    expect(readdirSync(ctx.sb.pulumiHome).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });
});

describe("network discipline during the signup", () => {
  let other: Server;
  let otherHits = 0;
  const startOther = async () => {
    otherHits = 0;
    other = createServer((req, res) => {
      otherHits++;
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    return (other.address() as AddressInfo).port;
  };

  it("a 307 on the signup POST is not followed to another origin: the proof of work never leaves", async () => {
    const port = await startOther();
    try {
      ctx.mock.faults.add("signup", { status: 307, headers: { Location: `http://127.0.0.1:${port}/api/agents/signup` } });
      const r = await runBin(["up"], ctx.sb.env);
      expect(r.code).toBe(1);
      expect(otherHits).toBe(0);
      expect(r.stderr.length).toBeLessThan(600);
      expect(existsSync(credsPath())).toBe(false);
      expect(existsSync(claimPath())).toBe(false);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("a challenge redirect to another port is refused with a short message saying what to do", async () => {
    const port = await startOther();
    try {
      ctx.mock.faults.add("challenge", { status: 302, headers: { Location: `http://127.0.0.1:${port}/steal` }, sticky: true });
      const r = await runBin(["up"], ctx.sb.env);
      expect(r.code).toBe(1);
      expect(otherHits).toBe(0);
      expect(r.stderr).toMatch(/redirect/i);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("an HTML error page becomes a short one-line message", async () => {
    ctx.mock.faults.add("challenge", { status: 502, body: `<html><head><title>502 Bad Gateway</title></head><body>${"x".repeat(5000)}</body></html>`, headers: { "Content-Type": "text/html" }, sticky: true });
    const r = await runBin(["up"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("502 Bad Gateway");
    expect(r.stderr).not.toContain("xxxxxxxxxx");
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });
});

describe("another agent mid-signup", () => {
  let mod: string;
  beforeAll(async () => {
    mod = path.join(await realpath(await mkdtemp(path.join(tmpdir(), "pa-e2e-midsignup-"))), "mod");
    await transpileSrc(mod, ["core", "store"]);
    // Holds the signup lock with the claim written (marked pending) and the credentials not yet, until
    // told to finish: the very window an agent starting now must not take for a lost account.
    await writeFile(
      path.join(mod, "midsignup.mjs"),
      `import { withExclusiveLock } from "./store/lock.js";
import { writeFileSync } from "node:fs";
const [dir, claim, creds] = process.argv.slice(2);
await withExclusiveLock(dir, async () => {
  writeFileSync(dir + "/agent-claim.json", claim, { mode: 0o600 });
  process.stdout.write("mid-signup\\n");
  await new Promise((r) => process.stdin.once("data", r));
  writeFileSync(dir + "/credentials.json", creds, { mode: 0o600 });
  writeFileSync(dir + "/agent-claim.json", claim.replace(/,\\s*"credentialsPending": true/, ""), { mode: 0o600 });
});
`,
    );
  });
  afterAll(async () => {
    if (mod) await rm(path.dirname(mod), { recursive: true, force: true });
  });

  it("a pending claim while the lock is held is a signup in progress: the run waits, then uses that account", async () => {
    const agent = ctx.mock.createAgent();
    const dir = ctx.sb.pulumiHome;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const link = ctx.mock.claimUrl(agent.claimToken);
    const claim = JSON.stringify({ claimUrl: link, claimToken: agent.claimToken, validUntil: new Date(Date.now() + 86400_000).toISOString(), cloudUrl: ctx.mock.url, credentialsPending: true }, null, 4);
    const creds = JSON.stringify({ current: ctx.mock.url, accessTokens: { [ctx.mock.url]: agent.accessToken }, accounts: { [ctx.mock.url]: { accessToken: agent.accessToken, username: agent.login, lastValidatedAt: new Date().toISOString() } } }, null, 4);
    const holder = spawn(process.execPath, [path.join(mod, "midsignup.mjs"), dir, claim, creds], { stdio: ["pipe", "pipe", "inherit"] });
    const holderExit = new Promise((r) => holder.on("exit", r));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d: Buffer) => d.toString().includes("mid-signup") && resolve());
        holder.on("exit", () => reject(new Error("the holder exited early")));
      });
      const before = signups();
      const { child, done } = startBin(["whoami"], ctx.sb.env);
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      await waitFor(() => stderr.includes("waiting for it"), 30_000, "the waiting notice");
      holder.stdin!.write("go\n");
      const r = await done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${agent.login}\n`);
      expect(signups()).toBe(before);
      expect(r.stderr).not.toContain("storing its credentials");
    } finally {
      holder.kill("SIGKILL");
      await holderExit;
    }
  }, 60_000);
});
