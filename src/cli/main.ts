// Entry point. The hot path (a human, or a command pulumi-agent leaves alone) loads only this small
// module, detection and the exec code; the plan, the credential files, the network client, the solver and
// commander load only when a run needs them (./agent.js and the account commands).
import { agentFact, detectAgent } from "../detect/agents.js";
import { leftAlone } from "../core/gate.js";
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

  const detection = detectAgent(env);
  const agent = agentFact(detection);
  const alone = leftAlone(agent);
  if (alone) {
    // A human (or an opt-out): nothing was read, nothing is added.
    debug(env, `passthrough: ${alone}`);
    return execPulumi(pulumiArgs, { env, stderr: io.stderr });
  }
  const { runAgent } = await import("./agent.js");
  return runAgent(pulumiArgs, detection, agent, io);
}

const io = processIo();
main(process.argv.slice(2), io).catch(async (err: unknown) => {
  const { reportError } = await import("./errors.js");
  process.exit(reportError(err, io));
});
