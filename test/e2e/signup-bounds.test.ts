// The proof of work is bounded: absurd difficulties are refused at once, a time budget ends a solve,
// and Ctrl-C cancels it — each leaving no files and no lock behind.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { useAgentContext } from "../support/context.js";
import { runBin, startBin, waitFor } from "../support/run.js";
import { BIN } from "../support/sandbox.js";

const ctx = useAgentContext({ mock: { difficulty: 6 }, env: () => ({ AI_AGENT: "codex" }) });

/** Nothing but (possibly) an empty dir: no credentials, no claim, no temp file, no lock. */
function expectNothingLeft() {
  for (const dir of [ctx.sb.pulumiHome, ctx.sb.sharedDir]) {
    if (existsSync(dir)) expect(readdirSync(dir), dir).toEqual([]);
  }
}

describe("bounded proof of work", () => {
  it("an absurd difficulty is refused at once with a clear message", async () => {
    ctx.mock.setDifficulty(64);
    const signups = ctx.mock.stats.count("signup");
    const r = await runBin(["account", "bootstrap"], ctx.sb.env, { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Refusing a proof-of-work challenge with difficulty 64.*Request a new challenge later/);
    expect(ctx.mock.stats.count("signup")).toBe(signups);
    expectNothingLeft();
  });

  it("the time budget ends a long solve with a clear error", async () => {
    ctx.mock.setDifficulty(34);
    const r = await runBin(["account", "bootstrap"], { ...ctx.sb.env, PULUMI_AGENT_POW_BUDGET_MS: "400" }, { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400 ms/);
    expectNothingLeft();
  });

  it("Ctrl-C during the solve cancels it (exit 130), releases the lock and writes nothing", async () => {
    ctx.mock.setDifficulty(34);
    const before = ctx.mock.stats.count("challenge");
    const { child, done } = startBin(["account", "bootstrap"], ctx.sb.env, { timeoutMs: 30_000 });
    await waitFor(() => ctx.mock.stats.count("challenge") > before || undefined, 15_000, "the challenge request");
    await new Promise((r) => setTimeout(r, 300)); // let the workers start hashing
    child.kill("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled/i);
    expectNothingLeft();
    // The lock is free: the next run signs up at once.
    ctx.mock.setDifficulty(6);
    const again = await runBin(["account", "bootstrap", "--json"], ctx.sb.env);
    expect(again.code, again.stderr).toBe(0);
    expect(path.basename(JSON.parse(again.stdout).storage.credentialsPath)).toBe("credentials.json");
  });
});

describe("malformed challenges", () => {
  it.each([
    [{ challengeID: "c1", challengeData: "v2:abc:8" }, /invalid challenge data/],
    [{ challengeID: "c1", challengeData: "v1:abc:0" }, /invalid challenge difficulty/],
    [{ challengeID: "c1", challengeData: "v1:abc: 8" }, /invalid challenge difficulty/],
  ])("%j → a clear error, nothing stored", async (json, message) => {
    ctx.mock.faults.add("challenge", { json, times: 1 });
    const r = await runBin(["account", "bootstrap"], ctx.sb.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/sent a signup challenge pulumi-agent cannot solve/);
    expectNothingLeft();
  });
});

describe("progress on a terminal", () => {
  it.runIf(existsSync("/usr/bin/script"))("a long solve shows hashes, rate and expected time left on a TTY", async () => {
    ctx.mock.setDifficulty(34);
    // util-linux `script` gives the process a pseudo-terminal; the budget ends the solve after ~2.5 s.
    const env = { ...ctx.sb.env, PULUMI_AGENT_POW_BUDGET_MS: "2500" };
    const cmd = `"${process.execPath}" "${BIN}" account bootstrap`;
    const r = await runBin(["-qec", cmd, "/dev/null"], env, { command: ["/usr/bin/script"], timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/solving the signup proof of work: [\d.]+ M hashes at [\d.]+ MH\/s ~\d+s left \(expected\)/);
    expect(r.stdout).toMatch(/2500 ms/);
    expect(r.code).toBe(1);
  });

  it("no progress lines when stderr is not a terminal", async () => {
    ctx.mock.setDifficulty(34);
    const r = await runBin(["account", "bootstrap"], { ...ctx.sb.env, PULUMI_AGENT_POW_BUDGET_MS: "1500" });
    expect(r.stderr).not.toMatch(/solving the signup proof of work/);
  });
});
