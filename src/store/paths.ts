// Which folders credentials live in, resolved exactly like the Go CLI (docs/compatibility.md#directories).
// The file names inside them are core's (core/paths.ts).
import os from "node:os";
import path from "node:path";

export { CLAIM_FILE, CREDENTIALS_FILE, claimFilePath, credentialsFilePath } from "../core/paths.js";

type Env = Record<string, string | undefined>;

/** The OS user's home from the passwd entry, like Go's os/user (not $HOME); $HOME only as a fallback. */
export function osUserHome(): string {
  try {
    const home = os.userInfo().homedir;
    if (home) return home;
  } catch {
    // no passwd entry (e.g. an arbitrary uid in a container)
  }
  return os.homedir();
}

/** The default Pulumi credentials folder: PULUMI_CREDENTIALS_PATH → PULUMI_HOME → <user home>/.pulumi. */
export function credentialsDir(env: Env = process.env): string {
  const explicit = env.PULUMI_CREDENTIALS_PATH;
  if (explicit) return explicit;
  const home = env.PULUMI_HOME;
  if (home) return home;
  return path.join(osUserHome(), ".pulumi");
}

/**
 * The shared agent folder: PULUMI_AGENT_SHARED_DIR, else the Go CLI's /tmp/.pulumi on every non-Windows
 * OS (deliberately not $TMPDIR, so both tools meet in the same place), else <temp>\.pulumi on Windows.
 */
export function sharedAgentDir(env: Env = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.PULUMI_AGENT_SHARED_DIR;
  if (explicit) return explicit;
  if (platform === "win32") return path.win32.join(windowsTempDir(env), ".pulumi");
  return "/tmp/.pulumi";
}

/**
 * Go's os.TempDir() on Windows, from the given env rather than this process's: GetTempPath2 takes
 * the first set of %TMP%, %TEMP%, %USERPROFILE%, else the Windows directory (%SystemRoot%), and Go drops the
 * trailing backslash except after a drive root (`C:\`). Variable names ignore case on Windows.
 * (A SYSTEM process gets C:\Windows\SystemTemp from GetTempPath2 whatever the env says.)
 */
export function windowsTempDir(env: Env): string {
  const dir = winEnv(env, "TMP") || winEnv(env, "TEMP") || winEnv(env, "USERPROFILE") || winEnv(env, "SystemRoot") || winEnv(env, "windir") || "C:\\Windows";
  const withSlash = dir.endsWith("\\") ? dir : `${dir}\\`;
  return /^[A-Za-z]:\\$/.test(withSlash) ? withSlash : withSlash.slice(0, -1);
}

function winEnv(env: Env, name: string): string | undefined {
  const exact = env[name];
  if (exact !== undefined) return exact;
  const upper = name.toUpperCase();
  for (const key of Object.keys(env)) if (key.toUpperCase() === upper) return env[key];
  return undefined;
}
