// The package as users run it (`npm run bench` calls these; `node scripts/bench-package.mjs [--quick]` runs
// them alone). Every time is a ratio against a baseline measured in the same run, interleaved:
//  - hot path: the human passthrough and the agent with credentials vs a 5-line Node launcher that spawns
//    the same pulumi (/bin/true); with and without Node's compile cache (Node >= 22.1 has one)
//  - what each path loads: our files and their bytes (human, agent with credentials, signup)
//  - install: packed and installed size, packages installed offline
//  - cold npx: `npx <tarball> account bootstrap` (difficulty 20, empty npm cache, against the mock) vs a
//    cold npx of a one-file hello-world package packed the same way
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BIN_FILE } from "./package-layout.mjs";
import { coldEnv, interleavedMedians, median, spawnAndWait, temp, warmHome } from "./bench-support.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(root, BIN_FILE);
const log = (s) => process.stderr.write(`${s}\n`);

async function scrubbedEnv(extra) {
  const { withoutAgentOrPulumiVars } = await import(path.join(root, ".build/dev/detect/env-vars.js"));
  const env = withoutAgentOrPulumiVars(process.env);
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === "NODE_OPTIONS") delete env[k];
  return { ...env, ...extra };
}

// The floor for any wrapper: boot node, spawn pulumi with our stdio, exit the way it did (5 lines, CommonJS:
// Node's cheapest start). The ES module twin is shown for comparison.
const LAUNCHER = `#!/usr/bin/env node
const { spawn } = require("node:child_process");
const child = spawn(process.env.PULUMI_AGENT_PULUMI_BIN, process.argv.slice(2), { stdio: "inherit" });
child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
`;
const LAUNCHER_ESM = LAUNCHER.replace('const { spawn } = require("node:child_process");', 'import { spawn } from "node:child_process";');

/** Interleaved medians of each case (run with this Node); ratios against the first. */
function interleave(cases, rounds) {
  const ms = interleavedMedians(cases.map((c) => ({ cmd: process.execPath, ...c })), rounds);
  return cases.map((c, i) => ({ ...c, ms: ms[i], ratio: ms[i] / ms[0] }));
}

export async function hotPath({ quick = false } = {}) {
  const tmp = temp("pa-hot-");
  const launcher = path.join(tmp, "launcher.cjs");
  const launcherEsm = path.join(tmp, "launcher.mjs");
  writeFileSync(launcher, LAUNCHER);
  writeFileSync(launcherEsm, LAUNCHER_ESM);
  const base = await scrubbedEnv({ ...warmHome(tmp), PULUMI_AGENT_PULUMI_BIN: "/bin/true" });
  const agent = { ...base, AI_AGENT: "bench" };
  const noCache = { NODE_DISABLE_COMPILE_CACHE: "1" };
  const hasCache = typeof (await import("node:module")).enableCompileCache === "function";
  const cases = [
    { name: "5-line launcher (CommonJS), spawns /bin/true", argv: [launcher, "up"], env: base },
    { name: "the same launcher as an ES module", argv: [launcherEsm, "up"], env: base },
    { name: "human: `pulumi-agent up`", argv: [BIN, "up"], env: base, target: 1.05 },
    { name: "agent, credentials present: `pulumi-agent up`", argv: [BIN, "up"], env: agent, target: 1.1 },
    ...(hasCache
      ? [
          { name: "human, compile cache off", argv: [BIN, "up"], env: { ...base, ...noCache } },
          { name: "agent with credentials, compile cache off", argv: [BIN, "up"], env: { ...agent, ...noCache } },
        ]
      : []),
  ];
  const rows = interleave(cases, quick ? 10 : 30);
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\n### Hot path vs a 5-line launcher (Node ${process.version}; median of ${quick ? 10 : 30} interleaved runs; pulumi = /bin/true)\n`);
  console.log(`Compile cache: ${hasCache ? "on (bin/pulumi-agent.js calls module.enableCompileCache())" : "not in this Node (22.1+)"}.\n`);
  console.log("| case | median ms | × launcher | target |\n|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.ms.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${r.target ? `≤ ${r.target.toFixed(2)}×${r.ratio <= r.target ? "" : " (missed)"}` : ""} |`);
  return rows;
}

/**
 * Our files a run reads (CommonJS: the modules Node compiled from a file, which leaves out the chunks an
 * entry carries inside itself and registers in require.cache), and their bytes.
 */
async function loaded(argv, env, tmp) {
  const preload = path.join(tmp, "loaded-preload.cjs");
  const out = path.join(tmp, `loaded-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    preload,
    `const M = require("module"), read = []; const js = M._extensions[".js"]; M._extensions[".js"] = function (m, f) { read.push(f); return js.call(this, m, f); };
process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(read)));`,
  );
  const { code } = await spawnAndWait(process.execPath, ["--require", preload, ...argv], { env, stdio: "ignore" });
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}`);
  const files = JSON.parse(readFileSync(out, "utf8")).filter((f) => f.startsWith(root));
  return { files: files.length, bytes: files.reduce((n, f) => n + statSync(f).size, 0), names: files.map((f) => path.relative(root, f)) };
}

