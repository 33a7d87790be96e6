// `pulumi-agent account shim <dir>` with the real Automation API: the Node SDK's PulumiCommand.get({ root })
// runs <root>/bin/pulumi, so every call of the program goes through the wrapper, which signs up under an
// agent, finds the real (fake) pulumi on PATH past the shim, and runs it with the account.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, FAKE_PULUMI, REPO_ROOT } from "../support/sandbox.js";
import { useAgentContext } from "../support/context.js";
import { linkPackage } from "../support/package.js";
import { readRecords, runBin } from "../support/run.js";

const ctx = useAgentContext({ mock: { difficulty: 6 } });

/** An Automation API program that uses only the shim (no pulumi-agent import). */
function program(root: string): string[] {
  const app = path.join(ctx.sb.root, "app");
  mkdirSync(path.join(app, "project"), { recursive: true });
  writeFileSync(path.join(app, "project", "Pulumi.yaml"), "name: shimmed\nruntime: nodejs\n");
  linkPackage(app, "@pulumi", path.join(REPO_ROOT, "node_modules", "@pulumi"));
  const main = path.join(app, "main.mjs");
  writeFileSync(
    main,
    `import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
const workDir = ${JSON.stringify(path.join(app, "project"))};
const pulumiCommand = await PulumiCommand.get({ root: ${JSON.stringify(root)} });
const ws = await LocalWorkspace.create({ workDir, pulumiCommand });
const who = await ws.whoAmI();
const stack = await LocalWorkspace.createOrSelectStack({ stackName: "dev", workDir }, { pulumiCommand });
const stacks = await stack.workspace.listStacks();
await stack.setConfig("greeting", { value: "hello" });
const greeting = await stack.getConfig("greeting");
process.stdout.write(JSON.stringify({ command: pulumiCommand.command, version: String(pulumiCommand.version), user: who.user, stacks, greeting }));
`,
  );
  return [process.execPath, main];
}

describe("account shim", () => {
  it("writes <dir>/bin/pulumi; PulumiCommand.get({ root }) then sends every Automation API call through pulumi-agent", async () => {
    const root = path.join(ctx.sb.root, "pulumi-root");
    const made = await runBin(["account", "shim", root, "--json"], ctx.sb.env);
    expect(made.code, made.stderr).toBe(0);
    const shim = path.join(root, "bin", "pulumi");
    expect(JSON.parse(made.stdout)).toEqual({ root, command: [process.execPath, BIN], files: [{ path: shim, status: "created" }] });
    expect(readFileSync(shim, "utf8")).toContain(`exec '${process.execPath}' '${BIN}' "$@"`);

    // The real pulumi (the fake one) is on PATH; the SDK puts <root>/bin before it.
    symlinkSync(FAKE_PULUMI, path.join(ctx.sb.binDir, "pulumi"));
    const env = { ...ctx.sb.env, CLAUDECODE: "1", PATH: `${ctx.sb.binDir}${path.delimiter}${process.env.PATH}` };
    const r = await runBin([], env, { command: program(root), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const agent = ctx.mock.state.agents().at(-1)!;
    expect(ctx.mock.state.agents()).toHaveLength(1);
    expect(out).toEqual({
      command: shim,
      version: "3.999.0",
      user: agent.login,
      stacks: [{ name: "dev", current: true, updateInProgress: false, url: `${ctx.mock.url}/${agent.login}/shimmed/dev` }],
      greeting: { value: "hello", secret: false },
    });
    expect(ctx.mock.state.entitiesOf(agent.orgName)).toEqual([{ kind: "stack", name: "shimmed/dev" }]);
    // Every command reached the real pulumi through the wrapper (its guard), never the shim twice.
    const runs = readRecords(ctx.record).filter((e) => e.event === "run");
    // PulumiCommand.get checks the version once; the workspaces given it do not ask again.
    expect(runs.map((e) => e.argv!.slice(0, 2).join(" "))).toEqual(["version", "whoami --json", "stack select", "stack init", "stack ls", "config set", "config get"]);
    expect(runs.every((e) => e.env.PULUMI_AGENT_EXEC_GUARD?.endsWith(`:${path.join(ctx.sb.binDir, "pulumi")}`))).toBe(true);
    expect(runs.filter((e) => e.argv![0] !== "version").every((e) => e.tokenSource === "credentials")).toBe(true);
    // The claim link was kept where `account status` finds it.
    expect(JSON.parse(readFileSync(path.join(ctx.sb.pulumiHome, "agent-claim.json"), "utf8")).claimUrl).toBe(ctx.mock.claimUrl(agent.claimToken));
  });

  it("is idempotent, and refuses to replace a pulumi that is not a shim", async () => {
    const root = path.join(ctx.sb.root, "r");
    expect((await runBin(["account", "shim", root], ctx.sb.env)).stdout).toMatch(/^created .*\/r\/bin\/pulumi\n/);
    const again = await runBin(["account", "shim", root], ctx.sb.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^unchanged .*\/r\/bin\/pulumi\nIt runs: /);
    expect(again.stdout).toContain(`Python  auto.PulumiCommand(root=${JSON.stringify(root)})`);

    const other = path.join(ctx.sb.root, "other");
    mkdirSync(path.join(other, "bin"), { recursive: true });
    writeFileSync(path.join(other, "bin", "pulumi"), "#!/bin/sh\necho real\n");
    const refused = await runBin(["account", "shim", other, "--json"], ctx.sb.env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: "shim-exists" });
    expect(readFileSync(path.join(other, "bin", "pulumi"), "utf8")).toBe("#!/bin/sh\necho real\n");
    expect(existsSync(path.join(other, "bin", "pulumi.cmd"))).toBe(false);

    const usage = await runBin(["account", "shim"], ctx.sb.env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Missing required argument 'dir'.*account shim --help/);
  });
});
