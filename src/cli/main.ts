// Entry point. The hot path (a human, a local command, or an agent with credentials) loads only node
// built-ins and small modules; the network client, the solver and commander load only when needed.
import { agentLabel, detectAgent } from "../detect/agents.js";
import { readCommand } from "../core/commands.js";
import { plan, type PlanFacts } from "../core/plan.js";
import { execPulumi, locatePulumi, nestedWrapper } from "../run/exec-pulumi.js";
import { debug } from "../log/debug.js";
import { processIo, type Io } from "./io.js";

/** `pulumi-agent`, `--help`, `-h`, `--version`: pulumi's own when it is installed, ours when it is not. */
function isOwnSurface(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && ["--help", "-h", "--version", "help"].includes(argv[0] as string));
}

async function main(argv: string[], io: Io): Promise<void> {
  if (argv[0] === "account") {
    const { runAccountCommand } = await import("./account/program.js");
    process.exitCode = await runAccountCommand(argv.slice(1), io);
    return;
  }
  // `pulumi-agent -- <args>`: the rest is pulumi's, whatever its first word.
  const pulumiArgs = argv[0] === "--" ? argv.slice(1) : argv;
  const { env } = io;

  // Started by a parent pulumi-agent through a `pulumi` wrapper script: the parent already did the agent
  // work, so this run only has to find the real pulumi.
  if (nestedWrapper(env) !== undefined) {
    debug(env, "nested run through a pulumi wrapper: passthrough");
    return execPulumi(pulumiArgs, { env, stderr: io.stderr });
  }
  if (argv[0] !== "--" && isOwnSurface(pulumiArgs) && !locatePulumi(env).ok) {
    const { printAbout } = await import("./about.js");
    process.exitCode = printAbout(pulumiArgs, io);
    return;
  }

  const detection = detectAgent(env, { stdoutIsTTY: io.stdoutIsTTY });
  const facts: PlanFacts = {
    form: "wrapper",
    command: readCommand(pulumiArgs),
    agent: { isAgent: detection.isAgent, name: detection.name, optedOut: detection.source === "disabled" },
    env,
    now: Date.now(),
  };
  const first = plan(facts);
  if (first.kind === "exec") {
    // A human, or a command that needs no credentials: nothing was read, nothing is added.
    debug(env, `passthrough: ${first.reason}`);
    return execPulumi(pulumiArgs, { env, childEnv: first.childEnv, stderr: io.stderr });
  }
  debug(env, `agent detected: ${agentLabel(detection)} (${detection.reason}); ${facts.command.reason}`);
  const { runWrapper } = await import("./wrapper.js");
  return runWrapper(pulumiArgs, facts, io, detection.wireName);
}

const io = processIo();
main(process.argv.slice(2), io).catch(async (err: unknown) => {
  const { reportError } = await import("./errors.js");
  process.exit(reportError(err, io));
});
