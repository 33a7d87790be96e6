// What a command touches of the process, injected so a command runs in a test without a process.
import { writeSync } from "node:fs";
import { isatty } from "node:tty";

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the user asked to read (reports, --json documents). */
  stdout: (text: string) => void;
  /** Everything else of ours: progress, notices, errors. */
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
}

export function processIo(): Io {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => void process.stdout.write(t),
    stderr: writeStderr,
    // isatty(), not process.stdout.isTTY: creating the stream objects costs start-up time.
    stdoutIsTTY: isatty(1),
  };
}

/**
 * Our messages straight to fd 2: creating process.stderr costs a stream object (and its modules) on every
 * run that says anything. A stderr that cannot take the bytes at once (a non-blocking pipe) gets the stream.
 */
function writeStderr(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(2, bytes, done);
  } catch {
    process.stderr.write(bytes.subarray(done));
  }
}
