// Cross-process exclusive lock around read → signup → store (reference §9.1), so N agents starting
// together create one account. Cold path only: callers import this module lazily.
//
// The lock is proper-lockfile's atomic mkdir of <dir>/.pulumi-agent.lock, kept fresh by its periodic
// mtime update. Inside it an owner file (pid, host, start time) is written before proper-lockfile
// even returns, so a waiter can tell a dead local holder (kill(pid, 0) → ESRCH) and take over at once
// instead of waiting for the mtime to go stale. proper-lockfile's own stale removal is switched off:
// every takeover goes through breakStaleLock below, under a second mkdir mutex, so two waiters that
// both judged the same lock stale cannot both remove it (the second re-checks and sees a live holder).
import fs from "node:fs";
import { mkdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { StoreError, describeFsError, errnoCode } from "./errors.js";

export const LOCK_NAME = ".pulumi-agent.lock";
const OWNER_FILE = "owner.json";
// A breaker holds its mutex for a few milliseconds; one this old belongs to a process that died.
const BREAK_MUTEX_STALE_MS = 10_000;
// Hand proper-lockfile a threshold it never reaches: staleness is decided here (see judgeLock).
const NEVER_STALE = 2 ** 31 - 1;

export interface LockHolder {
  pid: number;
  host: string;
  /** RFC 3339: when the holder took the lock. */
  since: string;
}

/** What a holder writes into the lock. bootId/pidns tell containers and reboots apart from "this host". */
export interface LockOwner extends LockHolder {
  id: string;
  bootId?: string;
  pidns?: string;
}

export interface HostIdentity {
  host: string;
  bootId?: string;
  pidns?: string;
}

export type StaleReason = "holder-dead" | "expired";

export interface LockState {
  /** mtime of the lock folder (kept fresh by a live holder). */
  mtimeMs: number;
  owner?: LockOwner;
}

export interface LockOptions {
  /** Give up after this long (default 180 s). */
  waitMs?: number;
  /** A lock not refreshed for this long is stale (default 15 s; at least 2 s). */
  staleMs?: number;
  /** Called when we start waiting, and again whenever the holder changes. */
  onWait?: (holder?: LockHolder) => void;
}

export interface LockInspection {
  path: string;
  held: boolean;
  holder?: LockHolder;
  stale?: boolean;
  reason?: StaleReason;
  /** Time since the holder last refreshed the lock. */
  ageMs?: number;
}

// ---------------------------------------------------------------------------------------------------
// pure decision

export function sameHost(owner: HostIdentity, self: HostIdentity): boolean {
  if (owner.host !== self.host) return false;
  if (owner.bootId && self.bootId && owner.bootId !== self.bootId) return false;
  if (owner.pidns && self.pidns && owner.pidns !== self.pidns) return false;
  return true;
}

/**
 * Is the lock stale? Yes if its holder is a process on this host (same boot, same pid namespace)
 * that no longer exists, or if nobody refreshed it for `staleMs` (holder elsewhere, crashed before
 * writing its owner file, or its pid was reused).
 */
export function judgeLock(
  state: LockState,
  ctx: { now: number; staleMs: number; self: HostIdentity; isAlive: (pid: number) => boolean },
): { stale: false } | { stale: true; reason: StaleReason } {
  const { owner } = state;
  if (owner && sameHost(owner, ctx.self) && !ctx.isAlive(owner.pid)) return { stale: true, reason: "holder-dead" };
  if (ctx.now - state.mtimeMs > ctx.staleMs) return { stale: true, reason: "expired" };
  return { stale: false };
}

// ---------------------------------------------------------------------------------------------------
// host facts

let selfIdentity: HostIdentity | undefined;

export function hostIdentity(): HostIdentity {
  if (!selfIdentity) {
    const id: HostIdentity = { host: os.hostname() };
    try {
      id.bootId = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
    } catch {
      // not Linux
    }
    try {
      id.pidns = fs.readlinkSync("/proc/self/ns/pid");
    } catch {
      // not Linux
    }
    selfIdentity = id;
  }
  return selfIdentity;
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else. Anything unexpected: assume alive (never break
    // a lock on a guess).
    return errnoCode(e) !== "ESRCH";
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o.pid !== "number" || typeof o.host !== "string" || typeof o.id !== "string") return undefined;
    return {
      pid: o.pid,
      host: o.host,
      since: typeof o.since === "string" ? o.since : "",
      id: o.id,
      ...(typeof o.bootId === "string" ? { bootId: o.bootId } : {}),
      ...(typeof o.pidns === "string" ? { pidns: o.pidns } : {}),
    };
  } catch {
    return undefined; // partially written or foreign: fall back to the mtime rule
  }
}

