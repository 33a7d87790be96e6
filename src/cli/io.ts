// What a command touches of the process, injected so a command runs in a test without a process.
import { isatty } from "node:tty";

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the user asked to read (reports, --json documents). */
  stdout: (text: string) => void;
  /** Everything else of ours: progress, notices, errors. */
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

export function processIo(): Io {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    // isatty(), not process.stdout.isTTY: creating the stream objects costs start-up time.
    stdoutIsTTY: isatty(1),
    stderrIsTTY: isatty(2),
  };
}
