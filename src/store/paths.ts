// Where credentials live, resolved exactly like the Go CLI (reference §3.1).
import os from "node:os";
import path from "node:path";

export const CREDENTIALS_FILE = "credentials.json";
export const CLAIM_FILE = "agent-claim.json";

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
  if (platform === "win32") return path.win32.join(os.tmpdir(), ".pulumi");
  return "/tmp/.pulumi";
}

export function credentialsFilePath(dir: string): string {
  return path.join(dir, CREDENTIALS_FILE);
}

export function claimFilePath(dir: string): string {
  return path.join(dir, CLAIM_FILE);
}
