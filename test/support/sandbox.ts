// Per-test isolation: temp HOME, PULUMI_HOME and shared agent dir, and a child-process environment
// scrubbed of every agent marker and Pulumi variable.
import { mkdtemp, mkdir, rm, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isAgentOrPulumiVar } from "../../src/detect/env-vars.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = path.join(REPO_ROOT, "bin", "pulumi-agent.js");
export const FAKE_PULUMI = path.join(REPO_ROOT, "fixtures", "fake-pulumi", "pulumi");
/** Preloaded into every Node child process of a test: refuses non-loopback connections. */
export const LOOPBACK_GUARD = path.join(REPO_ROOT, "test", "support", "loopback-only.cjs");

/** Remove every agent marker, every PULUMI_* variable and proxy settings from an env object. */
export function scrubInPlace(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  for (const key of Object.keys(env)) {
    if (isAgentOrPulumiVar(key, env[key]) || /^(https?|no|all)_proxy$/i.test(key)) {
      delete env[key];
    }
  }
  return env;
}

export interface Sandbox {
  /** Root temp dir; everything below is removed by cleanup(). */
  root: string;
  home: string;
  pulumiHome: string;
  sharedDir: string;
  /** Directory holding the fake `pulumi` first on PATH. */
  binDir: string;
  /** Scrubbed env for child processes: HOME/PULUMI_HOME/shared dir isolated, no agent markers. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export interface SandboxOptions {
  /** Extra variables (e.g. an agent marker) merged over the scrubbed env. */
  env?: NodeJS.ProcessEnv;
}

export async function makeSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), "pa-test-")));
  const home = path.join(root, "home");
  const pulumiHome = path.join(home, ".pulumi");
  const sharedDir = path.join(root, "shared", ".pulumi");
  const binDir = path.join(root, "bin");
  await mkdir(home, { recursive: true });
  await mkdir(path.dirname(sharedDir), { recursive: true });
  await mkdir(binDir, { recursive: true });
  const env = scrubInPlace({ ...process.env });
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    PULUMI_HOME: pulumiHome,
    PULUMI_AGENT_SHARED_DIR: sharedDir,
    // The fake pulumi's stand-in for the Go CLI's test override of the agent dir.
    PULUMI_TEST_AGENT_PULUMI_DIR: sharedDir,
    // Nothing in a test may ever reach the real service: point the default API at a closed port.
    PULUMI_API: "http://127.0.0.1:9",
    NO_COLOR: "1",
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${JSON.stringify(LOOPBACK_GUARD)}`].filter(Boolean).join(" "),
    ...opts.env,
  });
  return {
    root,
    home,
    pulumiHome,
    sharedDir,
    binDir,
    env,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
