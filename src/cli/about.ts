// What `pulumi-agent`, `--help` and `--version` say when the Pulumi CLI is not installed (when it is,
// they are pulumi's own: pulumi-agent is a drop-in).
import { packageVersion } from "../cloud/user-agent.js";
import { installHint } from "../exec/find-pulumi.js";
import type { Io } from "./io.js";

export function aboutText(): string {
  return [
    `pulumi-agent ${packageVersion()}: a drop-in wrapper for the Pulumi CLI that gives AI coding agents a`,
    "Pulumi Cloud login with no human step (an ephemeral agent account the human claims later).",
    "",
    "Usage:",
    "  pulumi-agent <pulumi command> [args]   run pulumi (under an agent, with an agent account if none exists)",
    "  pulumi-agent -- <args>                 pass <args> to pulumi, whatever the first word",
    "  pulumi-agent account [command]         the agent account: status, bootstrap, env, shim, claim, forget, doctor",
    "                                         (see `pulumi-agent account --help`)",
    "",
    `The Pulumi CLI is not installed (or not on PATH). ${installHint()}`,
    "`pulumi-agent account bootstrap` works without it.",
    "",
  ].join("\n");
}

/** Print our own surface; `--version` prints just the version line. Exit status 0: the user asked for this. */
export function printAbout(argv: readonly string[], io: Io): number {
  if (argv[0] === "--version") {
    io.stdout(`pulumi-agent ${packageVersion()}\n`);
    io.stderr(`pulumi-agent: the Pulumi CLI is not installed (or not on PATH). ${installHint()}\n`);
    return 0;
  }
  io.stdout(aboutText());
  return 0;
}
