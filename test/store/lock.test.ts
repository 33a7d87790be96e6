// The signup lock: the pure staleness rule, mutual exclusion, takeover of dead/expired holders (one
// winner), a lock without owner and with a future mtime, timeouts, cancellation, compromise handling,
// inspection; then real processes (8 contenders, a SIGKILLed holder, a waiter stopped by a real signal)
// running the store modules transpiled from src/ (no dependency on a fresh `npm run build`).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";
import { transpileSrc } from "../support/transpiled.js";
import { AgentError } from "../../src/core/errors.js";
import {
  LOCK_NAME,
  LockError,
  LockWaitAborted,
  type LockHolder,
  type LockOwner,
  hostIdentity,
  inspectLock,
  isPidAlive,
  judgeLock,
  sameHost,
  withExclusiveLock,
} from "../../src/store/lock.js";

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
  it("our own watch counts too: a lock unchanged for staleMs since we first saw it is stale, whatever its mtime says", () => {
    const future = now + 365 * 86_400_000;
    expect(judgeLock({ mtimeMs: future, unchangedSinceMs: now }, ctx(true))).toEqual({ stale: false });
    expect(judgeLock({ mtimeMs: future, unchangedSinceMs: now - 14_000 }, ctx(true))).toEqual({ stale: false });
    expect(judgeLock({ mtimeMs: future, unchangedSinceMs: now - 15_001 }, ctx(true))).toEqual({ stale: true, reason: "expired" });
    expect(judgeLock({ mtimeMs: future, unchangedSinceMs: now - 15_001, owner: { ...owner, host: "other" } }, ctx(true))).toEqual({
      stale: true,
      reason: "expired",
    });
    // An old mtime needs no watching; a fresh one with a fresh sighting is held.
    expect(judgeLock({ mtimeMs: now - 15_001, unchangedSinceMs: now }, ctx(true))).toEqual({ stale: true, reason: "expired" });
    expect(judgeLock({ mtimeMs: now - 10, unchangedSinceMs: now - 10 }, ctx(true))).toEqual({ stale: false });
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

  it("sweeps removed lock folders left by a process killed between its rename and its delete", async () => {
    const tomb = path.join(dir, `${LOCK_NAME}.stale-${deadPid()}-0badf00d`);
    await mkdir(tomb);
    await writeFile(path.join(tomb, "owner.json"), JSON.stringify(ownerOf(1)));
    await writeFile(path.join(dir, "credentials.json"), "{}");
    expect(await withExclusiveLock(dir, async () => (await readdir(dir)).sort())).toEqual([LOCK_NAME, "credentials.json"]);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
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
    expect(err).toBeInstanceOf(LockError);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as LockError).code).toBe("lock-timeout");
    expect((err as LockError).path).toBe(lockPath);
    expect((err as LockError).message).toContain(lockPath);
    expect((err as LockError).message).toContain("pid 4242 on build-box-7 since 2026-05-22T17:00:00Z");
    expect((err as LockError).hint).toBe(`Another pulumi-agent is probably signing up; if none is running, remove ${lockPath} and try again.`);
    expect((err as LockError).exitCode).toBe(1);
    expect(waits).toEqual([{ pid: 4242, host: "build-box-7", since: "2026-05-22T17:00:00Z" }]);
    expect(JSON.parse(await readFile(path.join(lockPath, "owner.json"), "utf8")).pid).toBe(4242);
  });

  it("a missing folder is a lock-unavailable LockError saying what to do", async () => {
    const missing = path.join(sb.root, "nope");
    await expect(withExclusiveLock(missing, async () => 1)).rejects.toMatchObject({
      name: "LockError",
      code: "lock-unavailable",
      message: `Cannot create the lock ${path.join(missing, LOCK_NAME)} (ENOENT: no such file or directory).`,
      hint: `Make sure ${missing} exists, is writable and has free space.`,
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
          await sleep(2_500); // the heartbeat checks every staleMs/4 = 0.5 s
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
      expect(err).toBeInstanceOf(LockError);
      expect((err as LockError).code).toBe("lock-compromised");
      expect((err as LockError).message).toContain("the lock folder was removed or replaced");
      // Release did not remove anything that is not ours.
      expect(JSON.parse(await readFile(path.join(sb.root, "taken", "owner.json"), "utf8")).pid).toBe(process.pid);
    },
    20_000,
  );

  it("release never removes a lock that another holder took over", async () => {
    const lockPath = path.join(dir, LOCK_NAME);
    await withExclusiveLock(dir, async () => {
      // Simulate a takeover the heartbeat has not noticed yet: same folder, new owner.
      await writeFile(path.join(lockPath, "owner.json"), JSON.stringify(ownerOf(process.pid, { id: "someone-else" })));
    }).catch(() => {});
    expect(JSON.parse(await readFile(path.join(lockPath, "owner.json"), "utf8")).id).toBe("someone-else");
  });
});

