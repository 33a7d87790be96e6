// Atomic writes against a real writer process frozen (SIGSTOP) and killed (SIGKILL) in the middle of
// writes. The child runs the store modules transpiled from src/ into a temp folder (no dependency on a
// fresh `npm run build`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { transpileSrc } from "../support/transpiled.js";
import { cleanStaleTemps, isTempFileName } from "../../src/store/atomic.js";

let root: string;
let mod: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), "pa-store-atomic-")));
  mod = path.join(root, "mod");
  await transpileSrc(mod, ["core", "store"]);
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
