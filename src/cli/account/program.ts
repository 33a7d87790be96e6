// `pulumi-agent account ...`: our own commands, under one word no pulumi command uses. What the user
// asked to read (status, doctor, env, --json documents) goes to stdout; progress, claim-link notices and
// warnings go to stderr. Every failure goes through one handler: text on stderr, or JSON on stdout with
// --json; usage errors exit 2.
import { Command, CommanderError, Option } from "commander";
import { AgentError, USAGE_EXIT_CODE } from "../../core/errors.js";
import { packageVersion } from "../../cloud/user-agent.js";
import { reportError } from "../errors.js";
import type { Io } from "../io.js";
import { SHELLS } from "./shell-env.js";

/** The words of our own commands, for `account --help` and for telling a typo from a command. */
export const ACCOUNT_COMMANDS = ["status", "bootstrap", "env", "shim", "claim", "forget", "doctor"] as const;

function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

export async function runAccountCommand(argv: string[], io: Io): Promise<number> {
  const json = wantsJson(argv);
  let exitCode = 0;
  const run = (fn: () => Promise<number>) => async () => {
    exitCode = await fn();
  };

  // Help on stdout; commander's own error text is dropped: the catch below reports it our way.
  const quiet = (cmd: Command): Command =>
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: () => undefined, outputError: () => undefined });
  const withJson = (cmd: Command): Command => quiet(cmd).option("--json", "print a machine-readable JSON document on stdout (errors too)");

  const program = quiet(
    new Command("pulumi-agent account")
      .description(
        "Manage the ephemeral Pulumi Cloud agent account pulumi-agent creates for AI coding agents.\n" +
          "Everything else you pass to pulumi-agent goes to pulumi itself (`pulumi-agent -- <args>` always does).",
      )
      .version(packageVersion(), "--version", "print the pulumi-agent version"),
  );

  const common = (cmd: Command): Command =>
    withJson(cmd)
      .option("-C, --cwd <dir>", "resolve the backend from the Pulumi project in this directory")
      .option("--cloud-url <url>", "the Pulumi Cloud API URL (default: as pulumi would choose)");

  common(program.command("status"))
    .description("show the login pulumi will use: identity, storage path, lifecycle phase, time left, claim link")
    .option("--offline", "do not ask Pulumi Cloud whether the claim is still open")
    .action((o) => run(async () => (await import("./status.js")).status(o, io))());

  common(program.command("bootstrap"))
    .description("create the agent account if none is usable (or reuse it), print the claim link; runs no pulumi")
    .addOption(new Option("--new-account", "create a new agent account even if one exists (the old account's stacks stay in it)"))
    .action((o) => run(async () => (await import("./bootstrap.js")).bootstrap(o, io))());

  common(program.command("env"))
    .description("print shell export lines (PULUMI_BACKEND_URL, PULUMI_ACCESS_TOKEN) for the account, or --json for an Automation API envVars map; creates it if needed")
    .addOption(new Option("--shell <shell>", "output syntax").choices([...SHELLS]))
    .action((o) => run(async () => (await import("./env.js")).env(o, io))());

  withJson(program.command("shim"))
    .description("write <dir>/bin/pulumi, a pulumi that runs pulumi-agent: give <dir> to any Automation API SDK as its Pulumi CLI root")
    .argument("<dir>", "the root directory (the shim goes in <dir>/bin)")
    .action((dir: string, o) => run(async () => (await import("./shim.js")).shim(dir, o, io))());

  common(program.command("forget"))
    .description("remove the agent account and its claim file (the claim link is shown and archived first); never touches a human login")
    .option("--yes", "really remove it (without --yes, only show what would be removed)")
    .action((o) => run(async () => (await import("./forget.js")).forget(o, io))());

  common(program.command("claim"))
    .description("preview (default) or --commit the transfer of the agent account's stacks into your org, using YOUR token in PULUMI_ACCESS_TOKEN")
    .option("--org <org>", "destination organization (default: your first organization)")
    .option("--commit", "perform the transfer (default: preview only)")
    .option("--rename <kind:name=newName...>", "resolve a name conflict by renaming the agent's entity", (v: string, prev: string[] = []) => [...prev, v])
    .action((o) => run(async () => (await import("./claim.js")).claim(o, io))());

  common(program.command("doctor"))
    .description("explain what pulumi-agent would do here: detection, paths and permissions, lock, backend, proxy, reachability, pulumi")
    .action((o) => run(async () => (await import("./doctor.js")).doctor(o, io))());

  // Bare `account` (or `account --json`) means status; an unknown word stays an error.
  const first = argv[0];
  const wantsStatus = first === undefined || (first.startsWith("-") && !["-h", "--help", "--version"].includes(first));
  try {
    await program.parseAsync(wantsStatus ? ["status", ...argv] : argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      // commander's text: "error: unknown command 'x'\n(Did you mean y?)" → one sentence.
      const message = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").replace("(Did you mean", "(did you mean");
      const usage = new AgentError(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`.replace(/\.\.$/, "."), {
        code: "usage",
        hint: `Run \`pulumi-agent account ${first && (ACCOUNT_COMMANDS as readonly string[]).includes(first) ? `${first} ` : ""}--help\` for usage.`,
        exitCode: USAGE_EXIT_CODE,
      });
      return reportError(usage, io, { json });
    }
    return reportError(err, io, { json });
  }
}
