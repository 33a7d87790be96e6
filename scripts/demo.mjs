// `npm run demo`: the whole loop against the embedded mock Pulumi Cloud, in a throwaway HOME.
//  1. an agent runs `pulumi-agent whoami` with no credentials → signup, claim link, pulumi runs
//  2. a second command reuses the account (reminder + claim block)
//  3. `account status`
//  4. the human claims the account on the mock console page
//  5. the next run tells the agent to ask the human for `pulumi login`
// Uses a real `pulumi` if one is installed, else the fake one from fixtures/.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, realpathSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { startMockCloud } = await import(path.join(root, "dist/mock-cloud-server.mjs"));
const { withoutAgentOrPulumiVars } = await import(path.join(root, ".build/dev/detect/env-vars.js"));
const { findRealPulumi } = await import(path.join(root, ".build/dev/exec/find-pulumi.js"));

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s) => console.log(`\n${bold(`== ${s}`)}`);

const mock = await startMockCloud({ difficulty: 16, demoHuman: { login: "demo-human", token: "pul-human-demo-token", orgs: ["demo-human"] } });
const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), "pulumi-agent-demo-")));
const home = path.join(tmp, "home");
mkdirSync(home, { recursive: true });
// A real pulumi on PATH (never pulumi-agent itself), else the fake one.
const found = findRealPulumi({ env: process.env, selfPaths: [path.join(root, "bin/pulumi-agent.js")] });
const realPulumi = found.ok ? found.path : undefined;
const pulumiBin = realPulumi ?? path.join(root, "fixtures/fake-pulumi/pulumi");

const env = withoutAgentOrPulumiVars(process.env);
Object.assign(env, {
  HOME: home,
  PULUMI_HOME: path.join(home, ".pulumi"),
  PULUMI_AGENT_SHARED_DIR: path.join(tmp, "shared", ".pulumi"),
  PULUMI_BACKEND_URL: mock.url,
  PULUMI_CONSOLE_DOMAIN: mock.consoleDomain,
  PULUMI_AGENT_PULUMI_BIN: pulumiBin,
  AI_AGENT: "claude-code", // simulate an agent
  PULUMI_SKIP_UPDATE_CHECK: "true",
});

// Async spawn: the mock server lives in this process and must keep answering while the child runs.
function run(args) {
  console.log(`$ pulumi-agent ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/pulumi-agent.js"), ...args], { env, stdio: "inherit" });
    child.on("close", (code, signal) => {
      console.log(`(exit ${code ?? signal})`);
      resolve(code);
    });
  });
}

try {
  console.log(`mock Pulumi Cloud at ${mock.url}; pulumi: ${realPulumi ? realPulumi : "fake (fixtures/fake-pulumi)"}; HOME=${home}`);
  step("1. first run under an agent, no credentials: sign up, show the claim link, run pulumi");
  await run(["whoami"]);
  step("2. second run: the account is reused (no new signup)");
  await run(["whoami"]);
  step("3. account status");
  await run(["account", "status"]);
  console.log(`signups made on the mock: ${mock.state.agents().length}`);

  step("4. the human opens the claim link and clicks Claim (simulated with an HTTP POST to the console page)");
  const claim = await (await import(path.join(root, ".build/dev/store/claim.js"))).readClaimFile(path.join(env.PULUMI_HOME, "agent-claim.json"));
  const claimUrl = claim.kind === "ok" ? claim.claim.claimUrl : undefined;
  if (!claimUrl) throw new Error("no claim link was stored");
  console.log(`POST ${claimUrl}`);
  const res = await fetch(claimUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "demo=1" });
  console.log(`console answered HTTP ${res.status}`);

  step("5. next run: the agent is told to ask the human for `pulumi login`");
  await run(["whoami"]);
} finally {
  await mock.close();
  rmSync(tmp, { recursive: true, force: true });
}
