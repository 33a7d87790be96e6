// solveChallenge end to end, with real worker threads: worker threads need compiled JavaScript, so this file
// compiles src/pow (plus the generated WASM module) into a temp directory first and tests that build.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solveReference } from "../../src/pow/challenge.js";
import type * as PowModule from "../../src/pow/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
let outDir = "";
let pow: typeof PowModule;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, "scripts", "gen", "pow-wasm.mjs")], { stdio: "ignore" });
  outDir = mkdtempSync(path.join(tmpdir(), "pow-build-"));
  // Same compiler options as tsconfig.json, restricted to the PoW module so other work in progress can't
  // break this build.
  execFileSync(
    process.execPath,
    [
      path.join(root, "node_modules", "typescript", "bin", "tsc"),
      ...["--outDir", outDir, "--rootDir", path.join(root, "src"), "--target", "ES2022", "--lib", "ES2022"],
      ...["--module", "NodeNext", "--moduleResolution", "NodeNext", "--strict", "--noUncheckedIndexedAccess"],
      ...["--noImplicitOverride", "--skipLibCheck", "--types", "node"],
      path.join(root, "src", "pow", "index.ts"),
      path.join(root, "src", "pow", "worker.ts"),
    ],
    { stdio: "pipe" },
  );
  pow = (await import(pathToFileURL(path.join(outDir, "pow", "index.js")).href)) as typeof PowModule;
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

type Engine = "wasm-simd" | "js" | "crypto";
const ENGINES: Engine[] = ["wasm-simd", "js", "crypto"];

/** Smallest id "seg<i>" whose first hit at or after `from` lies at or after `boundary` (found with the reference). */
function idCrossing(d: number, from: number, boundary: number): { cd: string; nonce: string } {
  for (let i = 0; ; i++) {
    const cd = `v1:seg${i}:${d}`;
    const nonce = solveReference(cd, d, from, from + 5_000_000)!;
    if (Number(nonce) >= boundary) return { cd, nonce };
  }
}

describe("solveChallenge: reference vectors", () => {
  const vectors: [string, string][] = [
    ["v1:abc:12", "4815"],
    ["v1:abcdef:8", "277"],
    ["v1:abc:16", "54347"],
    ["v1:abc:1", "1"],
  ];
  for (const engine of ENGINES) {
    for (const threads of [0, 2]) {
      it(`${engine}, ${threads === 0 ? "calling thread" : `${threads} workers`}`, async () => {
        for (const [cd, nonce] of vectors) {
          const r = await pow.solveChallenge(cd, { engine, threads });
          expect(r.nonce, cd).toBe(nonce);
          expect(r.engine).toBe(engine);
          expect(r.hashes).toBeGreaterThanOrEqual(Number(nonce) + 1);
        }
      });
    }
  }

  it("workers alone (no warm start on the calling thread) still return the lowest nonce", async () => {
    for (const [cd, nonce] of vectors) {
      const r = await pow.solveChallenge(cd, { threads: 2, warmStart: false } as PowModule.InternalSolveOptions);
      expect(r.nonce, cd).toBe(nonce);
      expect(r.threads).toBeGreaterThanOrEqual(1);
    }
  });

  it("default options pick an engine and thread count and agree with the reference (d = 20)", async () => {
    const cd = "v1:0123456789abcdef0123456789abcdef:20";
    const r = await pow.solveChallenge(cd);
    expect(r.nonce).toBe(solveReference(cd, 20));
    expect(r.engine).toBe("wasm-simd");
  });
});

describe("solveChallenge: lowest nonce across workers and segment boundaries", () => {
  it.each([
    [8, 9_995, 10_000],
    [10, 99_990, 100_000],
    [8, 999_995, 1_000_000],
  ])("d=%i starting at %i, first hit after the digit-length change at %i", async (d, from, boundary) => {
    const { cd, nonce } = idCrossing(d, from, boundary);
    for (const engine of ENGINES) {
      for (const threads of [0, 2]) {
        const r = await pow.solveChallenge(cd, { engine, threads, startNonce: from } as PowModule.InternalSolveOptions);
        expect(r.nonce, `${engine} threads=${threads}`).toBe(nonce);
      }
    }
  });

  it("workers that cannot start: the calling thread takes over", async () => {
    const missing = pathToFileURL(path.join(outDir, "pow", "no-such-worker.js"));
    for (const warmStart of [true, false]) {
      const r = await pow.solveChallenge("v1:abc:16", {
        threads: 2,
        warmStart,
        workerUrl: missing,
      } as PowModule.InternalSolveOptions);
      expect(r.nonce).toBe("54347");
      expect(r.threads).toBe(1);
    }
  });

  it("many workers with small difficulty: the lowest of several simultaneous hits wins", async () => {
    // Chunks of 64 nonces at d=8 (a hit every ~256): many chunks in flight hold hits and finish out of order;
    // only the lowest may be answered.
    for (let i = 0; i < 8; i++) {
      const cd = `v1:multi${i}:8`;
      for (const engine of ENGINES) {
        const r = await pow.solveChallenge(cd, {
          engine,
          threads: 4,
          chunkSize: 64,
          warmStart: false,
        } as PowModule.InternalSolveOptions);
        expect(r.nonce, `${engine} ${cd}`).toBe(solveReference(cd, 8));
      }
    }
  });

  it("ids around the 64-byte block boundary and non-ASCII ids, with workers", async () => {
    const ids = ["x".repeat(44), "x".repeat(50), "é".repeat(27), "日本".repeat(9), "🙂".repeat(14), "y".repeat(120)];
    for (const id of ids) {
      const cd = `v1:${id}:14`;
      const r = await pow.solveChallenge(cd, { threads: 2 });
      expect(r.nonce, cd).toBe(solveReference(cd, 14));
    }
  });
});

