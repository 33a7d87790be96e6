// End to end: what each pulumi command means under an agent (login, logout, typos, DIY backends), the
// own surface without pulumi, and --json errors. Each test is a reproduction of a defect of the earlier
// design (one step off the tested paths).
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, FAKE_PULUMI } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { readRecords, runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 8 }, env: () => ({ CLAUDECODE: "1", PULUMI_AGENT_PULUMI_BIN: FAKE_PULUMI }) });

const signups = () => ctx.mock.state.agents().length;
const defaultCreds = () => path.join(ctx.sb.pulumiHome, "credentials.json");
const sharedCreds = () => path.join(ctx.sb.sharedDir, "credentials.json");
const sharedClaim = () => path.join(ctx.sb.sharedDir, "agent-claim.json");
const sharedHistory = () => path.join(ctx.sb.sharedDir, "agent-claim-history.json");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

/** An env where no pulumi can be found: PATH holds only a `pulumi` symlink to ourselves (skipped) and node. */
function withoutPulumi(): NodeJS.ProcessEnv {
  const selfDir = path.join(ctx.sb.root, "self");
  mkdirSync(selfDir, { recursive: true });
  if (!existsSync(path.join(selfDir, "pulumi"))) symlinkSync(BIN, path.join(selfDir, "pulumi"));
  const env: NodeJS.ProcessEnv = { ...ctx.sb.env, PATH: `${selfDir}:${path.dirname(process.execPath)}` };
  delete env.PULUMI_AGENT_PULUMI_BIN;
  return env;
}

/** Make the default folder unusable, so the agent account goes to the shared folder. */
function blockDefaultDir(): void {
  writeFileSync(path.join(ctx.sb.root, "blocker"), "");
  ctx.sb.env.PULUMI_HOME = path.join(ctx.sb.root, "blocker", ".pulumi");
}

