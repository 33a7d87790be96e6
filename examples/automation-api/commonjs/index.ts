// An Automation API program in CommonJS TypeScript: pulumi-agent gives it a Pulumi Cloud login (an agent
// account when an AI agent runs it), then the real @pulumi/pulumi drives the pulumi CLI with it.
import * as path from "node:path";
import { ensureCredentials } from "pulumi-agent";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

async function main(): Promise<void> {
  const workDir = path.join(__dirname, "..", "project");
  const creds = await ensureCredentials({ cwd: workDir }); // signs up only under an agent (or with { agentName })
  if (creds.claimUrl) console.error(`Claim this account: ${creds.claimUrl}`);

  const ws = await LocalWorkspace.create({ workDir, envVars: creds.envVars });
  const who = await ws.whoAmI();
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: "dev", workDir }, { envVars: creds.envVars });

  console.log(JSON.stringify({ user: who.user, stack: stack.name, created: creds.created, claimUrl: creds.claimUrl }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
