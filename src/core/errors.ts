// The one base class of pulumi-agent's own failures. Every layer throws a subclass (store, cloud,
// proof of work, exec, the plan's refusals); the CLI's single handler prints `message` and `hint`
// (or, with --json, {"error": {code, message, hint}}) and exits with `exitCode`.

export interface AgentErrorInfo {
  /** Stable machine-readable identifier, kebab-case ("credentials-corrupt", "signup-rejected"). */
  code: string;
  /** What the user can do about it: one or two sentences. */
  hint?: string | undefined;
  /** Process exit status when this error ends the run (default 1; usage errors are 2). */
  exitCode?: number | undefined;
  cause?: unknown;
}

export class AgentError extends Error {
  override name = "AgentError";
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, info: AgentErrorInfo) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.code = info.code;
    this.hint = info.hint;
    this.exitCode = info.exitCode ?? 1;
  }
}

/** Exit status of a usage error of our own commands (unknown option, missing argument). */
export const USAGE_EXIT_CODE = 2;

/** What happened, then what to do: the one-paragraph text form of an error. */
export function describeError(e: AgentError): string {
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}