describe("a lock nobody refreshes, whatever its mtime says", () => {
  const future = new Date(Date.now() + 365 * 86_400_000);

  it("no owner file and an mtime a year ahead: taken after staleMs of our own watch", async () => {
    await plantLock(dir, undefined, future);
    // A single look trusts the mtime (doctor cannot watch): held, not stale.
    expect(await inspectLock(dir, { staleMs: 2_000 })).toMatchObject({ held: true, stale: false, ageMs: 0 });
    const waits: (LockHolder | undefined)[] = [];
    const r = await withExclusiveLock(dir, async () => "mine", { staleMs: 2_000, waitMs: 60_000, onWait: (h) => waits.push(h) });
    expect(r).toBe("mine");
    expect(waits).toEqual([undefined]); // it did wait (held by someone who did not identify itself) before taking over
    expect(await readdir(dir)).toEqual([]);
  }, 90_000);

  it("a garbled owner file and a future mtime: the same", async () => {
    const lockPath = await plantLock(dir);
    await writeFile(path.join(lockPath, "owner.json"), "{ partial");
    await utimes(lockPath, future, future);
    expect(await withExclusiveLock(dir, async () => 1, { staleMs: 2_000, waitMs: 60_000 })).toBe(1);
  }, 90_000);

  it("a holder on another host that stopped refreshing, with a future mtime: the same", async () => {
    await plantLock(dir, ownerOf(4242, { host: "build-box-7" }), future);
    expect(await withExclusiveLock(dir, async () => 1, { staleMs: 2_000, waitMs: 60_000 })).toBe(1);
  }, 90_000);

  it("a break mutex left by a crashed breaker, with a future mtime, does not trap the takeover", async () => {
    await plantLock(dir, ownerOf(deadPid()));
    const mutex = path.join(dir, `${LOCK_NAME}.break`);
    await mkdir(mutex);
    await utimes(mutex, future, future);
    expect(await withExclusiveLock(dir, async () => 1, { staleMs: 2_000, waitMs: 60_000 })).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  }, 90_000);

  it("a symlink in the lock's place is judged (never followed) and taken over the same way", async () => {
    const lockPath = path.join(dir, LOCK_NAME);
    await mkdir(path.join(sb.root, "elsewhere"));
    await writeFile(path.join(sb.root, "elsewhere", "keep"), "x");
    const { symlink } = await import("node:fs/promises");
    await symlink(path.join(sb.root, "elsewhere"), lockPath);
    expect(await withExclusiveLock(dir, async () => 1, { staleMs: 2_000, waitMs: 60_000 })).toBe(1);
    expect(await readdir(dir)).toEqual([]);
    expect(await readFile(path.join(sb.root, "elsewhere", "keep"), "utf8")).toBe("x"); // the target is untouched
  }, 90_000);
});