describe("solveChallenge: refusal, cancellation and budget", () => {
  it("refuses an absurd difficulty at once, with a message that says why and what to do", async () => {
    const err = await pow.solveChallenge(`v1:abc:${pow.MAX_ACCEPTED_DIFFICULTY + 1}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(pow.PowDifficultyError);
    const msg = (err as Error).message;
    expect(msg).toContain(`difficulty ${pow.MAX_ACCEPTED_DIFFICULTY + 1}`);
    expect(msg).toMatch(/above 40 are refused/);
    expect((err as { hint?: string }).hint).toMatch(/Request a new challenge/);
    await expect(pow.solveChallenge("v1:abc:256")).rejects.toBeInstanceOf(pow.PowDifficultyError);
  });

  it.each([
    ["", "invalid challenge data"],
    ["v1:abc", "invalid challenge data"],
    ["v2:abc:12", "invalid challenge data"],
    ["v1:a:b:12", "invalid challenge data"],
    ["v1:abc:", "invalid challenge difficulty"],
    ["v1:abc:0", "invalid challenge difficulty"],
    ["v1:abc:-3", "invalid challenge difficulty"],
    ["v1:abc: 12", "invalid challenge difficulty"],
    ["v1:abc:257", "invalid challenge difficulty"],
    ["v1:abc:0x10", "invalid challenge difficulty"],
  ])("invalid challenge %j -> %s", async (cd, message) => {
    await expect(pow.solveChallenge(cd)).rejects.toThrow(new RegExp(`^${message}$`));
  });

  it("accepts Go Atoi forms: leading + and zeros", async () => {
    // The literal string is hashed, so "+012" has its own nonce; it is a valid difficulty 12.
    expect((await pow.solveChallenge("v1:abc:+012", { threads: 0 })).nonce).toBe(solveReference("v1:abc:+012", 12));
  });

  it("an already-aborted signal rejects with AbortError before any work", async () => {
    const ac = new AbortController();
    ac.abort();
    const err = (await pow.solveChallenge("v1:abc:30", { signal: ac.signal }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe("AbortError");
  });

  for (const threads of [0, 2]) {
    it(`abort during the solve rejects with AbortError (threads=${threads})`, async () => {
      const ac = new AbortController();
      const progress: number[] = [];
      const p = pow.solveChallenge("v1:abort:38", {
        signal: ac.signal,
        threads,
        onProgress: (x) => {
          progress.push(x.hashes);
          ac.abort(new Error("user pressed Ctrl-C"));
        },
      });
      const err = (await p.catch((e: unknown) => e)) as Error;
      expect(err.name).toBe("AbortError");
      expect((err.cause as Error).message).toBe("user pressed Ctrl-C");
      expect(progress.length).toBe(1);
    });

    it(`budget overrun rejects with PowBudgetError (threads=${threads})`, async () => {
      const err = (await pow.solveChallenge("v1:budget:38", { budgetMs: 300, threads }).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(pow.PowBudgetError);
      expect(err.message).toMatch(/not solved within the 300 ms budget/);
      expect((err as PowModule.PowBudgetError).hashes).toBeGreaterThan(0);
    });
  }

  it("progress reports hashes, elapsed time, rate and ETA", async () => {
    const reports: PowModule.PowProgress[] = [];
    await pow
      .solveChallenge("v1:progress:38", { threads: 2, budgetMs: 1200, onProgress: (p) => void reports.push(p) })
      .catch(() => undefined);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    const last = reports[reports.length - 1]!;
    expect(last.hashes).toBeGreaterThan(reports[0]!.hashes);
    expect(last.rate).toBeGreaterThan(0);
    expect(last.etaMs).toBeGreaterThan(0);
    expect(last.elapsedMs).toBeGreaterThan(0);
  });

  it("no worker keeps the process alive after the promise settles", async () => {
    // A child process solves, aborts and overruns a budget with workers, then just falls off the end; it must
    // exit on its own (the test only guards against a hang).
    const index = pathToFileURL(path.join(outDir, "pow", "index.js")).href;
    const script = `
      const { solveChallenge } = await import(${JSON.stringify(index)});
      const r = await solveChallenge("v1:abc:16", { threads: 2 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const a = await solveChallenge("v1:abc:38", { threads: 2, signal: ac.signal }).catch((e) => e.name);
      const b = await solveChallenge("v1:abc:38", { threads: 2, budgetMs: 100 }).catch((e) => e.name);
      console.log(r.nonce, a, b);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | string>((resolve) => {
      const guard = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("hung");
      }, 20_000);
      child.on("exit", (c) => {
        clearTimeout(guard);
        resolve(c ?? "signal");
      });
    });
    expect(code).toBe(0);
    expect(out.trim()).toBe("54347 AbortError PowBudgetError");
  });
});
