// What every step the shell performs for the plan needs from its caller.
type Env = Readonly<Record<string, string | undefined>>;

export interface DriveContext {
  env: Env;
  cwd: string;
  /** Our messages (stderr). */
  write: (text: string) => void;
  /** Cancels a signup or refresh in flight (Ctrl-C, SIGTERM). */
  signal: AbortSignal;
  /** Our name for the agent, and what we send as agentName. */
  agentName: string | undefined;
  wireName: string | undefined;
}
