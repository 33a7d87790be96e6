// `pulumi-agent account ...`: our own commands, under one word no pulumi command uses.
// Human-readable output goes to stderr... except what the user explicitly asked to read: status text
// and --json documents go to stdout (they are the command's output, not a wrapper's side channel).
import { Command, Option } from "commander";
import { classifyCommand } from "../core/command.js";
import { detectAgent } from "../detect/agents.js";
import { resolveCredentials } from "./resolve.js";
import { reportFrom, renderReport } from "./account-view.js";
import { UserFacingError } from "./fatal.js";
import { packageVersion } from "../bootstrap/user-agent.js";

const stderr = (text: string) => void process.stderr.write(text);
const stdout = (text: string) => void process.stdout.write(text);

interface CommonOpts {
  json?: boolean;
  cwd?: string;
  cloudUrl?: string;
}

/** A synthetic pulumi command that resolves the backend like `pulumi whoami` would. */
function commandFor(o: CommonOpts) {
  const argv = ["whoami", ...(o.cwd ? ["--cwd", o.cwd] : [])];
  const info = classifyCommand(argv);
  return o.cloudUrl ? { ...info, loginTarget: o.cloudUrl } : info;
}

function addCommon(cmd: Command): Command {
  return cmd
    .option("--json", "print a machine-readable JSON document on stdout")
    .option("-C, --cwd <dir>", "resolve the backend from the Pulumi project in this directory")
    .option("--cloud-url <url>", "the Pulumi Cloud API URL (default: as pulumi would choose)");
}

function disabled(env: NodeJS.ProcessEnv): boolean {
  const v = (env.PULUMI_AGENT_DISABLE ?? "").trim().toLowerCase();
  return v !== "" && !["0", "false", "no", "off"].includes(v);
}

export async function runAccountCommand(argv: string[]): Promise<void> {
  const program = new Command("pulumi-agent account")
    .description("Manage the ephemeral Pulumi Cloud agent account pulumi-agent creates for AI coding agents.")
    .version(packageVersion(), "--version", "print the pulumi-agent version")
    .showHelpAfterError()
    .configureOutput({ writeErr: stderr, writeOut: stdout });

  addCommon(program.command("status", { isDefault: true }))
    .description("show the login pulumi will use: identity, storage path, lifecycle phase, time left, claim link")
    .action(async (o: CommonOpts) => {
      const res = await resolveCredentials(commandFor(o), process.env, process.cwd());
      const report = reportFrom(res);
      stdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    });

  addCommon(program.command("bootstrap"))
    .description("create the agent account if none is usable (or reuse it), print the claim link; runs no pulumi")
    .addOption(new Option("--new-account", "create a new agent account even if one exists (its stacks stay in the old one)"))
    .action(async (o: CommonOpts & { newAccount?: boolean }) => {
      const env = process.env;
      if (disabled(env)) {
        throw new UserFacingError("PULUMI_AGENT_DISABLE is set, so pulumi-agent creates no accounts. Unset it to bootstrap an agent account.");
      }
      const detection = detectAgent(env, { stdoutIsTTY: Boolean(process.stdout.isTTY) });
      const { ensureAgentAccount } = await import("../bootstrap/bootstrap.js");
      if (o.newAccount) {
        stderr("pulumi-agent: creating a new agent account. Stacks of the previous agent account stay in it; claim it separately to keep them.\n");
      }
      const out = await ensureAgentAccount({
        command: commandFor(o),
        env,
        cwd: process.cwd(),
        agentName: detection.isAgent ? detection.name : undefined,
        forceNew: Boolean(o.newAccount),
        write: stderr,
      });
      const report = reportFrom(out.resolution);
      if (report.credentials === "none" || report.credentials === "error") {
        throw new UserFacingError(report.problem ?? "no usable credentials");
      }
      if (o.json) {
        stdout(`${JSON.stringify({ created: Boolean(out.created), ...report }, null, 2)}\n`);
        return;
      }
      if (!out.created) {
        stderr(
          report.isAgentAccount
            ? `pulumi-agent: reusing agent account ${report.username ?? ""}. Claim it: ${report.claimUrl}\n`
            : `pulumi-agent: already logged in (${report.credentials === "PULUMI_ACCESS_TOKEN" ? "PULUMI_ACCESS_TOKEN" : report.username}); no agent account needed.\n`,
        );
      }
      stderr(renderReport(report));
    });

  await program.parseAsync(argv, { from: "user" });
}
