// The package as users get it: packed by npm from the built dist/ (`npm test` builds first), installed
// from the tarball with no registry and an empty npm cache.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./sandbox.js";

export interface Packed {
  /** The .tgz npm pack wrote. */
  tarball: string;
  /** What `npm pack --json` said about it. */
  info: { size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
}

/** npm with no registry, an empty cache of its own, and nothing of the outer npm run's configuration. */
export function npm(args: string[], cwd: string, cacheDir: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  Object.assign(env, { npm_config_cache: cacheDir, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" });
  const r = spawnSync("npm", args, { cwd, env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

/** `npm pack` of the repository as it is built now (--ignore-scripts: the prepack build already ran). */
export function packRepo(into: string): Packed {
  if (!existsSync(path.join(REPO_ROOT, "dist", "cli.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const r = npm(["pack", "--json", "--ignore-scripts", "--pack-destination", into], REPO_ROOT, path.join(into, "npm-cache"));
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as [Packed["info"] & { filename: string }];
  return { tarball: path.join(into, info.filename), info };
}

/** Install the tarball into a fresh prefix, offline; returns the installed package's directory. */
export function installTarball(tarball: string, prefix: string): string {
  mkdirSync(prefix, { recursive: true });
  const r = npm(["install", "--no-package-lock", "--prefix", prefix, tarball], prefix, path.join(prefix, ".npm-cache"));
  if (r.status !== 0) throw new Error(`npm install of ${tarball} failed: ${r.stderr}`);
  return path.join(prefix, "node_modules", "pulumi-agent");
}

/** The packages in a node_modules folder (scoped ones as @scope/name), without npm's own entries. */
export function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((n) => !n.startsWith("."))
    .flatMap((n) => (n.startsWith("@") ? readdirSync(path.join(nodeModules, n)).map((m) => `${n}/${m}`) : [n]));
}

/** Make `name` resolvable from `app` by linking it (e.g. to the repository's own node_modules). */
export function linkPackage(app: string, name: string, target: string): void {
  const link = path.join(app, "node_modules", name);
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(target, link, "dir");
}
