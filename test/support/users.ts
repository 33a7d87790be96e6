// A second, unprivileged user for permission tests: we run as root, and root reads everything.
import { spawnSync } from "node:child_process";

const NAME = "pulumi-agent-test";

function lookup(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** An unprivileged user (created with useradd when we are root and it is missing), or undefined. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.platform === "win32" || process.getuid?.() !== 0) return undefined;
  const found = lookup(NAME);
  if (found) return found;
  spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME], { stdio: "ignore" });
  return lookup(NAME); // also when a concurrent test created it first
}
