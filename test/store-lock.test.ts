// The signup lock, in-process: mutual exclusion, takeover of dead/expired holders (only one winner),
// timeouts, compromise handling, inspection. Real-process tests are in store-procs.test.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdir, readFile, readdir, rename, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSandbox, type Sandbox } from "./support/sandbox.js";
import { StoreError } from "../src/store/errors.js";
import {
  LOCK_NAME,
  type LockHolder,
  type LockOwner,
  hostIdentity,
  inspectLock,
  isPidAlive,
  judgeLock,
  sameHost,
  withExclusiveLock,
} from "../src/store/lock.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid that certainly existed and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

function ownerOf(pid: number, extra: Partial<LockOwner> = {}): LockOwner {
  const self = hostIdentity();
  return { ...self, pid, since: new Date().toISOString(), id: `test-${pid}`, ...extra };
}

async function plantLock(dir: string, owner?: LockOwner, mtime?: Date): Promise<string> {
  const lockPath = path.join(dir, LOCK_NAME);
  await mkdir(lockPath);
  if (owner) await writeFile(path.join(lockPath, "owner.json"), JSON.stringify(owner));
  if (mtime) await utimes(lockPath, mtime, mtime);
  return lockPath;
}

/** Increment a counter file under the lock, slowly, and record any overlap. */
function contender(dir: string, counter: string, state: { inside: number; overlap: boolean }, opts = {}) {
  return withExclusiveLock(
    dir,
    async () => {
      state.inside++;
      if (state.inside > 1) state.overlap = true;
      const n = Number(await readFile(counter, "utf8"));
      await sleep(5);
      await writeFile(counter, String(n + 1));
      state.inside--;
    },
    { waitMs: 60_000, ...opts },
  );
}

let sb: Sandbox;
let dir: string;
let counter: string;
beforeEach(async () => {
  sb = await makeSandbox();
  dir = sb.sharedDir;
  await mkdir(dir, { mode: 0o700 });
  counter = path.join(sb.root, "counter");
  await writeFile(counter, "0");
});
afterEach(async () => {
  await sb.cleanup();
});

describe("judgeLock (pure)", () => {
  const self = { host: "h", bootId: "b", pidns: "pid:[1]" };
  const now = 1_000_000;
  const ctx = (alive: boolean) => ({ now, staleMs: 15_000, self, isAlive: () => alive });
  const owner = { pid: 42, host: "h", since: "", id: "x", bootId: "b", pidns: "pid:[1]" };

  it("dead local holder: stale at once", () => {
    expect(judgeLock({ mtimeMs: now, owner }, ctx(false))).toEqual({ stale: true, reason: "holder-dead" });
  });
  it("live local holder with a fresh mtime: held", () => {
    expect(judgeLock({ mtimeMs: now - 1000, owner }, ctx(true))).toEqual({ stale: false });
  });
  it("no refresh for staleMs: stale whoever holds it (reused pid, other host, no owner file)", () => {
    expect(judgeLock({ mtimeMs: now - 15_001, owner }, ctx(true))).toEqual({ stale: true, reason: "expired" });
    expect(judgeLock({ mtimeMs: now - 15_001 }, ctx(true))).toEqual({ stale: true, reason: "expired" });
    expect(judgeLock({ mtimeMs: now - 14_000 }, ctx(true))).toEqual({ stale: false });
  });
  it("a pid on another host, boot or pid namespace is never judged by kill(0)", () => {
    for (const o of [
      { ...owner, host: "other" },
      { ...owner, bootId: "other-boot" },
      { ...owner, pidns: "pid:[2]" },
    ]) {
      expect(sameHost(o, self)).toBe(false);
      expect(judgeLock({ mtimeMs: now, owner: o }, ctx(false))).toEqual({ stale: false });
    }
  });
  it("isPidAlive", () => {
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(deadPid())).toBe(false);
    expect(isPidAlive(0)).toBe(false);
    expect(isPidAlive(-1)).toBe(false);
  });
});

