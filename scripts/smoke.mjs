// `node scripts/smoke.mjs`: the CLI end to end on the Node running this script (CI runs it on the declared
// minimum, package.json "engines"), against the mock cloud in this process, with the fake pulumi:
//  1. an agent's `account bootstrap --json` signs up (proof of work, HTTP, store)
//  2. an agent's `pulumi-agent whoami` runs pulumi with that account
//  3. a human's `pulumi-agent version` is a plain passthrough
//  4. `account shim <dir>` writes a shim whose `pulumi version` goes through pulumi-agent
// Prints one "N passed, N failed" line; exits 1 if anything failed.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BIN_FILE } from "./package-layout.mjs";
import { coldEnv, spawnAndWait, temp } from "./bench-support.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(root, BIN_FILE);
const FAKE = path.join(root, "fixtures", "fake-pulumi", "pulumi");
const { startMockCloud } = await import(path.join(root, "dist", "mock-cloud-server.mjs"));
const { withoutAgentOrPulumiVars } = await import(path.join(root, ".build", "dev", "detect", "env-vars.js"));

const run = (file, args, env) => spawnAndWait(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });

const mock = await startMockCloud({ difficulty: 16 });
const tmp = temp("pa-smoke-");
const human = { ...withoutAgentOrPulumiVars(process.env), ...coldEnv(tmp, mock, { PULUMI_AGENT_PULUMI_BIN: FAKE }) };
const agent = { ...human, AI_AGENT: "ci-smoke" };
const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    process.stderr.write(`ok   ${name}\n`);
  } catch (err) {
    results.push(false);
    process.stderr.write(`FAIL ${name}: ${err.message}\n`);
  }
}
const expect = (cond, what) => {
  if (!cond) throw new Error(what);
};

let login;
try {
  await check("an agent's account bootstrap signs up", async () => {
    const r = await run(process.execPath, [BIN, "account", "bootstrap", "--json"], agent);
    expect(r.code === 0, `exit ${r.code}: ${r.stderr}`);
    login = JSON.parse(r.stdout).username;
    expect(login === mock.state.agents()[0]?.login, `username ${login}`);
  });
  await check("an agent's pulumi whoami runs with that account", async () => {
    const r = await run(process.execPath, [BIN, "whoami"], agent);
    expect(r.code === 0 && r.stdout === `${login}\n`, `exit ${r.code}, stdout ${JSON.stringify(r.stdout)}: ${r.stderr}`);
  });
  await check("a human's pulumi version is a passthrough", async () => {
    const r = await run(process.execPath, [BIN, "version"], human);
    expect(r.code === 0 && r.stdout === "v3.999.0\n" && r.stderr === "", `exit ${r.code}, ${JSON.stringify(r)}`);
  });
  await check("account shim: its pulumi runs pulumi-agent", async () => {
    const made = await run(process.execPath, [BIN, "account", "shim", path.join(tmp, "cli")], human);
    expect(made.code === 0, `shim exit ${made.code}: ${made.stderr}`);
    const r = await run(path.join(tmp, "cli", "bin", "pulumi"), ["version"], human);
    expect(r.code === 0 && r.stdout === "v3.999.0\n", `exit ${r.code}, ${JSON.stringify(r)}`);
  });
} finally {
  await mock.close();
  rmSync(tmp, { recursive: true, force: true });
}
const passed = results.filter(Boolean).length;
console.log(`cli-on-node${process.versions.node}: ${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length ? 0 : 1;
