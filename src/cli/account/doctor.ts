// `account doctor`: everything that decides what pulumi-agent does, and whether it can work here.
import { access, lstat } from "node:fs/promises";
import { constants } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { agentLabel, type AgentDetection } from "../../detect/agents.js";
import type { AccountReport } from "../../core/report.js";
import { probeWritableDir } from "../../store/dirs.js";
import { inspectLock, type LockInspection } from "../../store/lock.js";
import { credentialsDir, sharedAgentDir } from "../../store/paths.js";
import { locatePulumi } from "../../run/exec-pulumi.js";
import { probeClient } from "../../cloud/client.js";
import { CloudError } from "../../cloud/errors.js";
import { packageVersion, userAgent } from "../../cloud/user-agent.js";
import { failureError } from "../errors.js";
import type { Io } from "../io.js";
import { accountFacts, detect, driveAccount, printJson, type CommonOptions } from "./common.js";

export interface DirCheck {
  path: string;
  exists: boolean;
  isDirectory?: boolean;
  isSymlink?: boolean;
  mode?: string;
  ownerUid?: number;
  ownedByYou?: boolean;
  writable: boolean;
  problem?: string;
}

export interface DoctorReport {
  version: string;
  node: string;
  platform: string;
  detection: AgentDetection;
  account: AccountReport;
  projectFile: string | undefined;
  defaultDir: DirCheck;
  sharedDir: DirCheck;
  locks: LockInspection[];
  proxy: Record<string, string>;
  /** Not asked for a DIY backend: there is no Pulumi Cloud to reach. */
  reachability: { url: string; reachable: boolean; status?: number; ms: number; error?: string } | { url: string; notNeeded: string };
  pulumi: { path?: string; version?: string; error?: string };
}

async function checkDir(dir: string): Promise<DirCheck> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) {
    const probe = await probeWritableDirNoCreate(dir);
    return { path: dir, exists: false, writable: probe };
  }
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const check: DirCheck = {
    path: dir,
    exists: true,
    isDirectory: st.isDirectory(),
    isSymlink: st.isSymbolicLink(),
    mode: (st.mode & 0o777).toString(8).padStart(4, "0"),
    ownerUid: st.uid,
    ownedByYou: uid === undefined || st.uid === uid,
    writable: false,
  };
  if (st.isDirectory() && !st.isSymbolicLink()) {
    const probe = await probeWritableDir(dir);
    check.writable = probe.ok;
    if (!probe.ok) check.problem = probe.error.message;
  } else {
    check.problem = st.isSymbolicLink() ? "is a symbolic link" : "is not a directory";
  }
  return check;
}