describe("withExclusiveLock", () => {
  it("returns fn's value, releases the lock, leaves nothing behind", async () => {
    expect(await withExclusiveLock(dir, async () => 7)).toBe(7);
    expect(await readdir(dir)).toEqual([]);
    expect((await inspectLock(dir)).held).toBe(false);
  });

  it("rethrows fn's error and still releases", async () => {
    await expect(withExclusiveLock(dir, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await readdir(dir)).toEqual([]);
  });

  it("12 concurrent contenders in one process: no lost update, never two inside", async () => {
    const state = { inside: 0, overlap: false };
    await Promise.all(Array.from({ length: 12 }, () => contender(dir, counter, state)));
    expect(await readFile(counter, "utf8")).toBe("12");
    expect(state.overlap).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it("while held, inspectLock shows us as a live holder", async () => {
    await withExclusiveLock(dir, async () => {
      const info = await inspectLock(dir);
      expect(info).toMatchObject({ held: true, stale: false, holder: { pid: process.pid, host: hostIdentity().host } });
      expect(info.path).toBe(path.join(dir, LOCK_NAME));
    });
  });

  it("takes over at once from a dead local holder (no waiting for staleMs)", async () => {
    const pid = deadPid();
    await plantLock(dir, ownerOf(pid));
    expect(await inspectLock(dir)).toMatchObject({ held: true, stale: true, reason: "holder-dead", holder: { pid } });
    const waits: (LockHolder | undefined)[] = [];
    const r = await withExclusiveLock(dir, async () => "mine", {
      staleMs: 3_600_000,
      waitMs: 30_000,
      onWait: (h) => waits.push(h),
    });
    expect(r).toBe("mine");
    expect(waits).toEqual([]); // taken over on the first look, never reported as waiting
    expect(await readdir(dir)).toEqual([]);
  });

  it("six waiters racing to take over the same dead holder: one at a time, no lost update", async () => {
    await plantLock(dir, ownerOf(deadPid()));
    const state = { inside: 0, overlap: false };
    await Promise.all(Array.from({ length: 6 }, () => contender(dir, counter, state, { staleMs: 3_600_000 })));
    expect(await readFile(counter, "utf8")).toBe("6");
    expect(state.overlap).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it("recovers a lock with an old mtime and no owner file", async () => {
    await plantLock(dir, undefined, new Date(Date.now() - 3_600_000));
    expect(await inspectLock(dir)).toMatchObject({ held: true, stale: true, reason: "expired" });
    expect(await withExclusiveLock(dir, async () => 1, { waitMs: 30_000 })).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it("recovers a garbled owner file by the mtime rule", async () => {
    const lockPath = await plantLock(dir);
    await writeFile(path.join(lockPath, "owner.json"), "{ partial");
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, old, old);
    expect(await withExclusiveLock(dir, async () => 1, { waitMs: 30_000 })).toBe(1);
  });

  it("times out with a clear error naming the lock and its holder; the holder's lock stays", async () => {
    // A live holder on another machine (shared folder): fresh mtime, pid not checkable.
    const lockPath = await plantLock(dir, ownerOf(4242, { host: "build-box-7", since: "2026-05-22T17:00:00Z" }));
    const waits: (LockHolder | undefined)[] = [];
    let err: unknown;
    try {
      await withExclusiveLock(dir, async () => 1, { waitMs: 300, onWait: (h) => waits.push(h) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe("lock-timeout");
    expect((err as StoreError).path).toBe(lockPath);
    expect((err as StoreError).message).toContain(lockPath);
    expect((err as StoreError).message).toContain("pid 4242 on build-box-7 since 2026-05-22T17:00:00Z");
    expect(waits).toEqual([{ pid: 4242, host: "build-box-7", since: "2026-05-22T17:00:00Z" }]);
    expect(JSON.parse(await readFile(path.join(lockPath, "owner.json"), "utf8")).pid).toBe(4242);
  });

  it("a missing folder is an io StoreError", async () => {
    await expect(withExclusiveLock(path.join(sb.root, "nope"), async () => 1)).rejects.toMatchObject({
      name: "StoreError",
      code: "io",
    });
  });

  it(
    "a lock taken away while fn runs: fn completes, the process survives, the call rejects lock-compromised",
    async () => {
      let finished = false;
      const lockPath = path.join(dir, LOCK_NAME);
      const p = withExclusiveLock(
        dir,
        async () => {
          // Someone judged us stale and took over: our lock folder is gone.
          await rename(lockPath, path.join(sb.root, "taken"));
          await sleep(2_500); // proper-lockfile checks every staleMs/2 = 1 s
          finished = true;
          return 1;
        },
        { staleMs: 2_000 },
      );
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(finished).toBe(true);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe("lock-compromised");
      // Release did not remove anything that is not ours.
      expect(JSON.parse(await readFile(path.join(sb.root, "taken", "owner.json"), "utf8")).pid).toBe(process.pid);
    },
    20_000,
  );

  it("release never removes a lock that another holder took over", async () => {
    const lockPath = path.join(dir, LOCK_NAME);
    await withExclusiveLock(dir, async () => {
      // Simulate a takeover that proper-lockfile has not noticed yet: same folder, new owner.
      await writeFile(path.join(lockPath, "owner.json"), JSON.stringify(ownerOf(process.pid, { id: "someone-else" })));
    }).catch(() => {});
    expect(JSON.parse(await readFile(path.join(lockPath, "owner.json"), "utf8")).id).toBe("someone-else");
  });
});
