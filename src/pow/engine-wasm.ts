// WASM SIMD engine: 4 nonces per i32x4 step, midstate over the prefix's full blocks, nonces enumerated in
// constant-length segments (0–9, 10–99, 100–999, 1000–9999, then high·10^4 + 4-digit low), per-segment
// constants computed once in JS, lowest hitting lane first. The kernels test min(d, 32) leading bits; every
// candidate is confirmed with node:crypto (which also covers d > 32).
import { nonceMeetsDifficulty } from "./challenge.js";
import type { Engine } from "./engine.js";
import { digitCount } from "./engine.js";
import { brotliDecompressSync } from "node:zlib";
import { KERNELS, LAYOUT, SHA256_SIMD_WASM_BROTLI_BASE64, SIMD_PROBE } from "./generated/sha256-simd.js";
import { IV256, K256, blockConstants, compress, rounds, schedule, wordsBE } from "./sha256-plan.js";

type Kernel = (lo: number, hi: number, tbase: number, sA: number, sB: number) => number;

let simdSupport: boolean | undefined;
/** WebAssembly with SIMD (validated on a tiny module; absent under --jitless or old runtimes). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

let compiled: WebAssembly.Module | undefined;
function wasmModule(): WebAssembly.Module {
  // Decompress + synchronous compile take ~2–3 ms (V8 compiles lazily); done once per thread.
  if (!compiled) {
    const bytes = brotliDecompressSync(Buffer.from(SHA256_SIMD_WASM_BROTLI_BASE64, "base64"));
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
}

const POW10 = [1, 10, 100, 1000, 10_000];

export function createWasmSimdEngine(challengeData: string, difficulty: number): Engine {
  if (!wasmSimdSupported()) throw new Error("WebAssembly SIMD is not available in this runtime");
  const instance = new WebAssembly.Instance(wasmModule(), {});
  const exp = instance.exports as Record<string, unknown>;
  const mem = exp.mem as WebAssembly.Memory;
  const u32 = new Uint32Array(mem.buffer);
  const kernels = new Map<string, Kernel>(KERNELS.map((name) => [name, exp[name] as Kernel]));

  // Digit tables: entry v of table m = v's m zero-padded digits, big-endian, left-aligned.
  for (let m = 1; m <= 4; m++) {
    const base = LAYOUT.table[m as 1 | 2 | 3 | 4] >>> 2;
    for (let v = 0; v < POW10[m]!; v++) {
      const s = String(v).padStart(m, "0");
      let word = 0;
      for (let j = 0; j < m; j++) word |= s.charCodeAt(j) << (24 - 8 * j);
      u32[base + v] = word >>> 0;
    }
  }

  const splat = (slotIndex: number, value: number): void => {
    const at = (LAYOUT.param >>> 2) + slotIndex * 4;
    u32[at] = u32[at + 1] = u32[at + 2] = u32[at + 3] = value;
  };
  const splatAll = (slotIndex: number, values: ArrayLike<number>): void => {
    for (let i = 0; i < values.length; i++) splat(slotIndex + i, values[i]!);
  };
  const S = LAYOUT.slot;
  const bits = Math.min(difficulty, 32);
  splat(S.check, (0xffffffff << (32 - bits)) >>> 0);
  splatAll(S.k, K256);

  // Midstate over the prefix's full 64-byte blocks; the rest of the prefix starts every tail.
  const prefix = Buffer.from(`${challengeData}:`, "utf8");
  const fullBlocks = Math.floor(prefix.length / 64);
  let mid: Uint32Array = IV256;
  for (let b = 0; b < fullBlocks; b++) mid = compress(mid, wordsBE(prefix.subarray(64 * b, 64 * b + 64)));
  const rest = prefix.subarray(64 * fullBlocks);
  const r = rest.length;
  const tail = new Uint8Array(128);

  // Per-segment setup, cached while consecutive calls stay in the same segment.
  let segKey = "";
  let kernel: Kernel = () => -1;
  let sA = 0;
  let sB = 0;

  /** Prepare the kernel for nonces of `k` digits whose leading k-m digits are `high` (m = low digits). */
  function setup(k: number, high: string, m: number): void {
    const key = `${k}:${high}`;
    if (key === segKey) return;
    segKey = key;
    const blocks = r + k + 9 <= 64 ? 1 : 2;
    tail.fill(0);
    tail.set(rest);
    for (let j = 0; j < high.length; j++) tail[r + j] = high.charCodeAt(j);
    tail[r + k] = 0x80;
    const bitLen = (prefix.length + k) * 8;
    const end = blocks * 64;
    tail[end - 5] = Math.floor(bitLen / 2 ** 32) & 0xff; // bitLen < 2^40 here
    tail[end - 4] = (bitLen >>> 24) & 0xff;
    tail[end - 3] = (bitLen >>> 16) & 0xff;
    tail[end - 2] = (bitLen >>> 8) & 0xff;
    tail[end - 1] = bitLen & 0xff;
    const w = wordsBE(tail.subarray(0, end));
    const off = r + k - m; // first low digit
    let ia = off >>> 2;
    const s = off & 3;
    sA = 8 * s;
    sB = (32 - 8 * s) & 31;
    splat(S.ca, w[ia]!);
    splat(S.cb, ia + 1 < w.length ? w[ia + 1]! : 0);
    splat(S.maskB, s === 0 ? 0 : 0xffffffff);

    let hin = mid;
    let block1 = w.subarray(0, 16);
    let block2: Uint32Array | undefined = blocks === 2 ? w.subarray(16, 32) : undefined;
    if (block2 && ia >= 16) {
      // Digits only in the second block: the first is constant, fold it into the chaining value.
      hin = compress(mid, block1);
      block1 = block2;
      block2 = undefined;
      ia -= 16;
    }
    const W1 = schedule(block1);
    splatAll(S.state, rounds(hin, W1, ia));
    splatAll(S.hin, hin);
    const c1 = blockConstants(W1, [ia, ia + 1].filter((t) => t < 16));
    splatAll(S.wk1, c1.wk);
    splatAll(S.cs1, c1.cs);
    if (block2) {
      const c2 = blockConstants(schedule(block2), ia === 15 ? [0] : []);
      splatAll(S.wk2, c2.wk);
      splatAll(S.cs2, c2.cs);
    }
    const name = `${block2 ? "k2" : "k1"}_${ia}`;
    const found = kernels.get(name);
    if (!found) throw new Error(`internal: no SHA-256 kernel ${name}`);
    kernel = found;
  }

  return {
    kind: "wasm-simd",
    search(start: number, end: number): number {
      let n = start;
      while (n < end) {
        const k = digitCount(n);
        let base: number;
        let lo: number;
        let hi: number;
        let m: number;
        if (k <= 4) {
          // Short nonces: the whole number is the low field (no leading zeros inside the segment).
          base = 0;
          lo = n;
          hi = Math.min(end, POW10[k]!);
          m = k;
          setup(k, "", m);
        } else {
          const high = Math.floor(n / 10_000);
          base = high * 10_000;
          lo = n - base;
          hi = Math.min(10_000, end - base);
          m = 4;
          setup(k, String(high), m);
        }
        const tbase = LAYOUT.table[m as 1 | 2 | 3 | 4];
        let from = lo;
        while (from < hi) {
          const hit = kernel(from, hi, tbase, sA, sB);
          if (hit < 0 || hit >= hi) break; // lanes past hi belong to the next segment
          const nonce = base + hit;
          if (nonceMeetsDifficulty(challengeData, String(nonce), difficulty)) return nonce;
          from = hit + 1; // only the first 32 bits matched (d > 32)
        }
        n = base + hi;
      }
      return -1;
    },
  };
}