describe("cancellation and the time budget", () => {
  /** A live holder on another machine: fresh mtime, pid not checkable, never stale within the test. */
  const plantRemoteHolder = () => plantLock(dir, ownerOf(4242, { host: "build-box-7" }));
  const snapshot = async (lockPath: string) => {
    const st = await lstat(lockPath);
    return { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, owner: await readFile(path.join(lockPath, "owner.json"), "utf8"), dir: (await readdir(dir)).sort() };
  };

  it("an abort while waiting rejects at once with LockWaitAborted; the lock is untouched", async () => {
    const lockPath = await plantRemoteHolder();
    const before = await snapshot(lockPath);
    const ac = new AbortController();
    const p = withExclusiveLock(dir, async () => "never", { signal: ac.signal, waitMs: 600_000, onWait: () => ac.abort("SIGTERM") });
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LockWaitAborted);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ name: "AbortError", code: "lock-wait-aborted", cause: "SIGTERM", exitCode: 143, path: lockPath });
    expect(await snapshot(lockPath)).toEqual(before);
  });

  it("the exit code follows the abort reason: SIGINT 130, SIGTERM 143, anything else 130", () => {
    expect(new LockWaitAborted("/l", "SIGINT").exitCode).toBe(130);
    expect(new LockWaitAborted("/l", "SIGTERM").exitCode).toBe(143);
    expect(new LockWaitAborted("/l", "SIGHUP").exitCode).toBe(129);
    expect(new LockWaitAborted("/l", new DOMException("aborted", "AbortError")).exitCode).toBe(130);
    expect(new LockWaitAborted("/l", undefined).exitCode).toBe(130);
  });

  it("an already aborted signal: rejects without creating anything, even when the lock is free", async () => {
    const ac = new AbortController();
    ac.abort();
    let ran = false;
    await expect(
      withExclusiveLock(dir, async () => (ran = true), { signal: ac.signal }),
    ).rejects.toMatchObject({ name: "AbortError", code: "lock-wait-aborted", exitCode: 130 });
    expect(ran).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it("with a signal that never aborts, the time budget still applies", async () => {
    const lockPath = await plantRemoteHolder();
    const before = await snapshot(lockPath);
    const ac = new AbortController();
    await expect(withExclusiveLock(dir, async () => 1, { signal: ac.signal, waitMs: 300 })).rejects.toMatchObject({
      name: "LockError",
      code: "lock-timeout",
    });
    expect(await snapshot(lockPath)).toEqual(before);
  });

  it("an abort after we hold the lock is not the lock's business: fn runs and the lock is released", async () => {
    const ac = new AbortController();
    const r = await withExclusiveLock(
      dir,
      async () => {
        ac.abort("SIGINT");
        return "done";
      },
      { signal: ac.signal },
    );
    expect(r).toBe("done");
    expect(await readdir(dir)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// real processes

let mod: string;
let procRoot: string;

beforeAll(async () => {
  procRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), "pa-lock-procs-")));
  mod = path.join(procRoot, "mod");
  await transpileSrc(mod, ["core", "store"]);
  await writeFile(
    path.join(mod, "increment.mjs"),
    `import { withExclusiveLock } from "./store/lock.js";
import { readFile, writeFile } from "node:fs/promises";
const [dir, counter] = process.argv.slice(2);
await withExclusiveLock(dir, async () => {
  const n = Number(await readFile(counter, "utf8"));
  await new Promise((r) => setTimeout(r, 10)); // widen the read-modify-write window
  await writeFile(counter, String(n + 1));
}, { waitMs: 120_000 });
`,
  );
  await writeFile(
    path.join(mod, "hold.mjs"),
    `import { withExclusiveLock } from "./store/lock.js";
const [dir, staleMs] = process.argv.slice(2);
await withExclusiveLock(dir, async () => {
  process.stdout.write("locked\\n");
  await new Promise(() => setInterval(() => {}, 1000));
}, { staleMs: Number(staleMs ?? 15000) });
`,
  );
  // The wiring a CLI needs: SIGINT/SIGTERM abort the wait with the signal's name, the exit code follows.
  await writeFile(
    path.join(mod, "wait.mjs"),
    `import { withExclusiveLock } from "./store/lock.js";
const [dir, waitMs, staleMs] = process.argv.slice(2);
const ac = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => ac.abort(sig));
try {
  await withExclusiveLock(dir, async () => process.stdout.write("acquired\\n"), {
    signal: ac.signal,
    waitMs: Number(waitMs),
    staleMs: Number(staleMs),
    onWait: () => process.stdout.write("waiting\\n"),
  });
} catch (e) {
  process.stdout.write(\`\${e.name} \${e.code}\\n\`);
  process.exitCode = e.exitCode ?? 1;
}
`,
  );
});

afterAll(async () => {
  if (procRoot) await rm(procRoot, { recursive: true, force: true });
});

function run(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(mod, script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(line)) resolve();
    });
    child.on("exit", () => reject(new Error(`child exited before printing ${line}`)));
  });
}