export async function loadedPerPath() {
  const tmp = temp("pa-loaded-");
  const { startMockCloud } = await import(path.join(root, "dist/mock-cloud-server.mjs"));
  const mock = await startMockCloud({ difficulty: 20 });
  const base = await scrubbedEnv({ ...warmHome(tmp), PULUMI_AGENT_PULUMI_BIN: "/bin/true" });
  const fresh = await scrubbedEnv(coldEnv(path.join(tmp, "fresh"), mock, { PULUMI_AGENT_SHARED_DIR: path.join(tmp, "fresh-shared"), AI_AGENT: "bench" }));
  const all = readdirSync(path.join(root, "dist")).filter((f) => f.endsWith(".js"));
  const total = all.reduce((n, f) => n + statSync(path.join(root, "dist", f)).size, 0);
  const rows = [];
  try {
    rows.push({ name: "human: `pulumi-agent up`", ...(await loaded([BIN, "up"], base, tmp)) });
    rows.push({ name: "agent, credentials present: `pulumi-agent up`", ...(await loaded([BIN, "up"], { ...base, AI_AGENT: "bench" }, tmp)) });
    rows.push({ name: "signup: `pulumi-agent account bootstrap` (difficulty 20)", ...(await loaded([BIN, "account", "bootstrap"], fresh, tmp)) });
  } finally {
    await mock.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log("\n### What each path reads (our files Node loads from disk; proof-of-work workers load dist/worker.js and its chunks in their threads)\n");
  console.log(`| path | files | KiB | of dist/ (${all.length} files, ${(total / 1024).toFixed(0)} KiB) |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.files} | ${(r.bytes / 1024).toFixed(1)} | ${((r.bytes / total) * 100).toFixed(0)}% |`);
  return rows;
}

function npmRun(args, cwd, extraEnv = {}) {
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", ...extraEnv };
  for (const k of Object.keys(env)) if (/^npm_(lifecycle|package|config_(prefix|global))/i.test(k)) delete env[k];
  const r = spawnSync("npm", args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

function du(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? du(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return n;
}

/** Pack this repository as it is built (no prepack: `npm run bench` built it). */
function packOurs(into) {
  const [info] = JSON.parse(npmRun(["pack", "--json", "--ignore-scripts", "--pack-destination", into], root, { npm_config_cache: path.join(into, "cache") }));
  return { tarball: path.join(into, info.filename), info };
}

export async function installFigures() {
  const tmp = temp("pa-install-");
  try {
    const { tarball, info } = packOurs(tmp);
    const prefix = path.join(tmp, "prefix");
    mkdirSync(prefix);
    npmRun(["install", "--offline", "--no-package-lock", "--prefix", prefix, tarball], prefix, { npm_config_cache: path.join(tmp, "empty-cache") });
    const packages = readdirSync(path.join(prefix, "node_modules")).filter((n) => !n.startsWith("."));
    const installed = du(path.join(prefix, "node_modules", "pulumi-agent"));
    console.log("\n### Install (`npm pack`, then `npm install --offline <tarball>` into an empty prefix with an empty cache)\n");
    console.log(`| packed | unpacked (npm) | installed | files | packages installed |\n|---|---|---|---|---|`);
    console.log(`| ${(info.size / 1024).toFixed(0)} KiB | ${(info.unpackedSize / 1024).toFixed(0)} KiB | ${(installed / 1024).toFixed(0)} KiB | ${info.entryCount} | ${packages.length} (${packages.join(", ")}) |`);
    return { packed: info.size, unpacked: info.unpackedSize, installed, files: info.entryCount, packages };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function coldNpx({ quick = false } = {}) {
  const tmp = temp("pa-npx-");
  const { startMockCloud } = await import(path.join(root, "dist/mock-cloud-server.mjs"));
  const mock = await startMockCloud({ difficulty: 20 });
  // A fixed challenge: every run does the same proof of work.
  mock.setChallengeData("v1:bench-fixed-challenge-0123456789:20");
  try {
    const ours = packOurs(tmp).tarball;
    const hello = path.join(tmp, "hello");
    mkdirSync(hello);
    writeFileSync(path.join(hello, "package.json"), JSON.stringify({ name: "hello-npx", version: "1.0.0", bin: { "hello-npx": "hello.js" }, files: ["hello.js"] }));
    writeFileSync(path.join(hello, "hello.js"), '#!/usr/bin/env node\nconsole.log("hello");\n');
    const [helloInfo] = JSON.parse(npmRun(["pack", "--json", "--pack-destination", tmp], hello, { npm_config_cache: path.join(tmp, "cache") }));
    const helloTarball = path.join(tmp, helloInfo.filename);
    const cases = [
      { name: "`npx <hello-world tarball>` (baseline)", args: [`file:${helloTarball}`] },
      { name: "`npx <pulumi-agent tarball> account bootstrap`, difficulty 20", args: [`file:${ours}`, "account", "bootstrap"], target: 1.3 },
    ];
    const samples = cases.map(() => []);
    const runs = quick ? 3 : 7;
    for (let r = 0; r < runs; r++) {
      for (const i of cases.map((_, i) => i).sort(() => Math.random() - 0.5)) {
        const run = temp("pa-npx-run-");
        const env = await scrubbedEnv(
          coldEnv(run, mock, {
            AI_AGENT: "bench",
            // A cold npx: an empty cache, and no registry to ask.
            npm_config_cache: path.join(run, "npm-cache"),
            npm_config_offline: "true",
            npm_config_update_notifier: "false",
            npm_config_audit: "false",
            npm_config_fund: "false",
          }),
        );
        const t = process.hrtime.bigint();
        // Async: the mock answers from this process.
        const { code } = await spawnAndWait("npx", ["--yes", ...cases[i].args], { cwd: run, env, stdio: "ignore" });
        samples[i].push(Number(process.hrtime.bigint() - t) / 1e6);
        rmSync(run, { recursive: true, force: true });
        if (code !== 0) throw new Error(`npx ${cases[i].args.join(" ")} exited ${code}`);
      }
    }
    const base = median(samples[0]);
    console.log(`\n### Cold npx (empty npm cache each run, offline; median of ${runs} interleaved runs)\n`);
    console.log("| case | median ms | min–max ms | × hello-world | target |\n|---|---|---|---|---|");
    const rows = cases.map((c, i) => ({ ...c, ms: median(samples[i]), ratio: median(samples[i]) / base, min: Math.min(...samples[i]), max: Math.max(...samples[i]) }));
    for (const r of rows) console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)}–${r.max.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.target ? `≤ ${r.target.toFixed(2)}×${r.ratio <= r.target ? "" : " (missed)"}` : ""} |`);
    return rows;
  } finally {
    await mock.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  log("pulumi-agent package benchmark");
  await hotPath({ quick });
  await loadedPerPath();
  await installFigures();
  await coldNpx({ quick });
}
