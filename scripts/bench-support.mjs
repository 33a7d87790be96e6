// Small helpers shared by the dev scripts (bench.mjs, bench-package.mjs, bench-pow.mjs, smoke.mjs).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A fresh directory under the system temp dir, symlinks resolved. */
export function temp(prefix) {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

/** Spawns and waits for "close": the exit code, and stdout/stderr where they are piped. */
export function spawnAndWait(file, args, options) {
  return new Promise((resolve) => {
    const child = spawn(file, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b) => (stdout += b));
    child.stderr?.on("data", (b) => (stderr += b));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Wall time of one synchronous run, in ms; throws unless it exits 0. */
export function timeOnce(cmd, argv, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * Median wall time of each case ({ cmd, argv, env }) over `rounds` rounds, after 3 warm-up rounds (page
 * cache, compile cache). Each round runs the cases in a shuffled order so drift hits every case alike.
 */
export function interleavedMedians(cases, rounds) {
  const samples = cases.map(() => []);
  for (let i = 0; i < 3; i++) for (const c of cases) timeOnce(c.cmd, c.argv, c.env);
  for (let r = 0; r < rounds; r++) {
    const order = cases.map((_, i) => i).sort(() => Math.random() - 0.5);
    for (const i of order) samples[i].push(timeOnce(cases[i].cmd, cases[i].argv, cases[i].env));
  }
  return samples.map(median);
}

/**
 * Writes `<dir>/rss-preload.cjs`, a preload that records process.resourceUsage().maxRSS (KiB) at exit
 * into the file named by BENCH_RSS_FILE; returns its path.
 */
export function writeRssPreload(dir) {
  const preload = path.join(dir, "rss-preload.cjs");
  writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));`);
  return preload;
}

/** The variables of a cold run in `dir` (no account yet) against the mock cloud; `extra` adds or overrides. */
export function coldEnv(dir, mock, extra = {}) {
  return {
    HOME: dir,
    PULUMI_HOME: path.join(dir, ".pulumi"),
    PULUMI_AGENT_SHARED_DIR: path.join(dir, "shared"),
    PULUMI_BACKEND_URL: mock.url,
    PULUMI_CONSOLE_DOMAIN: mock.consoleDomain,
    ...extra,
  };
}

/**
 * A HOME in `<dir>/home` with a fresh agent account (credentials + claim), as a warm agent run finds it;
 * returns its variables.
 */
export function warmHome(dir) {
  const home = path.join(dir, "home", ".pulumi");
  mkdirSync(home, { recursive: true });
  const url = "https://api.pulumi.com";
  const expires = new Date(Date.now() + 48 * 3600_000).toISOString();
  writeFileSync(path.join(home, "credentials.json"), JSON.stringify({ current: url, accessTokens: { [url]: "pul-x" }, accounts: { [url]: { accessToken: "pul-x", username: "agent-x", lastValidatedAt: new Date().toISOString(), tokenInformation: { name: "", expiresAt: expires } } } }, null, 4));
  writeFileSync(path.join(home, "agent-claim.json"), JSON.stringify({ claimUrl: "https://app.pulumi.com/claim/x", claimToken: "x", validUntil: new Date(Date.now() + 20 * 86400_000).toISOString(), cloudUrl: url }, null, 4));
  return { HOME: path.join(dir, "home"), PULUMI_HOME: home, PULUMI_AGENT_SHARED_DIR: path.join(dir, "shared") };
}
