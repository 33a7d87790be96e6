// The Automation API examples (examples/automation-api/commonjs and esm), as a user runs them: the package
// packed and installed from its tarball with no registry, the example compiled by tsc against the
// installed declarations (CommonJS under node16 resolution, ESM under nodenext), then run under an agent
// with the REAL @pulumi/pulumi (the repository's devDependency) driving the fake pulumi against the mock.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_PULUMI, REPO_ROOT } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { installTarball, linkPackage, packRepo, tempDir } from "../support/package.js";
import { readRecords, runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 6 } });
const EXAMPLES = ["commonjs", "esm"] as const;
let work = "";
const apps: Record<string, string> = {};

beforeAll(() => {
  work = tempDir("pa-examples-");
  const { tarball } = packRepo(work);
  const installed = installTarball(tarball, path.join(work, "prefix"));
  for (const name of EXAMPLES) {
    const app = path.join(work, name);
    cpSync(path.join(REPO_ROOT, "examples", "automation-api", name), app, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
    // pulumi-agent from the tarball; @pulumi/pulumi and the Node types from the repository (no registry here).
    linkPackage(app, "pulumi-agent", installed);
    linkPackage(app, "@pulumi", path.join(REPO_ROOT, "node_modules", "@pulumi"));
    linkPackage(app, "@types", path.join(REPO_ROOT, "node_modules", "@types"));
    const tsc = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", app], { encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`tsc ${name} failed:\n${tsc.stdout}${tsc.stderr}`);
    apps[name] = app;
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function agentEnv(): NodeJS.ProcessEnv {
  // The Automation API runs `pulumi` from PATH: the fake one.
  mkdirSync(ctx.sb.binDir, { recursive: true });
  symlinkSync(FAKE_PULUMI, path.join(ctx.sb.binDir, "pulumi"));
  return { ...ctx.sb.env, CLAUDECODE: "1", PATH: `${ctx.sb.binDir}${path.delimiter}${process.env.PATH}` };
}

describe.each(EXAMPLES)("examples/automation-api/%s", (name) => {
  it("signs up under an agent, then whoAmI and createOrSelectStack work with the account; a second run reuses both", async () => {
    const env = agentEnv();
    const program = [process.execPath, path.join(apps[name]!, "dist", "index.js")];
    const first = await runBin([], env, { command: program, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const agent = ctx.mock.state.agents().at(-1)!;
    const out = JSON.parse(first.stdout);
    expect(out).toEqual({ user: agent.login, stack: "dev", created: true, claimUrl: ctx.mock.claimUrl(agent.claimToken) });
    expect(first.stderr).toContain(`Claim this account: ${out.claimUrl}`);
    // The stack exists on the cloud, made with the agent account's token.
    expect(ctx.mock.state.entitiesOf(agent.orgName)).toEqual([{ kind: "stack", name: "automation-example/dev" }]);
    // What the SDK asked the CLI, in order (each workspace checks the version first); all but the version
    // checks as an Automation API command, with the stored agent account.
    const runs = readRecords(ctx.record).filter((r) => r.event === "run");
    expect(runs.map((r) => r.argv!.filter((a) => a !== "--non-interactive").join(" "))).toEqual(["version", "whoami --json", "version", "stack select --stack dev", "stack init dev"]);
    const commands = runs.filter((r) => r.argv![0] !== "version");
    expect(commands.map((r) => [r.env.PULUMI_AUTOMATION_API, r.tokenSource])).toEqual(Array(3).fill(["true", "credentials"]));

    const second = await runBin([], env, { command: program, timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ user: agent.login, stack: "dev", created: false, claimUrl: out.claimUrl });
    expect(ctx.mock.state.agents()).toHaveLength(EXAMPLES.indexOf(name) + 1);
    expect(readRecords(ctx.record).filter((r) => r.event === "write")).toHaveLength(1); // selected, not created again
  });
});

describe("README", () => {
  it("shows the ESM example's code, unchanged", () => {
    const example = readFileSync(path.join(REPO_ROOT, "examples", "automation-api", "esm", "index.ts"), "utf8");
    const region = /\/\/ README example: begin\n([\s\S]*?)\/\/ README example: end\n/.exec(example)?.[1];
    expect(region).toBeTruthy();
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("```ts\n" + region + "```");
  });
});

it("the examples' own package.json files ask for the package and SDK the test installs", () => {
  const ours = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  for (const name of EXAMPLES) {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "examples", "automation-api", name, "package.json"), "utf8"));
    expect(pkg.dependencies["pulumi-agent"]).toBe(`^${ours.version}`);
    expect(pkg.dependencies["@pulumi/pulumi"]).toBe(`^${ours.devDependencies["@pulumi/pulumi"]}`);
    expect(pkg.type === "module").toBe(name === "esm");
  }
});

it("the installed package runs as a CLI too", async () => {
  const r = await runBin(["account", "--version"], ctx.sb.env, { command: [process.execPath, path.join(work, "prefix", "node_modules", "pulumi-agent", "bin", "pulumi-agent.js")] });
  expect(r).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version}\n` });
});
