// Cross-process exclusive lock around read → signup → store, so N agents starting together create one
// account. Cold path only: callers import this module lazily.
//
// The lock is a folder, <dir>/.pulumi-agent.lock, made by an atomic mkdir. Its holder writes owner.json
// inside (pid, host, boot and pid namespace, a random id; temp file + rename, so it is absent or whole)
// and refreshes the folder's mtime every staleMs/4. A waiter looks at the folder every few tens of
// milliseconds and takes it over when its holder is a dead process of this host (kill(pid, 0) → ESRCH),
// or when nobody refreshed it for staleMs: by its mtime, or by our own watch (inode, mtime and ctime
// unchanged since we first saw it), so a folder with no owner file and a future mtime cannot trap us.
// Every takeover and every release runs under a second mkdir mutex (<lock>.break) and re-checks the lock
// there: two waiters that judged the same lock stale cannot both remove it, and many waiters do not
// stampede. A waiter that gives up (signal, time budget) never touches the lock.
//
// The folder, owner file and mutex are those of pulumi-agent 0.1, which built the same lock on
// proper-lockfile; both versions exclude each other. proper-lockfile itself could not do this job as
// designed: its staleness is mtime only (a future mtime is never stale), it takes no AbortSignal, and an
// owner file meant replacing its fs calls.
import fs from "node:fs";
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, utimes, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { AgentError } from "../core/errors.js";
import { describeFsError, errnoCode } from "./errors.js";

export const LOCK_NAME = ".pulumi-agent.lock";
const OWNER_FILE = "owner.json";
const BREAK_SUFFIX = ".break";
/** A waiter looks at the lock every POLL_MS ± 50%: a release is noticed within ~45 ms (a stat is cheap). */
const POLL_MS = 30;
/** How long a release waits for a breaker's mutex (held for milliseconds) before going ahead without it. */
const RELEASE_MUTEX_WAIT_MS = 500;

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
  /** When this observer first saw the folder as it is now (same inode, mtime, ctime); default: now. */
  unchangedSinceMs?: number;
  owner?: LockOwner;
}

export interface LockOptions {
  /** Give up after this long (default 180 s): LockError "lock-timeout". */
  waitMs?: number;
  /** A lock not refreshed for this long is stale (default 15 s; at least 2 s). */
  staleMs?: number;
  /** Stop waiting at once when this aborts: LockWaitAborted, the lock untouched. */
  signal?: AbortSignal;
  /** Called when we start waiting, and again whenever the holder changes. */
  onWait?: (holder?: LockHolder) => void;
}

export interface LockInspection {
  path: string;
  held: boolean;
  holder?: LockHolder;
  stale?: boolean;
  reason?: StaleReason;
  /** Time since the holder last refreshed the lock, by its mtime (0 for an mtime in the future). */
  ageMs?: number;
}

// ---------------------------------------------------------------------------------------------------
// errors

export type LockErrorCode = "lock-timeout" | "lock-compromised" | "lock-unavailable" | "lock-wait-aborted";

export class LockError extends AgentError {
  override name = "LockError";
  declare readonly code: LockErrorCode;
  /** The lock folder. */
  readonly path: string;

  constructor(code: LockErrorCode, lockPath: string, message: string, info: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { code, ...info });
    this.path = lockPath;
  }
}

/**
 * The wait was cancelled through `LockOptions.signal`. `cause` is the signal's reason; when that is a
 * signal name ("SIGINT", "SIGTERM") `exitCode` is the shell's 128 + its number (130, 143), else 130.
 * Named "AbortError" like every other cancellation in pulumi-agent.
 */
export class LockWaitAborted extends LockError {
  override name = "AbortError";
  constructor(lockPath: string, reason: unknown) {
    super("lock-wait-aborted", lockPath, `Stopped waiting for the lock ${lockPath}; it was left as it was.`, {
      exitCode: exitCodeForAbort(reason),
      cause: reason,
    });
  }
}

function exitCodeForAbort(reason: unknown): number {
  const signals = os.constants.signals as Record<string, number | undefined>;
  const n = typeof reason === "string" ? signals[reason] : undefined;
  return n === undefined ? 130 : 128 + n;
}

function unavailable(lockPath: string, e: unknown): LockError {
  return new LockError("lock-unavailable", lockPath, `Cannot create the lock ${lockPath} (${describeFsError(e)}).`, {
    hint: `Make sure ${path.dirname(lockPath)} exists, is writable and has free space.`,
    cause: e,
  });
}