/** Whether the dir could be created: its nearest existing ancestor is a directory we can write to. */
async function probeWritableDirNoCreate(dir: string): Promise<boolean> {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const st = await lstat(current).catch(() => undefined);
    if (st) {
      if (!st.isDirectory()) return false;
      return access(current, constants.W_OK).then(() => true, () => false);
    }
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

function redactProxy(v: string): string {
  try {
    const u = new URL(v);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return v;
  }
}

export async function doctor(o: CommonOptions, io: Io): Promise<number> {
  const report = await runDoctor(o, io);
  if (o.json) printJson(io, report);
  else io.stdout(renderDoctor(report));
  return 0;
}

export async function runDoctor(o: CommonOptions, io: Io): Promise<DoctorReport> {
  const env = io.env;
  const detection = detect(io);
  const { step, facts } = await driveAccount(accountFacts("status", o, io, { offline: true }, detection), io);
  if (step.kind === "fail") throw failureError(step.failure);
  if (step.kind !== "done") throw new Error("account doctor ended without a report");
  const account = step.outcome.report;
  const dirs = [facts.defaultStore?.dir ?? credentialsDir(env), facts.sharedStore?.dir ?? sharedAgentDir(env)];
  const [defaultDir, sharedDir] = await Promise.all(dirs.map(checkDir));
  const locks = await Promise.all(dirs.map((d) => inspectLock(d)));

  const proxy: Record<string, string> = {};
  for (const k of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]) {
    if (env[k]) proxy[k] = redactProxy(env[k] as string);
  }

  const started = Date.now();
  let reachability: DoctorReport["reachability"];
  const url = account.cloudUrl;
  if (!account.needsAccount) {
    reachability = { url, notNeeded: "a DIY backend: no Pulumi Cloud account or connection is needed" };
  } else {
    const client = probeClient(url, userAgent(detection.wireName));
    try {
      await client.getUser("");
      reachability = { url, reachable: true, status: 200, ms: Date.now() - started };
    } catch (err) {
      const e = err as CloudError;
      const answered = e instanceof CloudError && e.details.status !== undefined;
      reachability = { url, reachable: answered, ms: Date.now() - started, ...(answered ? { status: e.details.status } : { error: e.message }) };
    }
  }

  const located = locatePulumi(env);
  let pulumi: DoctorReport["pulumi"];
  if (!located.ok) {
    pulumi = { error: located.message };
  } else {
    const r = spawnSync(located.path, ["version"], { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, timeout: 10_000, encoding: "utf8" });
    pulumi = r.status === 0 ? { path: located.path, version: r.stdout.trim() } : { path: located.path, error: (r.error?.message ?? r.stderr.trim()) || `exit ${r.status}` };
  }

  return {
    version: packageVersion(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    detection,
    account,
    projectFile: facts.project?.file,
    defaultDir: defaultDir as DirCheck,
    sharedDir: sharedDir as DirCheck,
    locks,
    proxy,
    reachability,
    pulumi,
  };
}

const ok = (b: boolean) => (b ? "ok " : "!! ");

export function renderDoctor(r: DoctorReport): string {
  const d = r.detection;
  const lines: string[] = [];
  lines.push(`pulumi-agent ${r.version} (node ${r.node}, ${r.platform})`);
  lines.push("", "Agent detection");
  lines.push(`  ${d.isAgent ? `agent: ${agentLabel(d)}` : "not an agent"} [${d.source}, ${d.confidence}] — ${d.reason}`);
  if (d.weakSignals.length) lines.push(`  weak signals (never enough alone): ${d.weakSignals.join(", ")}`);
  lines.push("", "Backend");
  lines.push(`  ${r.account.cloudUrl} (from ${r.account.backendSource})${r.projectFile ? `; project ${r.projectFile}` : ""}`);
  lines.push(
    r.account.needsAccount
      ? `  credentials: ${r.account.credentials}${r.account.username ? ` (${r.account.username})` : ""}${r.account.storage ? ` in ${r.account.storage.credentialsPath}` : ""}`
      : "  credentials: none needed (a DIY backend keeps its state in your own storage; no agent account is created)",
  );
  if (r.account.problem && r.account.needsAccount) lines.push(`  note: ${r.account.problem}`);
  lines.push("", "Paths");
  for (const [name, c] of [["default Pulumi dir", r.defaultDir], ["shared agent dir", r.sharedDir]] as const) {
    const facts = c.exists
      ? `mode ${c.mode}, uid ${c.ownerUid}${c.ownedByYou ? "" : " (NOT yours)"}${c.isSymlink ? ", SYMLINK" : ""}, ${c.writable ? "writable" : "not writable"}`
      : `does not exist (${c.writable ? "can be created" : "cannot be created"})`;
    const good = c.exists ? c.writable && c.ownedByYou !== false && !c.isSymlink : c.writable;
    lines.push(`  ${ok(good)}${name}: ${c.path} — ${facts}${c.problem ? ` — ${c.problem}` : ""}`);
  }
  lines.push("", "Signup lock");
  for (const l of r.locks) {
    lines.push(`  ${l.path}: ${l.held ? `held by pid ${l.holder?.pid ?? "?"} on ${l.holder?.host ?? "?"}${l.stale ? ` (stale: ${l.reason})` : ""}` : "free"}`);
  }
  lines.push("", "Network");
  lines.push(`  proxy: ${Object.keys(r.proxy).length ? Object.entries(r.proxy).map(([k, v]) => `${k}=${v}`).join(" ") : "none"}`);
  const reach = r.reachability;
  if ("notNeeded" in reach) lines.push(`  ok ${reach.url}: ${reach.notNeeded}`);
  else lines.push(`  ${ok(reach.reachable)}${reach.url}: ${reach.reachable ? `answered HTTP ${reach.status} in ${reach.ms} ms` : `unreachable (${reach.error})`}`);
  lines.push("", "Pulumi CLI");
  lines.push(`  ${ok(Boolean(r.pulumi.version))}${r.pulumi.path ?? "(none)"}${r.pulumi.version ? ` — ${r.pulumi.version}` : ""}${r.pulumi.error ? ` — ${r.pulumi.error}` : ""}`);
  return lines.join("\n") + "\n";
}