describe("login", () => {
  it.each([
    [["login", "--local"]],
    [["login", "-l"]],
    [["login", "file:///tmp/pa-state"]],
    [["login", "--cloud-url", "s3://bucket/state"]],
  ])("%j under an agent, with PULUMI_BACKEND_URL at a Pulumi Cloud: no account, pulumi logs in to the DIY backend", async (argv) => {
    const before = signups();
    const requests = ctx.mock.stats.requests.length;
    const r = await runBin(argv, ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before);
    expect(ctx.mock.stats.requests.length).toBe(requests);
    expect(r.stderr).not.toContain("created an agent account");
    const rec = readRecords(ctx.record).find((x) => x.event === "login");
    expect(rec?.cloudUrl).toMatch(/^(file|s3):/);
  });

  it("plain `login` under an agent creates the account, then pulumi logs in with it", async () => {
    const before = signups();
    const r = await runBin(["login"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before + 1);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(r.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    expect(r.stdout).toContain(`as ${agent.login}`);
    expect(readRecords(ctx.record).find((x) => x.event === "login")).toMatchObject({ user: agent.login, cloudUrl: ctx.mock.url });
  });

  it("`login <cloud url>` targets that cloud even when PULUMI_BACKEND_URL names a DIY backend", async () => {
    const r = await runBin(["login", ctx.mock.url], { ...ctx.sb.env, PULUMI_BACKEND_URL: "file:///tmp/pa-state" });
    expect(r.code, r.stderr).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(readJson(defaultCreds()).accounts[ctx.mock.url].accessToken).toBe(agent.accessToken);
  });

  it("`login --help` never creates an account", async () => {
    const before = signups();
    expect((await runBin(["login", "--help"], ctx.sb.env)).code).toBe(0);
    expect(signups()).toBe(before);
  });
});

describe("logout", () => {
  for (const goLike of [false, true]) {
    it(`${goLike ? "a Pulumi CLI ≥ 3.243 (deletes the shared agent files itself)" : "an older pulumi"}: the claim link is printed once more, archived, and the agent account forgotten`, async () => {
      blockDefaultDir();
      expect((await runBin(["whoami"], ctx.sb.env)).code).toBe(0);
      const agent = ctx.mock.state.agents().at(-1)!;
      const link = ctx.mock.claimUrl(agent.claimToken);
      expect(readJson(sharedCreds()).accounts[ctx.mock.url]).toBeDefined();

      const r = await runBin(["logout"], { ...ctx.sb.env, ...(goLike ? { FAKE_PULUMI_GO_LOGOUT: "1" } : {}) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(link);
      expect(r.stderr).toContain(sharedHistory());
      expect(readRecords(ctx.record).at(-1)).toMatchObject({ event: "logout" });
      // Forgotten: no account left in the shared folder, the claim only in the history.
      const left = existsSync(sharedCreds()) ? readJson(sharedCreds()) : {};
      expect(left.accounts?.[ctx.mock.url]).toBeUndefined();
      expect(existsSync(sharedClaim())).toBe(false);
      expect(readJson(sharedHistory()).map((c: { claimUrl: string }) => c.claimUrl)).toEqual([link]);

      const status = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
      expect(status.credentials).toBe("none");
      expect(status.earlierClaims.map((c: { claimUrl: string }) => c.claimUrl)).toEqual([link]);

      // The next agent run makes a new account; the old link is still listed.
      expect((await runBin(["whoami"], ctx.sb.env)).code).toBe(0);
      expect(ctx.mock.state.agents().at(-1)!.claimToken).not.toBe(agent.claimToken);
      const after = JSON.parse((await runBin(["account", "status", "--json", "--offline"], ctx.sb.env)).stdout);
      expect(after.earlierClaims.map((c: { claimUrl: string }) => c.claimUrl)).toContain(link);
    });
  }

  it("logout --all forgets agent accounts in both folders; a human login elsewhere is pulumi's", async () => {
    expect((await runBin(["whoami"], ctx.sb.env)).code).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    const r = await runBin(["logout", "--all"], ctx.sb.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(ctx.mock.claimUrl(agent.claimToken));
    expect(existsSync(path.join(ctx.sb.pulumiHome, "agent-claim.json"))).toBe(false);
    expect(readJson(path.join(ctx.sb.pulumiHome, "agent-claim-history.json"))[0].claimUrl).toBe(ctx.mock.claimUrl(agent.claimToken));
  });

  it("a human login is logged out by pulumi alone, and nothing of ours is said", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(defaultCreds(), JSON.stringify({ current: ctx.mock.url, accessTokens: { [ctx.mock.url]: "pul-human" }, accounts: { [ctx.mock.url]: { accessToken: "pul-human", username: "alice" } } }, null, 4));
    const r = await runBin(["logout"], ctx.sb.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(readJson(defaultCreds()).accounts?.[ctx.mock.url]).toBeUndefined(); // pulumi did it
  });
});

describe("no pulumi installed", () => {
  it("a typo (`accounts status`) creates no account and exits 127", async () => {
    const before = signups();
    const r = await runBin(["accounts", "status"], withoutPulumi());
    expect(r.code).toBe(127);
    expect(signups()).toBe(before);
    expect(r.stderr).toMatch(/could not find the Pulumi CLI/);
  });
  it("a cloud command creates no account and exits 127 with install help", async () => {
    const before = signups();
    const r = await runBin(["up", "--yes"], withoutPulumi());
    expect(r.code).toBe(127);
    expect(signups()).toBe(before);
    expect(r.stderr).toMatch(/Install it \(https:\/\/www\.pulumi\.com\/docs\/install\/.*No agent account was created/s);
    expect(existsSync(defaultCreds())).toBe(false);
  });
  it.each([[["--version"]], [["--help"]], [[]]])("%j says what pulumi-agent is, its version, and how to install pulumi", async (argv) => {
    const r = await runBin(argv, withoutPulumi());
    expect(r.code).toBe(0);
    const version = JSON.parse(readFileSync(path.join(path.dirname(BIN), "..", "package.json"), "utf8")).version;
    expect(r.stdout).toContain(`pulumi-agent ${version}`);
    expect(r.stdout + r.stderr).toContain("https://www.pulumi.com/docs/install/");
    if (argv[0] !== "--version") expect(r.stdout).toContain("pulumi-agent account --help");
  });
  it("with pulumi installed, --version is pulumi's (drop-in)", async () => {
    const r = await runBin(["--version"], ctx.sb.env);
    expect(r.stdout).toBe("v3.999.0\n");
  });
});

describe("a DIY backend", () => {
  const diy = () => ({ ...ctx.sb.env, PULUMI_BACKEND_URL: "file:///tmp/pa-state" });
  it("account status says it needs no account", async () => {
    const text = await runBin(["account", "status"], diy());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("none needed");
    expect(text.stdout).not.toContain("creates an agent account");
    const json = JSON.parse((await runBin(["account", "status", "--json"], diy())).stdout);
    expect(json).toMatchObject({ needsAccount: false, credentials: "not-needed", cloudUrl: "file:///tmp/pa-state" });
  });
  it("account bootstrap exits 0 and creates nothing", async () => {
    const before = signups();
    const r = await runBin(["account", "bootstrap"], diy());
    expect(r.code, r.stderr).toBe(0);
    expect(signups()).toBe(before);
    expect(r.stderr).toContain("needs no Pulumi Cloud account");
    expect(existsSync(defaultCreds())).toBe(false);
  });
  it("account doctor says no account or connection is needed, not 'unreachable'", async () => {
    const r = await runBin(["account", "doctor"], diy());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no Pulumi Cloud account or connection is needed");
    expect(r.stdout).not.toMatch(/unreachable|no Pulumi Cloud credentials found/);
  });
});

describe("--json errors and usage errors", () => {
  it("a failure prints {error: {code, message, hint}} on stdout and exits non-zero", async () => {
    mkdirSync(ctx.sb.pulumiHome, { recursive: true });
    writeFileSync(defaultCreds(), "{ not json");
    const r = await runBin(["account", "bootstrap", "--json"], ctx.sb.env);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.error.code).toBe("credentials-corrupt");
    expect(doc.error.message).toContain(defaultCreds());
    expect(doc.error.hint).toMatch(/Fix or delete it/);
  });
  it("a usage error exits 2, with JSON when --json was asked for", async () => {
    const r = await runBin(["account", "status", "--bogus", "--json"], ctx.sb.env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "usage", message: expect.stringContaining("--bogus"), hint: expect.stringContaining("account status --help") });
    const text = await runBin(["account", "stauts"], ctx.sb.env);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe("");
    expect(text.stderr).toMatch(/^pulumi-agent: Unknown command 'stauts'.*account --help/);
  });
  it("account forget without --yes exits 1 with JSON", async () => {
    expect((await runBin(["account", "bootstrap"], ctx.sb.env)).code).toBe(0);
    const r = await runBin(["account", "forget", "--json"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe("confirmation-required");
  });
});
