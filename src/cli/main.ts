// Entry point. The hot path (human, or agent with credentials) imports only node builtins and small
// pure modules; commander, zod, undici and the solver load only when a command needs them.
import { isatty } from "node:tty";
import { detectAgent } from "../detect/agents.js";
import { decideStage1 } from "../core/decide.js";
import { execPulumi, nestedWrapper } from "./exec.js";
import { debug } from "./debug.js";

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "account") {
    const { runAccountCommand } = await import("./account.js");
    return runAccountCommand(argv.slice(1));
  }
  // `pulumi-agent -- <args>`: the rest is pulumi's, whatever its first word.
  const pulumiArgs = argv[0] === "--" ? argv.slice(1) : argv;
  const env = process.env;

  // Started by a parent pulumi-agent through a `pulumi` wrapper script: the parent already did the
  // agent work, so this run only has to find the real pulumi.
  if (nestedWrapper(env) !== undefined) {
    debug(env, "nested run through a pulumi wrapper: passthrough");
    return execPulumi(pulumiArgs, { env });
  }

  // isatty(1), not process.stdout.isTTY: creating the stream object costs start-up time.
  const detection = detectAgent(env, { stdoutIsTTY: isatty(1) });
  const stage1 = decideStage1(pulumiArgs, detection);
  if (stage1.kind === "passthrough") {
    debug(env, `passthrough: ${stage1.reason}`);
    return execPulumi(pulumiArgs, { env });
  }
  debug(env, `agent detected: ${detection.name ?? "unknown"} (${detection.reason})`);
  const { runAsAgent } = await import("./agent-run.js");
  return runAsAgent(pulumiArgs, stage1.command, detection);
}

main(process.argv.slice(2)).catch(async (err: unknown) => {
  const { reportFatal } = await import("./fatal.js");
  reportFatal(err);
});
