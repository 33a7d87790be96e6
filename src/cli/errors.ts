// The one place that turns a failure into output and an exit status: one paragraph on stderr (what
// happened, what to do), or with --json a {"error": {code, message, hint}} document on stdout. Tokens
// never appear in either.
import { AgentError, describeError } from "../core/errors.js";
import type { Failure } from "../core/plan.js";
import { debugEnabled, redact } from "../log/debug.js";
import type { Io } from "./io.js";

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Any thrown value as one of our errors: ours as they are, a cancellation, or an internal error. */
export function asAgentError(err: unknown, cancelledBy?: NodeJS.Signals): AgentError {
  if (cancelledBy || (err instanceof Error && err.name === "AbortError")) {
    return new AgentError("Cancelled; nothing was stored.", { code: "cancelled", exitCode: SIGNAL_EXIT[cancelledBy ?? "SIGINT"] ?? 130 });
  }
  if (err instanceof AgentError) return err;
  const e = err as Error & { exitCode?: unknown; code?: unknown; hint?: unknown };
  // An AgentError of another bundle's copy of core/errors (cli.js and its lazy parts are separate bundles).
  if (e instanceof Error && typeof e.exitCode === "number" && typeof e.code === "string") {
    return new AgentError(e.message, { code: e.code, hint: typeof e.hint === "string" ? e.hint : undefined, exitCode: e.exitCode });
  }
  const message = e instanceof Error ? e.message : String(err);
  return new AgentError(`Unexpected error: ${message}`, {
    code: "internal-error",
    hint: "This is a bug in pulumi-agent: please report it with the output of the same command run with PULUMI_AGENT_DEBUG=1.",
    cause: err,
  });
}

/** A plan's refusal: its message and hint, plus the agent-facing blocks printed before them. */
export class PlanFailure extends AgentError {
  override name = "PlanFailure";
  readonly blocks: string | undefined;
  constructor(f: Failure) {
    super(f.message, { code: f.code, hint: f.hint, exitCode: f.exitCode });
    this.blocks = f.blocks;
  }
}

export function failureError(f: Failure): PlanFailure {
  return new PlanFailure(f);
}

/** Print the error (text on stderr, or JSON on stdout) and return the exit status to end with. */
export function reportError(err: unknown, io: Io, o: { json?: boolean } = {}): number {
  const e = asAgentError(err);
  const blocks = e instanceof PlanFailure ? e.blocks : undefined;
  if (blocks) io.stderr(blocks);
  if (o.json) {
    const body = { error: { code: e.code, message: redact(e.message), ...(e.hint ? { hint: redact(e.hint) } : {}) } };
    io.stdout(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    io.stderr(`pulumi-agent: ${redact(describeError(e))}\n`);
  }
  if (e.code === "internal-error" && debugEnabled(io.env) && e.cause instanceof Error && e.cause.stack) io.stderr(`${redact(e.cause.stack)}\n`);
  return e.exitCode;
}