function describeHolder(owner: LockOwner | undefined): string {
  if (!owner) return "held by a process that did not identify itself";
  return `held by pid ${owner.pid} on ${owner.host}${owner.since ? ` since ${owner.since}` : ""}`;
}

function timedOut(lockPath: string, waitMs: number, owner: LockOwner | undefined): LockError {
  return new LockError("lock-timeout", lockPath, `Timed out after ${Math.round(waitMs / 1000)}s waiting for the lock ${lockPath}, ${describeHolder(owner)}.`, {
    hint: `Another pulumi-agent is probably signing up; if none is running, remove ${lockPath} and try again.`,
  });
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
 * writing its owner file, or its pid was reused). "Not refreshed" is read from the mtime and from our
 * own watch, whichever is older: a future mtime cannot keep a dead lock alive.
 */
export function judgeLock(
  state: LockState,
  ctx: { now: number; staleMs: number; self: HostIdentity; isAlive: (pid: number) => boolean },
): { stale: false } | { stale: true; reason: StaleReason } {
  const { owner } = state;
  if (owner && sameHost(owner, ctx.self) && !ctx.isAlive(owner.pid)) return { stale: true, reason: "holder-dead" };
  const age = Math.max(ctx.now - state.mtimeMs, ctx.now - (state.unchangedSinceMs ?? ctx.now));
  if (age > ctx.staleMs) return { stale: true, reason: "expired" };
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

// ---------------------------------------------------------------------------------------------------
// reading the lock

/** One observer's memory of a folder: since when it has looked the same (inode, mtime, ctime). */
class Sighting {
  private key = "";
  private since = 0;

  see(st: fs.Stats, now: number): number {
    const key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    if (key !== this.key) {
      this.key = key;
      this.since = now;
    }
    return this.since;
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
    return undefined; // foreign or garbled: judged like a lock without owner
  }
}

interface Observed extends LockState {
  stats: fs.Stats;
}

/** The lock as it is now; undefined if there is none. lstat: a symlink is judged, never followed. */
async function observe(lockPath: string, sighting?: Sighting): Promise<Observed | undefined> {
  let st: fs.Stats;
  try {
    st = await lstat(lockPath);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
  const now = Date.now();
  let owner: LockOwner | undefined;
  if (st.isDirectory()) owner = await readFile(path.join(lockPath, OWNER_FILE), "utf8").then(parseOwner, () => undefined);
  return { stats: st, mtimeMs: st.mtimeMs, unchangedSinceMs: sighting ? sighting.see(st, now) : now, ...(owner ? { owner } : {}) };
}

function holderOf(owner: LockOwner | undefined): LockHolder | undefined {
  return owner ? { pid: owner.pid, host: owner.host, since: owner.since } : undefined;
}

/** The staleness limit in effect: `opts.staleMs` (default 15 s), never under 2 s. */
const staleMsOf = (opts: { staleMs?: number }) => Math.max(opts.staleMs ?? 15_000, 2_000);

const judge = (state: LockState, staleMs: number) =>
  judgeLock(state, { now: Date.now(), staleMs, self: hostIdentity(), isAlive: isPidAlive });

// ---------------------------------------------------------------------------------------------------
// the break mutex: every removal of a lock folder happens under it

async function tryMutex(mutexPath: string): Promise<boolean> {
  try {
    await mkdir(mutexPath, { mode: 0o700 });
    return true;
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
}

/**
 * A breaker holds the mutex for a few milliseconds; one unchanged for staleMs (by its mtime or by our
 * watch) was left by a process that died. Two waiters removing the same dead mutex at the same instant
 * could remove a fresh one too; that needs a crash inside the few-ms section first, and the lock
 * itself is still re-checked by whoever holds the mutex.
 */
async function clearDeadMutex(mutexPath: string, staleMs: number, sighting: Sighting): Promise<void> {
  try {
    const st = await lstat(mutexPath);
    const now = Date.now();
    if (Math.max(now - st.mtimeMs, now - sighting.see(st, now)) > staleMs) await rmdir(mutexPath);
  } catch {
    // gone already, or not ours to judge
  }
}

const TOMB_INFIX = ".stale-";

/** Free the lock path at once (rename is atomic), then delete the folder at leisure. */
async function removeLockFolder(lockPath: string): Promise<void> {
  const tomb = `${lockPath}${TOMB_INFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, tomb);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw e;
  }
  await rm(tomb, { recursive: true, force: true }).catch(() => {});
}

type BreakResult = "broken" | "busy" | "not-stale";

async function breakStaleLock(lockPath: string, staleMs: number, seen: { lock: Sighting; mutex: Sighting }): Promise<BreakResult> {
  const mutex = lockPath + BREAK_SUFFIX;
  if (!(await tryMutex(mutex))) {
    await clearDeadMutex(mutex, staleMs, seen.mutex);
    return "busy";
  }
  try {
    // Re-check under the mutex: another waiter may already have replaced the lock with a live one.
    const state = await observe(lockPath, seen.lock);
    if (!state) return "broken";
    if (!judge(state, staleMs).stale) return "not-stale";
    await removeLockFolder(lockPath);
    return "broken";
  } finally {
    await rmdir(mutex).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// holding

function newOwner(): LockOwner {
  const self = hostIdentity();
  return {
    pid: process.pid,
    host: self.host,
    since: new Date().toISOString(),
    id: randomBytes(8).toString("hex"),
    ...(self.bootId ? { bootId: self.bootId } : {}),
    ...(self.pidns ? { pidns: self.pidns } : {}),
  };
}

/** mkdir the lock and write our owner file into it; false if someone holds it. */
async function tryCreate(lockPath: string, owner: LockOwner): Promise<fs.Stats | undefined> {
  try {
    await mkdir(lockPath, { mode: 0o700 });
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return undefined;
    throw unavailable(lockPath, e);
  }
  try {
    const temp = path.join(lockPath, `${OWNER_FILE}.${owner.id}.tmp`);
    await writeFile(temp, JSON.stringify(owner), { mode: 0o600, flag: "wx" });
    await rename(temp, path.join(lockPath, OWNER_FILE));
    return await lstat(lockPath);
  } catch (e) {
    // Ours and only milliseconds old: nobody else can have judged it stale yet.
    await rm(lockPath, { recursive: true, force: true }).catch(() => {});
    throw unavailable(lockPath, e);
  }
}

/**
 * Delete removed lock folders that a process killed between its rename and its delete left behind.
 * Nobody uses a folder once renamed away, so any of them can go (two deleters are harmless).
 */
async function sweepTombs(lockPath: string): Promise<void> {
  const dir = path.dirname(lockPath);
  const prefix = path.basename(lockPath) + TOMB_INFIX;
  const names = await readdir(dir).catch((): string[] => []);
  for (const name of names) {
    if (name.startsWith(prefix)) await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {});
  }
}

const jittered = (ms: number) => ms * (0.5 + Math.random());

/** Sleep up to `ms`, ending early when `signal` aborts (the caller checks it). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

interface AcquireOptions {
  waitMs: number;
  staleMs: number;
  signal: AbortSignal | undefined;
  onWait: ((holder?: LockHolder) => void) | undefined;
}

async function acquire(lockPath: string, o: AcquireOptions): Promise<{ owner: LockOwner; stats: fs.Stats }> {
  const deadline = Date.now() + o.waitMs;
  const seen = { lock: new Sighting(), mutex: new Sighting() };
  const owner = newOwner();
  let reported: string | undefined; // holder id last reported through onWait ("" = no owner file)
  for (;;) {
    if (o.signal?.aborted) throw new LockWaitAborted(lockPath, o.signal.reason);
    const stats = await tryCreate(lockPath, owner);
    if (stats) return { owner, stats };

    let state: Observed | undefined;
    try {
      state = await observe(lockPath, seen.lock);
    } catch (e) {
      throw unavailable(lockPath, e);
    }
    if (!state) continue; // released between our mkdir and our look: try again at once
    if (judge(state, o.staleMs).stale) {
      const r = await breakStaleLock(lockPath, o.staleMs, seen).catch((): BreakResult => "busy");
      if (r === "broken") continue;
    }
    const holderId = state.owner?.id ?? "";
    if (holderId !== reported) {
      reported = holderId;
      try {
        o.onWait?.(holderOf(state.owner));
      } catch {
        // a reporting callback must not break the lock
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(lockPath, o.waitMs, state.owner);
    await pause(Math.min(jittered(POLL_MS), left), o.signal);
  }
}

/** Keeps a held lock fresh, and notices when it was taken away from us. */
class Heartbeat {
  compromised: string | undefined;
  private timer: NodeJS.Timeout;
  private inflight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly lockPath: string,
    private readonly owner: LockOwner,
    private readonly ours: fs.Stats,
    everyMs: number,
  ) {
    this.timer = setInterval(() => {
      this.inflight ??= this.beat().finally(() => (this.inflight = undefined));
    }, everyMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const now = await observe(this.lockPath);
      if (this.stopped) return;
      if (!now || now.stats.ino !== this.ours.ino || now.stats.dev !== this.ours.dev) {
        this.compromised = "the lock folder was removed or replaced";
      } else if (now.owner && now.owner.id !== this.owner.id) {
        this.compromised = `it now names pid ${now.owner.pid} on ${now.owner.host} as its holder`;
      } else {
        // Our folder (an unreadable owner file may be a passing EMFILE): keep it fresh.
        const t = new Date();
        await utimes(this.lockPath, t, t);
        return;
      }
      clearInterval(this.timer);
    } catch {
      // a failed refresh is retried on the next beat; waiters judge it by its age meanwhile
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inflight;
  }
}

/** Remove the lock if it is still ours, under the break mutex so no takeover interleaves. */
async function release(lockPath: string, owner: LockOwner): Promise<void> {
  const mutex = lockPath + BREAK_SUFFIX;
  const until = Date.now() + RELEASE_MUTEX_WAIT_MS;
  let locked = false;
  try {
    while (!(locked = await tryMutex(mutex)) && Date.now() < until) await pause(5, undefined);
  } catch {
    // no mutex to be had (folder gone?): the ownership check below still applies
  }
  try {
    const state = await observe(lockPath);
    if (state?.owner?.id === owner.id) await removeLockFolder(lockPath);
  } finally {
    if (locked) await rmdir(mutex).catch(() => {});
  }
}

/**
 * Run `fn` while holding the exclusive lock `<dir>/.pulumi-agent.lock` (`dir` must exist). Waits up
 * to `waitMs`, taking over a lock whose holder died or stopped refreshing it; `signal` ends the wait at
 * once. Not re-entrant. Rejects with:
 * - LockWaitAborted ("lock-wait-aborted", name "AbortError") when `signal` aborted before we held the lock;
 * - LockError "lock-timeout" when `waitMs` passed; "lock-unavailable" when the lock cannot be created;
 * - LockError "lock-compromised" after `fn` completed, if the lock was taken from us while it ran.
 * A waiter that gives up leaves the lock exactly as it found it.
 */
export async function withExclusiveLock<T>(dir: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = staleMsOf(opts);
  const lockPath = path.join(dir, LOCK_NAME);
  const { owner, stats } = await acquire(lockPath, { waitMs: opts.waitMs ?? 180_000, staleMs, signal: opts.signal, onWait: opts.onWait });
  const heartbeat = new Heartbeat(lockPath, owner, stats, staleMs / 4);
  let result: T;
  try {
    if (opts.signal?.aborted) throw new LockWaitAborted(lockPath, opts.signal.reason);
    await sweepTombs(lockPath);
    result = await fn();
  } finally {
    await heartbeat.stop();
    await release(lockPath, owner).catch(() => {
      // the folder vanished or cannot be renamed: nothing of ours to undo (waiters judge it by age)
    });
  }
  if (heartbeat.compromised) {
    throw new LockError(
      "lock-compromised",
      lockPath,
      `The lock ${lockPath} was taken over while this process held it (${heartbeat.compromised}); the work done under it may have raced with another pulumi-agent.`,
      { hint: "Check `pulumi-agent account status` and try again." },
    );
  }
  return result;
}

/** The state of the lock in `dir`, for diagnostics (`account doctor`). Never throws on a missing lock. */
export async function inspectLock(dir: string, opts: { staleMs?: number } = {}): Promise<LockInspection> {
  const lockPath = path.join(dir, LOCK_NAME);
  const staleMs = staleMsOf(opts);
  const state = await observe(lockPath).catch(() => undefined);
  if (!state) return { path: lockPath, held: false };
  const verdict = judge(state, staleMs);
  const holder = holderOf(state.owner);
  return {
    path: lockPath,
    held: true,
    ...(holder ? { holder } : {}),
    stale: verdict.stale,
    ...(verdict.stale ? { reason: verdict.reason } : {}),
    ageMs: Math.max(0, Date.now() - state.mtimeMs),
  };
}
