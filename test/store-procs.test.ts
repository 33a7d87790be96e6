// The store against real processes: 8 processes contending for the lock, a SIGKILLed lock holder, and a
// writer SIGKILLed in the middle of atomic writes. Children run the store modules transpiled from src/
// into a temp folder (no dependency on a fresh `npm run build`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./support/sandbox.js";
import { inspectLock, withExclusiveLock } from "../src/store/lock.js";
import { cleanStaleTemps, isTempFileName } from "../src/store/atomic.js";

let root: string;
let mod: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), "pa-store-procs-")));
  mod = path.join(root, "mod");
  await mkdir(mod, { recursive: true });
  await writeFile(path.join(mod, "package.json"), `{"type": "module"}`);
  // Lets the transpiled lock.js resolve proper-lockfile.
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(mod, "node_modules"), "dir");
  // src/store imports src/core (the base error class).
  for (const area of ["store", "core"]) {
    await mkdir(path.join(mod, area), { recursive: true });
    const srcDir = path.join(REPO_ROOT, "src", area);
    for (const name of await readdir(srcDir)) {
      if (!name.endsWith(".ts")) continue;
      const out = ts.transpileModule(await readFile(path.join(srcDir, name), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(path.join(mod, area, name.replace(/\.ts$/, ".js")), out.outputText);
    }
  }
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
const [dir] = process.argv.slice(2);
await withExclusiveLock(dir, async () => {
  process.stdout.write("locked\\n");
  await new Promise(() => setInterval(() => {}, 1000));
});
`,
  );
  await writeFile(
    path.join(mod, "writer.mjs"),
    `import { writeFileAtomic } from "./store/atomic.js";
const [target] = process.argv.slice(2);
const A = Buffer.alloc(8 << 20, 0x61);
const B = Buffer.alloc((8 << 20) + 1, 0x62);
for (let i = 0; ; i++) {
  await writeFileAtomic(target, i % 2 ? B : A);
  if (i === 0) process.stdout.write("ready\\n");
}
`,
  );
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function run(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(mod, script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
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

async function freshDir(name: string): Promise<string> {
  const d = path.join(root, name);
  await mkdir(d, { mode: 0o700 });
  return d;
}

describe("lock across real processes", () => {
  it("8 processes increment a counter under the lock: exactly 8", async () => {
    const dir = await freshDir("counter");
    const counter = path.join(dir, "counter");
    await writeFile(counter, "0");
    const results = await Promise.all(Array.from({ length: 8 }, () => exited(run("increment.mjs", [dir, counter]))));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(counter, "utf8")).toBe("8");
    expect((await readdir(dir)).sort()).toEqual(["counter"]);
  }, 120_000);

  it("a SIGKILLed holder is recovered at once through the dead-pid check", async () => {
    const dir = await freshDir("dead-holder");
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
});

describe("atomic write killed mid-way", () => {
  // SIGSTOP freezes the writer at an arbitrary instant; what is on disk then is exactly what a SIGKILL
  // at that instant would leave. Many stops per run, then a real SIGKILL.
  it.runIf(process.platform === "linux")(
    "the target is always the old or a complete new file, never partial",
    async () => {
      const dir = await freshDir("atomic");
      const target = path.join(dir, "credentials.json");
      const OLD = Buffer.from("old-content");
      await writeFile(target, OLD);
      const sizeA = 8 << 20;
      let partialTempsSeen = 0;

      const check = async (when: string) => {
        const buf = await readFile(target);
        const whole =
          buf.equals(OLD) ||
          (buf.length === sizeA && buf.every((b) => b === 0x61)) ||
          (buf.length === sizeA + 1 && buf.every((b) => b === 0x62));
        if (!whole) throw new Error(`partial or mixed target ${when}: ${buf.length} bytes`);
      };
      const stopped = async (pid: number) => {
        for (let i = 0; i < 2000; i++) {
          const stat = await readFile(`/proc/${pid}/stat`, "utf8");
          if (/\) [Tt] /.test(stat)) return;
          await new Promise((r) => setTimeout(r, 1));
        }
        throw new Error("child did not stop");
      };

      for (let round = 0; round < 2; round++) {
        const child = run("writer.mjs", [target]);
        const done = exited(child);
        // Round 0 starts stopping during the very first write; round 1 after complete writes.
        if (round > 0) await printed(child, "ready");
        for (let i = 0; i < 25; i++) {
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          child.kill("SIGSTOP");
          await stopped(child.pid!);
          await check(`with the writer stopped (round ${round}, stop ${i})`);
          for (const name of (await readdir(dir)).filter(isTempFileName)) {
            const size = (await readFile(path.join(dir, name)).catch(() => Buffer.alloc(0))).length;
            if (size > 0 && size < sizeA) partialTempsSeen++;
          }
          child.kill("SIGCONT");
        }
        child.kill("SIGKILL");
        expect((await done).signal).toBe("SIGKILL");
        await check(`after SIGKILL (round ${round})`);
      }
      // The stops did land in the middle of writes (otherwise this test would prove nothing).
      expect(partialTempsSeen).toBeGreaterThan(0);
      // Leftover temp files are recognizable and swept by cleanStaleTemps.
      await cleanStaleTemps(dir, { maxAgeMs: 0 });
      expect(await readdir(dir)).toEqual(["credentials.json"]);
    },
    120_000,
  );
});