describe("lock across real processes", () => {
  it("8 processes increment a counter under the lock: exactly 8", async () => {
    const counterFile = path.join(dir, "counter");
    await writeFile(counterFile, "0");
    const results = await Promise.all(Array.from({ length: 8 }, () => exited(run("increment.mjs", [dir, counterFile]))));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(counterFile, "utf8")).toBe("8");
    expect((await readdir(dir)).sort()).toEqual(["counter"]);
  }, 120_000);

  it("a SIGKILLed holder is recovered at once through the dead-pid check", async () => {
    const child = run("hold.mjs", [dir]);
    const done = exited(child);
    await printed(child, "locked");
    expect(await inspectLock(dir)).toMatchObject({ held: true, stale: false, holder: { pid: child.pid } });
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    expect(await inspectLock(dir)).toMatchObject({ held: true, stale: true, reason: "holder-dead" });
    // staleMs of an hour: only the dead-pid check can let us in before waitMs.
    const got = await withExclusiveLock(dir, async () => "recovered", { staleMs: 3_600_000, waitMs: 30_000 });
    expect(got).toBe("recovered");
    expect(await readdir(dir)).toEqual([]);
  }, 60_000);

  for (const [sig, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`a waiter stopped by a real ${sig} exits ${code} at once (budget 10 min left) and leaves the holder's lock as it was`, async () => {
      const holder = run("hold.mjs", [dir]);
      const holderDone = exited(holder);
      await printed(holder, "locked");
      const lockPath = path.join(dir, LOCK_NAME);
      const ownerBefore = await readFile(path.join(lockPath, "owner.json"), "utf8");
      const inoBefore = (await lstat(lockPath)).ino;

      const waiter = run("wait.mjs", [dir, "600000", "15000"]);
      const waiterDone = exited(waiter);
      await printed(waiter, "waiting");
      waiter.kill(sig);
      const w = await waiterDone;
      expect(w).toMatchObject({ code, signal: null, stderr: "" });
      expect(w.stdout).toBe("waiting\nAbortError lock-wait-aborted\n");

      // Same folder, same owner file, nothing added next to it; the holder still holds it.
      expect((await lstat(lockPath)).ino).toBe(inoBefore);
      expect(await readFile(path.join(lockPath, "owner.json"), "utf8")).toBe(ownerBefore);
      expect(await readdir(dir)).toEqual([LOCK_NAME]);
      expect(await inspectLock(dir)).toMatchObject({ held: true, stale: false, holder: { pid: holder.pid } });
      holder.kill("SIGKILL");
      await holderDone;
    }, 60_000);
  }

  it("a live holder's heartbeat keeps its lock under a waiter's watch: the waiter times out, never takes over", async () => {
    const holder = run("hold.mjs", [dir, "2000"]);
    const holderDone = exited(holder);
    await printed(holder, "locked");
    const lockPath = path.join(dir, LOCK_NAME);
    const ownerBefore = await readFile(path.join(lockPath, "owner.json"), "utf8");
    // Waits 3 staleMs: without the heartbeat the watch rule would take over after one.
    const w = await exited(run("wait.mjs", [dir, "6000", "2000"]));
    expect(w).toMatchObject({ code: 1, stdout: "waiting\nLockError lock-timeout\n" });
    expect(await readFile(path.join(lockPath, "owner.json"), "utf8")).toBe(ownerBefore);
    holder.kill("SIGKILL");
    await holderDone;
  }, 60_000);
});
