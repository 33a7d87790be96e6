// Segment planner shared by the fast engines (WASM SIMD and unrolled JS).
//
// Nonces are enumerated in segments of constant length: 0–9, 10–99, 100–999, 1000–9999, then
// high·10^4 + low with a 4-digit zero-padded low. Inside a segment only the low digits (1–4 bytes) change,
// so at most two message words vary (index ia and ia+1 of the tail). Everything else — the midstate of the
// prefix's full blocks, the rounds before ia, the constant schedule terms, padding and bit length — is
// computed here once per segment; a kernel then hashes the low values of the segment.
import { nonceMeetsDifficulty } from "./challenge.js";
import type { Engine, EngineKind } from "./engine.js";
import { digitCount } from "./engine.js";
import { IV256, blockConstants, compress, rounds, schedule, wordsBE } from "./sha256-plan.js";

export interface SegmentPlan {
  /** Kernel variant: "k1_<ia>" (tail in one block) or "k2_<ia>" (two blocks, digits in the first). */
  name: string;
  ia: number;
  twoBlock: boolean;
  /** a..h at round ia of the first varying block. */
  state: Uint32Array;
  /** Chaining value entering that block. */
  hin: Uint32Array;
  /** Constant bits of the words at ia and ia+1 (digit bytes zeroed). */
  ca: number;
  cb: number;
  /** Digit word shifts: word ia |= D >>> sA; word ia+1 |= (D << sB) & maskB. */
  sA: number;
  sB: number;
  maskB: number;
  wk1: Uint32Array;
  cs1: Uint32Array;
  wk2: Uint32Array | undefined;
  cs2: Uint32Array | undefined;
}

export interface KernelBackend {
  /** Load a segment's constants. */
  prepare(plan: SegmentPlan): void;
  /**
   * Hash low values lo, lo+1, … (m digits each) of the prepared segment, 4 or 1 at a time. Returns the first
   * low value whose hash passes the 32-bit filter, or -1; may return a value >= hi from the last step.
   */
  run(lo: number, hi: number, m: number): number;
}

export const POW10 = [1, 10, 100, 1000, 10_000];

/** Digit table entry: v's m zero-padded decimal digits, big-endian, left-aligned in a u32. */
export function digitWord(v: number, m: number): number {
  let word = 0;
  for (let j = 0, x = v; j < m; j++, x = Math.floor(x / 10)) word |= (0x30 + (x % 10)) << (8 * (4 - m + j));
  return word >>> 0;
}

/** Mask on the first hash word: a hash passes the filter when (H0 & mask) == 0 (min(d, 32) bits). */
export function checkMask(difficulty: number): number {
  return (0xffffffff << (32 - Math.min(difficulty, 32))) >>> 0;
}

export function createSegmentEngine(
  kind: EngineKind,
  challengeData: string,
  difficulty: number,
  backend: KernelBackend,
): Engine {
  // Midstate over the prefix's full 64-byte blocks; the rest of the prefix starts every tail.
  const prefix = Buffer.from(`${challengeData}:`, "utf8");
  const fullBlocks = Math.floor(prefix.length / 64);
  let mid: Uint32Array = IV256;
  for (let b = 0; b < fullBlocks; b++) mid = compress(mid, wordsBE(prefix.subarray(64 * b, 64 * b + 64)));
  const rest = prefix.subarray(64 * fullBlocks);
  const r = rest.length;
  const tail = new Uint8Array(128);
  let segKey = "";

  /** Nonces of `k` digits whose leading k-m digits are `high` (m = number of low digits). */
  function plan(k: number, high: string, m: number): SegmentPlan {
    const blocks = r + k + 9 <= 64 ? 1 : 2;
    tail.fill(0);
    tail.set(rest);
    for (let j = 0; j < high.length; j++) tail[r + j] = high.charCodeAt(j);
    tail[r + k] = 0x80;
    const bitLen = (prefix.length + k) * 8;
    const end = blocks * 64;
    tail[end - 5] = Math.floor(bitLen / 2 ** 32) & 0xff;
    tail[end - 4] = (bitLen >>> 24) & 0xff;
    tail[end - 3] = (bitLen >>> 16) & 0xff;
    tail[end - 2] = (bitLen >>> 8) & 0xff;
    tail[end - 1] = bitLen & 0xff;
    const w = wordsBE(tail.subarray(0, end));
    const off = r + k - m; // first low digit
    let ia = off >>> 2;
    const s = off & 3;
    const ca = w[ia]!;
    const cb = ia + 1 < w.length ? w[ia + 1]! : 0;

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
    const c1 = blockConstants(W1, [ia, ia + 1].filter((t) => t < 16));
    const c2 = block2 ? blockConstants(schedule(block2), ia === 15 ? [0] : []) : undefined;
    return {
      name: `${block2 ? "k2" : "k1"}_${ia}`,
      ia,
      twoBlock: block2 !== undefined,
      state: rounds(hin, W1, ia),
      hin,
      ca,
      cb,
      sA: 8 * s,
      sB: (32 - 8 * s) & 31,
      maskB: s === 0 ? 0 : 0xffffffff,
      wk1: c1.wk,
      cs1: c1.cs,
      wk2: c2?.wk,
      cs2: c2?.cs,
    };
  }

  function enter(k: number, high: string, m: number): void {
    const key = `${k}:${high}`;
    if (key === segKey) return;
    segKey = ""; // stays invalid if prepare throws
    backend.prepare(plan(k, high, m));
    segKey = key;
  }

  return {
    kind,
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
          enter(k, "", m);
        } else {
          const high = Math.floor(n / 10_000);
          base = high * 10_000;
          lo = n - base;
          hi = Math.min(10_000, end - base);
          m = 4;
          enter(k, String(high), m);
        }
        let from = lo;
        while (from < hi) {
          const hit = backend.run(from, hi, m);
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
