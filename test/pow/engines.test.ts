// Engine-level tests, in-process from the TypeScript sources: every engine must report exactly the nonces the
// obviously-correct sequential reference finds — for all prefix lengths around the SHA-256 block boundaries,
// non-ASCII ids, every digit-length (segment) change and the 32-bit filter.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { solveReference } from "../../src/pow/challenge.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
// The WASM module is generated at build time; regenerate when missing or older than its generator.
const generator = path.join(root, "scripts", "gen", "pow-wasm.mjs");
const generated = path.join(root, "src", "pow", "generated", "sha256-simd.ts");
if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(generator).mtimeMs) {
  execFileSync(process.execPath, [generator], { stdio: "ignore" });
}
const { createEngine, resolveEngine } = await import("../../src/pow/engines.js");
const { wasmSimdSupported } = await import("../../src/pow/engine-wasm.js");
type EngineKind = "wasm-simd" | "js" | "crypto";

const ENGINES: EngineKind[] = ["wasm-simd", "js", "crypto"];
const FAST: EngineKind[] = ["wasm-simd", "js"];

/** All hits in [start, end) by the reference (createHash per nonce). */
function referenceHits(cd: string, d: number, start: number, end: number): number[] {
  const hits: number[] = [];
  let n = start;
  for (;;) {
    const hit = solveReference(cd, d, n, end);
    if (hit === undefined) return hits;
    hits.push(Number(hit));
    n = Number(hit) + 1;
  }
}

/** All hits in [start, end) by an engine, restarting after each hit (exercises every lane and offset). */
function engineHits(kind: EngineKind, cd: string, d: number, start: number, end: number): number[] {
  const engine = createEngine(kind, cd, d);
  const hits: number[] = [];
  let n = start;
  while (n < end) {
    const hit = engine.search(n, end);
    if (hit < 0) break;
    hits.push(hit);
    n = hit + 1;
  }
  return hits;
}

/** Deterministic PRNG so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "Z", "0", "-", "_", "é", "ß", "日", "本", "🙂", "🚀", "x"];
function randomId(rand: () => number, chars: number): string {
  let s = "";
  for (let i = 0; i < chars; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

// Nonce starts just below every digit-length change the engines special-case (1→2 … 4→5 digits, the
// high·10^4 segments) and a few large magnitudes.
const STARTS = [0, 6, 95, 995, 9_990, 99_990, 999_990, 9_999_990, 123_456_789, 9_999_999_990];

describe("engine availability", () => {
  it("WebAssembly SIMD is detected on this Node and auto picks it", () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(resolveEngine("auto")).toBe("wasm-simd");
  });
  it("unknown engine names are rejected", () => {
    expect(() => resolveEngine("gpu" as never)).toThrow(/unknown proof-of-work engine/);
  });
});

describe.each(ENGINES)("engine %s", (kind) => {
  it.each([
    ["v1:abc:12", 12, 4815],
    ["v1:abcdef:8", 8, 277],
    ["v1:abc:16", 16, 54347],
    ["v1:abc:1", 1, 1],
  ])("reference vector %s -> %i", (cd, d, nonce) => {
    expect(createEngine(kind, cd, d).search(0, 1_000_000)).toBe(nonce);
  });

  it("finds nothing in a range without hits and honours [start, end)", () => {
    const engine = createEngine(kind, "v1:abc:12", 12);
    expect(engine.search(0, 4815)).toBe(-1);
    expect(engine.search(4815, 4816)).toBe(4815);
    expect(engine.search(4816, 4816)).toBe(-1);
  });
});

describe.each(FAST)("engine %s: exhaustive hit lists", (kind) => {
  // Prefix "v1:<id>:4:" is 6 + len bytes: lengths 0..130 put the nonce digits (1–11 of them) at every offset
  // around the 55/56/64-byte boundaries, i.e. every one-block and two-block kernel variant.
  it("ASCII ids of length 0..130 at every segment boundary", () => {
    for (let len = 0; len <= 130; len++) {
      const cd = `v1:${"x".repeat(len)}:4`;
      for (const start of STARTS) {
        const end = start + 40;
        expect(engineHits(kind, cd, 4, start, end), `${cd} from ${start}`).toEqual(referenceHits(cd, 4, start, end));
      }
    }
  });

  it("non-ASCII ids (multi-byte UTF-8) of 0..120 characters", () => {
    const rand = mulberry32(0x5eed);
    for (let i = 0; i < 120; i++) {
      const id = randomId(rand, Math.floor(rand() * 121));
      const d = 1 + Math.floor(rand() * 6);
      const cd = `v1:${id}:${d}`;
      const start = STARTS[Math.floor(rand() * STARTS.length)]!;
      const end = start + 64;
      expect(engineHits(kind, cd, d, start, end), `${JSON.stringify(cd)} from ${start}`).toEqual(
        referenceHits(cd, d, start, end),
      );
    }
  });
});

describe("first nonce equals the sequential reference", () => {
  it("random ids, difficulties 1..12, all engines", () => {
    const rand = mulberry32(42);
    for (let i = 0; i < 60; i++) {
      const id = randomId(rand, Math.floor(rand() * 121));
      const d = 1 + Math.floor(rand() * 12);
      const cd = `v1:${id}:${d}`;
      const start = rand() < 0.5 ? 0 : STARTS[Math.floor(rand() * STARTS.length)]!;
      const expected = solveReference(cd, d, start, start + 200_000);
      for (const kind of ENGINES) {
        const got = createEngine(kind, cd, d).search(start, start + 200_000);
        expect(got < 0 ? undefined : String(got), `${kind} ${JSON.stringify(cd)} from ${start}`).toBe(expected);
      }
    }
  });

  it.each([
    ["v1:0123456789abcdef0123456789abcdef:16", 16],
    ["v1:日本🙂-agent-é:18", 18],
    [`v1:${"y".repeat(50)}:17`, 17],
  ])("%s (fast engines)", (cd, d) => {
    const expected = solveReference(cd, d);
    for (const kind of FAST) expect(String(createEngine(kind, cd, d).search(0, 50_000_000)), kind).toBe(expected);
  });

  it("difficulty above 32: the 32-bit filter passes candidates that node:crypto then rejects", () => {
    // With d = 33..40 a 32-bit filter hit is not enough; no nonce in this short range meets d, so every
    // engine must return -1 like the reference.
    for (const d of [33, 40]) {
      const cd = `v1:filter:${d}`;
      for (const kind of ENGINES) expect(createEngine(kind, cd, d).search(0, 30_000), `${kind} d=${d}`).toBe(-1);
    }
  });
});
