// An Automation API program in ES module TypeScript: pulumi-agent gives it a Pulumi Cloud login (an agent
// account when an AI agent runs it), then the real @pulumi/pulumi drives the pulumi CLI with it.
// README example: begin
import { fileURLToPath } from "node:url";
import { ensureCredentials } from "pulumi-agent";
// @pulumi/pulumi has no "exports" map: an ES module names the file (a directory import fails in Node).
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";

const workDir = fileURLToPath(new URL("../project", import.meta.url)); // a directory with a Pulumi.yaml
const creds = await ensureCredentials({ cwd: workDir }); // signs up only under an agent (or with { agentName })
if (creds.claimUrl) console.error(`Claim this account: ${creds.claimUrl}`);

const ws = await LocalWorkspace.create({ workDir, envVars: creds.envVars }); // envVars: e.g. PULUMI_CREDENTIALS_PATH
const who = await ws.whoAmI();
const stack = await LocalWorkspace.createOrSelectStack({ stackName: "dev", workDir }, { envVars: creds.envVars });
// README example: end

console.log(JSON.stringify({ user: who.user, stack: stack.name, created: creds.created, claimUrl: creds.claimUrl }));