async function readLockState(lockPath: string): Promise<LockState | undefined> {
  let st;
  try {
    st = await stat(lockPath);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
  let owner: LockOwner | undefined;
  try {
    owner = parseOwner(await readFile(path.join(lockPath, OWNER_FILE), "utf8"));
  } catch {
    owner = undefined;
  }
  return { mtimeMs: st.mtimeMs, ...(owner ? { owner } : {}) };
}

function holderOf(owner: LockOwner | undefined): LockHolder | undefined {
  return owner ? { pid: owner.pid, host: owner.host, since: owner.since } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// taking over a stale lock

type BreakResult = "broken" | "busy" | "not-stale";

async function breakStaleLock(lockPath: string, staleMs: number): Promise<BreakResult> {
  const mutex = `${lockPath}.break`;
  try {
    await mkdir(mutex, { mode: 0o700 });
  } catch (e) {
    if (errnoCode(e) !== "EEXIST") throw e;
    try {
      const st = await stat(mutex);
      if (Date.now() - st.mtimeMs > BREAK_MUTEX_STALE_MS) await rmdir(mutex);
    } catch {
      // another waiter cleaned it up
    }
    return "busy";
  }
  try {
    // Re-check under the mutex: another waiter may already have replaced the lock with a live one.
    const state = await readLockState(lockPath);
    if (!state) return "broken";
    const verdict = judgeLock(state, { now: Date.now(), staleMs, self: hostIdentity(), isAlive: isPidAlive });
    if (!verdict.stale) return "not-stale";
    // Rename first (atomic), then delete at leisure: the lock path is free at once.
    const tomb = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await rename(lockPath, tomb);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return "broken";
      throw e;
    }
    await rm(tomb, { recursive: true, force: true }).catch(() => {});
    return "broken";
  } finally {
    await rmdir(mutex).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// acquiring

type Callback = (err: NodeJS.ErrnoException | null) => void;

/**
 * The fs proper-lockfile uses for one acquisition: mkdir also writes our owner file (before
 * proper-lockfile probes the mtime it will later verify), and rmdir only removes the lock if the
 * owner file inside is still ours (after a takeover it belongs to someone else).
 */
function lockFsFor(owner: LockOwner) {
  const ownerJson = JSON.stringify(owner);
  const isOurs = (p: string): boolean => {
    try {
      const o = parseOwner(fs.readFileSync(path.join(p, OWNER_FILE), "utf8"));
      return o === undefined || o.id === owner.id;
    } catch {
      return true;
    }
  };
  return {
    stat: fs.stat,
    utimes: fs.utimes,
    realpath: fs.realpath,
    mkdir(p: string, cb: Callback) {
      fs.mkdir(p, { mode: 0o700 }, (err) => {
        if (err) return cb(err);
        fs.writeFile(path.join(p, OWNER_FILE), ownerJson, { mode: 0o600, flag: "wx" }, (err2) => {
          if (!err2) return cb(null);
          fs.rm(p, { recursive: true, force: true }, () => cb(err2));
        });
      });
    },
    rmdir(p: string, cb: Callback) {
      if (!isOurs(p)) return cb(null);
      fs.rm(path.join(p, OWNER_FILE), { force: true }, () => fs.rmdir(p, (err) => cb(err)));
    },
    rmdirSync(p: string) {
      if (!isOurs(p)) return;
      fs.rmSync(path.join(p, OWNER_FILE), { force: true });
      fs.rmdirSync(p);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describeHolder(owner: LockOwner | undefined): string {
  if (!owner) return "held by a process that did not identify itself";
  return `held by pid ${owner.pid} on ${owner.host}${owner.since ? ` since ${owner.since}` : ""}`;
}

function timeoutError(lockPath: string, waitMs: number, owner: LockOwner | undefined): StoreError {
  return new StoreError(
    "lock-timeout",
    lockPath,
    `Timed out after ${Math.round(waitMs / 1000)}s waiting for the lock ${lockPath}, ${describeHolder(owner)}. ` +
      `Another pulumi-agent is probably signing up; if none is running, remove ${lockPath} and try again.`,
  );
}

/**
 * Run `fn` while holding the exclusive lock `<dir>/.pulumi-agent.lock` (`dir` must exist). Waits up
 * to `waitMs`, taking over a lock whose holder died or stopped refreshing it. Not re-entrant. If the
 * lock is taken from us while `fn` runs, `fn` still completes and the call then rejects with a
 * StoreError "lock-compromised"; a timeout is a StoreError "lock-timeout".
 */
export async function withExclusiveLock<T>(dir: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const waitMs = opts.waitMs ?? 180_000;
  const staleMs = Math.max(opts.staleMs ?? 15_000, 2_000);
  const lockPath = path.join(dir, LOCK_NAME);
  let compromised: Error | undefined;

  const deadline = Date.now() + waitMs;
  let delay = 20;
  let notifiedId: string | null = null; // null = not waiting yet; "" = holder without owner file
  let release: () => Promise<void>;
  for (;;) {
    const self = hostIdentity();
    const owner: LockOwner = {
      pid: process.pid,
      host: self.host,
      since: new Date().toISOString(),
      id: randomBytes(8).toString("hex"),
      ...(self.bootId ? { bootId: self.bootId } : {}),
      ...(self.pidns ? { pidns: self.pidns } : {}),
    };
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        retries: 0,
        stale: NEVER_STALE,
        update: Math.floor(staleMs / 2),
        fs: lockFsFor(owner),
        onCompromised: (err) => {
          compromised = err;
        },
      });
      break;
    } catch (e) {
      if (errnoCode(e) !== "ELOCKED") {
        throw new StoreError(
          "io",
          lockPath,
          `Cannot create the lock ${lockPath} (${describeFsError(e)}). Make sure ${dir} exists and is writable.`,
          { cause: e },
        );
      }
    }

    let state: LockState | undefined;
    try {
      state = await readLockState(lockPath);
    } catch {
      state = undefined;
    }
    if (!state) {
      // Released between our mkdir and stat: try again almost at once.
      if (Date.now() >= deadline) throw timeoutError(lockPath, waitMs, undefined);
      await sleep(2);
      continue;
    }
    const verdict = judgeLock(state, { now: Date.now(), staleMs, self: hostIdentity(), isAlive: isPidAlive });
    if (verdict.stale) {
      try {
        const r = await breakStaleLock(lockPath, staleMs);
        if (r === "broken") continue;
      } catch {
        // could not take it over now; keep waiting and retry
      }
    }
    const holderId = state.owner?.id ?? "";
    if (holderId !== notifiedId) {
      notifiedId = holderId;
      try {
        opts.onWait?.(holderOf(state.owner));
      } catch {
        // a reporting callback must not break the lock
      }
    }
    const now = Date.now();
    if (now >= deadline) throw timeoutError(lockPath, waitMs, state.owner);
    await sleep(Math.min(delay * (0.5 + Math.random()), deadline - now));
    delay = Math.min(delay * 1.5, 1000);
  }

  let result: T;
  try {
    result = await fn();
  } finally {
    try {
      await release();
    } catch {
      // already released by a takeover (reported below) or the folder vanished: nothing to undo
    }
  }
  if (compromised) {
    throw new StoreError(
      "lock-compromised",
      lockPath,
      `The lock ${lockPath} was taken over by another process while this one held it (${compromised.message}); ` +
        `the work done under it may have raced with another pulumi-agent. Check \`pulumi-agent account status\` and try again.`,
      { cause: compromised },
    );
  }
  return result;
}

/** The state of the lock in `dir`, for diagnostics (`account doctor`). Never throws on a missing lock. */
export async function inspectLock(dir: string, opts: { staleMs?: number } = {}): Promise<LockInspection> {
  const lockPath = path.join(dir, LOCK_NAME);
  const staleMs = Math.max(opts.staleMs ?? 15_000, 2_000);
  const state = await readLockState(lockPath).catch(() => undefined);
  if (!state) return { path: lockPath, held: false };
  const now = Date.now();
  const verdict = judgeLock(state, { now, staleMs, self: hostIdentity(), isAlive: isPidAlive });
  const holder = holderOf(state.owner);
  return {
    path: lockPath,
    held: true,
    ...(holder ? { holder } : {}),
    stale: verdict.stale,
    ...(verdict.stale ? { reason: verdict.reason } : {}),
    ageMs: Math.max(0, now - state.mtimeMs),
  };
}
