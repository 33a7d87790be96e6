// Start the real pulumi and end this process the way it ended.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEPTH_VAR, GUARD_VAR, MAX_DEPTH, findRealPulumi, readGuard, startedByOurselves } from "../exec/find-pulumi.js";
import { exitLike, runChild, type ChildOutcome } from "../exec/run-child.js";
import { AgentError, describeError } from "../core/errors.js";

// Set by the bundler (scripts/build.mjs): where the bin launcher and the CLI entry are, relative to the
// bundle's files. Unset when this module runs from the TypeScript sources (tests).
declare const PULUMI_AGENT_SELF_BIN: string | undefined;
declare const PULUMI_AGENT_SELF_CLI: string | undefined;
let selfPaths: string[] | undefined;
/** Our own entry points, the bin launcher and the built main module (computed when first needed). */
export function ownPaths(): string[] {
  if (!selfPaths) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    selfPaths =
      typeof PULUMI_AGENT_SELF_BIN === "string" && typeof PULUMI_AGENT_SELF_CLI === "string"
        ? [path.resolve(here, PULUMI_AGENT_SELF_BIN), path.resolve(here, PULUMI_AGENT_SELF_CLI)]
        : [path.resolve(here, "..", "..", "bin", "pulumi-agent.js"), path.resolve(here, "..", "cli", "main.js")];
  }
  return selfPaths;
}

export interface ExecOptions {
  env: NodeJS.ProcessEnv;
  /** Extra variables for the child only (e.g. PULUMI_CREDENTIALS_PATH). */
  childEnv?: Record<string, string>;
  /** Runs after pulumi exits, before we exit (post-run reminder, diagnosis). */
  after?: ((outcome: ChildOutcome) => Promise<void>) | undefined;
  /** Where our own messages go. */
  stderr: (text: string) => void;
  /** The pulumi the plan already located (its `pulumi` fact), so it is not looked up twice. */
  pulumiPath?: string | undefined;
}

export type LocateResult = { ok: true; path: string; depth: number } | { ok: false; message: string; exitCode: number };

type Env = Readonly<Record<string, string | undefined>>;

let nestedCache: { skip: string | undefined } | undefined;
/**
 * When a parent pulumi-agent started us through a `pulumi` wrapper script, the wrapper it ran (to be
 * skipped); else undefined. Computed once per process: it may read /proc.
 */
export function nestedWrapper(env: Env): string | undefined {
  if (!nestedCache) {
    const guard = readGuard(env);
    nestedCache = { skip: guard && startedByOurselves(guard, process.ppid) ? guard.pulumi : undefined };
  }
  return nestedCache.skip;
}

/** How many pulumi-agents started this one (each sets DEPTH_VAR for its child). */
function nestingDepth(env: Env): number {
  return Number(env[DEPTH_VAR] ?? 0) || 0;
}

export function locatePulumi(env: Env): LocateResult {
  const depth = nestingDepth(env);
  if (depth >= MAX_DEPTH) {
    return { ok: false, exitCode: 1, message: `pulumi-agent is calling itself (${depth} levels deep): the \`pulumi\` it finds runs pulumi-agent again. Set PULUMI_AGENT_PULUMI_BIN to the real pulumi binary.` };
  }
  const wrapper = nestedWrapper(env);
  const found = findRealPulumi({ env, selfPaths: ownPaths(), skip: wrapper ? [wrapper] : [] });
  if (!found.ok) return { ok: false, exitCode: found.reason === "not-found" ? 127 : 1, message: found.message };
  return { ok: true, path: found.path, depth };
}

/** Run pulumi with our stdio, then the `after` hook, then exit like pulumi did. */
export async function execPulumi(args: readonly string[], o: ExecOptions): Promise<never> {
  const located: LocateResult = o.pulumiPath ? { ok: true, path: o.pulumiPath, depth: nestingDepth(o.env) } : locatePulumi(o.env);
  if (!located.ok) {
    o.stderr(`pulumi-agent: ${located.message}\n`);
    process.exit(located.exitCode);
  }
  const env: NodeJS.ProcessEnv = {
    ...o.env,
    ...o.childEnv,
    [GUARD_VAR]: `${process.pid}:${located.path}`,
    [DEPTH_VAR]: String(located.depth + 1),
  };
  let outcome: ChildOutcome;
  try {
    outcome = await runChild(located.path, args, env);
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    o.stderr(`pulumi-agent: ${e instanceof AgentError ? describeError(e) : e.message}\n`);
    process.exit(e.exitCode ?? 1);
  }
  if (o.after) {
    try {
      await o.after(outcome);
    } catch (err) {
      // Post-run extras must never change pulumi's exit status.
      o.stderr(`pulumi-agent: ${(err as Error).message}\n`);
    }
  }
  return exitLike(outcome);
}
