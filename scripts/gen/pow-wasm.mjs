// Generates src/pow/generated/sha256-simd.ts: a WebAssembly SIMD (i32x4) SHA-256 proof-of-work kernel,
// emitted as a binary module by a small direct encoder (no wabt, no dependencies).
//
// Each kernel hashes 4 consecutive nonces per step (one per lane) for one "segment" of nonces that share
// everything but a 1–4 digit "low" field; the runtime (src/pow/engine-wasm.ts) writes per-segment
// constants into linear memory. Because only two message words vary (the words holding the low digits,
// at index ia and ia+1), every kernel variant is specialised for ia at build time: rounds before ia are
// done once per segment in JS, schedule terms that only depend on constant words are precomputed, and
// constant W[t]+K[t] come from memory. Variants:
//   k1_<ia>  (ia 0..13)  the nonce tail fits one block
//   k2_<ia>  (ia 13..15) the tail spills into a second block and the low digits are in the first one
//                        (when they are in the second, the runtime compresses the first block in JS).
// Classification rule (mirrored in engine-wasm.ts): W[t<16] varies iff t is ia or ia+1 (in that block);
// W[t>=16] varies iff any of W[t-2], W[t-7], W[t-15], W[t-16] varies.
import { mkdirSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const outFile = path.join(root, "src", "pow", "generated", "sha256-simd.ts");

// ---- Linear memory layout (shared with the runtime through the generated LAYOUT export) ----
// Digit tables: entry v of table m holds v's m decimal digits (zero-padded), packed big-endian and
// left-aligned in a u32, so one v128.load yields the digit words of 4 consecutive nonces.
const TABLE = { 1: 0, 2: 40, 3: 440, 4: 4440 }; // byte offsets; tables end at 44440 (+12 bytes over-read)
const PARAM = 45056; // 16-byte aligned v128 slots, each a u32 splatted to 4 lanes
const SLOT = {
  state: 0, // 8: a..h at round ia of the first varying block
  hin: 8, // 8: chaining value entering that block (added after its last round)
  ca: 16, // constant bits of the word at ia (digits zeroed)
  cb: 17, // constant bits of the word at ia+1
  maskB: 18, // all-ones when the digits reach into word ia+1, else 0
  check: 19, // leading-bits mask: a lane hits when (H0 & check) == 0
  wk1: 20, // 64: W[t]+K[t] of block 1 for constant W[t]
  cs1: 84, // 64: sum of the constant terms of a varying W[t] (t >= 16) of block 1
  wk2: 148, // 64: same for block 2 (two-block variants)
  cs2: 212, // 64
  k: 276, // 64: the round constants K[t] (a memory operand is 12 bytes shorter than a v128.const)
};
const PARAM_SLOTS = 340;
if (PARAM + PARAM_SLOTS * 16 > 65536) throw new Error("layout does not fit one page");
const slot = (name, i = 0) => PARAM + (SLOT[name] + i) * 16;

// ---- Binary encoding helpers ----
function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const str = (s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s, "utf8")];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];

const I32 = 0x7f;
const V128 = 0x7b;
const SIMD = (code) => [0xfd, ...uleb(code)];
const op = {
  get: (i) => [0x20, ...uleb(i)],
  set: (i) => [0x21, ...uleb(i)],
  tee: (i) => [0x22, ...uleb(i)],
  i32: (v) => [0x41, ...sleb(v | 0)],
  i32add: [0x6a],
  i32shl: [0x74],
  i32ctz: [0x68],
  i32ltu: [0x49],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  brIf: (d) => [0x0d, ...uleb(d)],
  ret: [0x0f],
  // v128.load with a static address: base 0 + offset (alignment hint 2^4 for our aligned slots)
  vloadAt: (addr) => [0x41, 0, ...SIMD(0x00), 4, ...uleb(addr)],
  vload0: [...SIMD(0x00), 0, 0], // address on the stack, unaligned
  vconst: (u32) => {
    const b = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) b.writeUInt32LE(u32 >>> 0, i * 4);
    return [...SIMD(0x0c), ...b];
  },
  and: SIMD(0x4e),
  or: SIMD(0x50),
  xor: SIMD(0x51),
  bitselect: SIMD(0x52),
  eq: SIMD(0x37),
  bitmask: SIMD(0xa4),
  shl: SIMD(0xab),
  shr: SIMD(0xad),
  add: SIMD(0xae),
};

class Fn {
  constructor(nParams) {
    this.nParams = nParams;
    this.localTypes = [];
    this.code = [];
  }
  local(type) {
    this.localTypes.push(type);
    return this.nParams + this.localTypes.length - 1;
  }
  emit(...parts) {
    for (const p of parts) this.code.push(...p);
  }
  body() {
    // Run-length encode local declarations.
    const groups = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const bytes = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...this.code, ...op.end];
    return [...uleb(bytes.length), ...bytes];
  }
}

// ---- SHA-256 building blocks on v128 locals (all push one value on the stack) ----
const rotr = (x, n) => [...op.get(x), ...op.i32(n), ...op.shr, ...op.get(x), ...op.i32(32 - n), ...op.shl, ...op.or];
const shr = (x, n) => [...op.get(x), ...op.i32(n), ...op.shr];
const bigSigma0 = (x) => [...rotr(x, 2), ...rotr(x, 13), ...op.xor, ...rotr(x, 22), ...op.xor];
const bigSigma1 = (x) => [...rotr(x, 6), ...rotr(x, 11), ...op.xor, ...rotr(x, 25), ...op.xor];
const smallSigma0 = (x) => [...rotr(x, 7), ...rotr(x, 18), ...op.xor, ...shr(x, 3), ...op.xor];
const smallSigma1 = (x) => [...rotr(x, 17), ...rotr(x, 19), ...op.xor, ...shr(x, 10), ...op.xor];

/** Which of a block's 64 schedule words vary, given the varying message words (the rule in the header). */
function classify(varying) {
  const v = [];
  for (let t = 0; t < 64; t++) {
    v.push(t < 16 ? varying.includes(t) : v[t - 2] || v[t - 7] || v[t - 15] || v[t - 16]);
  }
  return v;
}

/**
 * Emit one block's schedule and rounds tStart..63. `S` holds the 8 state locals (a..h), `W` the 16-word
 * ring whose varying slots are already filled. With `onlyA`, the last round skips the new e.
 */
function emitBlock(f, { S, W, tmp, varying, tStart, wk, cs, onlyA }) {
  const isVar = classify(varying);
  let [a, b, c, d, e, ff, g, h] = S;
  for (let t = tStart; t < 64; t++) {
    // Message word: varying ones are computed (constant terms folded into cs[t]), others come as W+K.
    let wkCode;
    if (t >= 16 && isVar[t]) {
      const terms = [
        [t - 2, smallSigma1],
        [t - 7, null],
        [t - 15, smallSigma0],
        [t - 16, null],
      ];
      const code = [];
      let n = 0;
      for (const [src, fn] of terms) {
        if (!isVar[src]) continue;
        const x = W[src % 16];
        code.push(...(fn ? fn(x) : op.get(x)));
        if (n++ > 0) code.push(...op.add);
      }
      if (terms.some(([src]) => !isVar[src])) code.push(...op.vloadAt(cs + t * 16), ...op.add);
      const usedLater = t + 2 <= 63;
      if (usedLater) {
        f.emit(code, op.set(W[t % 16]));
        wkCode = [...op.get(W[t % 16]), ...op.vloadAt(slot("k", t)), ...op.add];
      } else {
        wkCode = [...code, ...op.vloadAt(slot("k", t)), ...op.add];
      }
    } else if (isVar[t]) {
      wkCode = [...op.get(W[t % 16]), ...op.vloadAt(slot("k", t)), ...op.add];
    } else {
      wkCode = op.vloadAt(wk + t * 16);
    }
    const last = onlyA && t === 63;
    // T1 = h + W[t]+K[t] + Ch(e,f,g) + Σ1(e), the long-latency Σ1 last (measured ~3% faster than Σ1 first)
    f.emit(op.get(h), wkCode, op.add, op.get(ff), op.get(g), op.get(e), op.bitselect, op.add, bigSigma1(e), op.add);
    if (last) {
      f.emit(op.set(tmp));
    } else {
      f.emit(op.tee(tmp), op.get(d), op.add, op.set(d)); // e' = d + T1
    }
    // a' = T1 + Σ0(a) + Maj(a,b,c); Maj = bitselect(b, a, a ^ c)
    f.emit(op.get(tmp), bigSigma0(a), op.add, op.get(b), op.get(a), op.get(a), op.get(c), op.xor, op.bitselect, op.add);
    f.emit(op.set(h));
    [a, b, c, d, e, ff, g, h] = [h, a, b, c, d, e, ff, g];
  }
  return [a, b, c, d, e, ff, g, h];
}

/** Kernel (lo, hi, tbase, sA, sB) -> first hitting low value in the 4-lane step that hit, or -1. */
function genKernel(ia, twoBlock) {
  const f = new Fn(5);
  const [LO, HI, TB, SA, SB] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  const p = f.local(I32);
  const m = f.local(I32);
  const D = f.local(V128);
  const S = Array.from({ length: 8 }, () => f.local(V128));
  const W = Array.from({ length: 16 }, () => f.local(V128));
  const tmp = f.local(V128);
  const wbNext = twoBlock && ia === 15 ? f.local(V128) : -1; // word 0 of block 2 when digits straddle
  const hin2a = twoBlock ? f.local(V128) : -1;

  f.emit(op.get(LO), op.set(i));
  f.emit(op.get(TB), op.get(LO), op.i32(2), op.i32shl, op.i32add, op.set(p));
  f.emit(op.loop);
  {
    // Digit words of lanes i..i+3, merged into the two varying message words.
    f.emit(op.get(p), op.vload0, op.set(D));
    f.emit(op.vloadAt(slot("ca")), op.get(D), op.get(SA), op.shr, op.or, op.set(W[ia % 16]));
    const wbTarget = ia + 1 < 16 ? W[ia + 1] : wbNext;
    f.emit(op.vloadAt(slot("cb")), op.get(D), op.get(SB), op.shl, op.vloadAt(slot("maskB")), op.and, op.or, op.set(wbTarget));
    for (let k = 0; k < 8; k++) f.emit(op.vloadAt(slot("state", k)), op.set(S[k]));

    const varying1 = [ia, ia + 1].filter((t) => t < 16);
    let out = emitBlock(f, {
      S,
      W,
      tmp,
      varying: varying1,
      tStart: ia,
      wk: slot("wk1"),
      cs: slot("cs1"),
      onlyA: !twoBlock,
    });
    let hinA;
    if (twoBlock) {
      // Chain: block-2 input = hin + block-1 result; keep word 0 for the final addition.
      // out[] is a renaming of S[], so push all 8 sums before storing any.
      for (let k = 0; k < 8; k++) f.emit(op.get(out[k]), op.vloadAt(slot("hin", k)), op.add);
      for (let k = 7; k >= 0; k--) f.emit(op.set(S[k]));
      f.emit(op.get(S[0]), op.set(hin2a));
      if (ia === 15) f.emit(op.get(wbNext), op.set(W[0]));
      out = emitBlock(f, {
        S,
        W,
        tmp,
        varying: ia === 15 ? [0] : [],
        tStart: 0,
        wk: slot("wk2"),
        cs: slot("cs2"),
        onlyA: true,
      });
      hinA = op.get(hin2a);
    } else {
      hinA = op.vloadAt(slot("hin", 0));
    }
    // H0 = a + hin[0]; lanes whose leading bits are all zero hit; the lowest lane is the first nonce.
    f.emit(op.get(out[0]), hinA, op.add, op.vloadAt(slot("check")), op.and, op.vconst(0), op.eq, op.bitmask);
    f.emit(op.tee(m), op.if, op.get(i), op.get(m), op.i32ctz, op.i32add, op.ret, op.end);
    f.emit(op.get(p), op.i32(16), op.i32add, op.set(p));
    f.emit(op.get(i), op.i32(4), op.i32add, op.tee(i), op.get(HI), op.i32ltu, op.brIf(0));
  }
  f.emit(op.end, op.i32(-1));
  return f;
}

function buildModule(kernels) {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])]]));
  const funcs = section(3, vec(kernels.map(() => uleb(0))));
  const memory = section(5, vec([[0x00, ...uleb(1)]]));
  const exports = section(
    7,
    vec([[...str("mem"), 0x02, ...uleb(0)], ...kernels.map(([name], idx) => [...str(name), 0x00, ...uleb(idx)])]),
  );
  const code = section(10, vec(kernels.map(([, fn]) => fn.body())));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...memory, ...exports, ...code]);
}

const kernels = [];
for (let ia = 0; ia <= 13; ia++) kernels.push([`k1_${ia}`, genKernel(ia, false)]);
for (let ia = 13; ia <= 15; ia++) kernels.push([`k2_${ia}`, genKernel(ia, true)]);
const wasm = buildModule(kernels);

// Smallest module using a v128 instruction: the runtime feature test for WebAssembly SIMD.
const probeBody = [...uleb(0), ...op.vconst(0), ...SIMD(0x53) /* v128.any_true */, ...op.end];
const probe = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([]), ...vec([[I32]])]])),
  ...section(3, vec([uleb(0)])),
  ...section(10, vec([[...uleb(probeBody.length), ...probeBody]])),
]);

if (typeof WebAssembly !== "undefined" && WebAssembly.validate(probe) && !WebAssembly.validate(wasm)) {
  throw new Error("generated SHA-256 SIMD module does not validate");
}

// Unrolled code is repetitive: brotli shrinks it ~13x; decompressing costs ~0.5 ms at startup.
const packed = brotliCompressSync(wasm, {
  params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: wasm.length },
});
const b64 = packed.toString("base64");
const lines = [];
for (let k = 0; k < b64.length; k += 120) lines.push(`  "${b64.slice(k, k + 120)}"`);
const layout = { table: TABLE, param: PARAM, slot: SLOT };
const text = `// GENERATED by scripts/gen/pow-wasm.mjs at build time. Do not edit.
/* eslint-disable */

/** SIMD feature-test module (${probe.length} bytes). */
export const SIMD_PROBE = new Uint8Array([${Array.from(probe).join(", ")}]);

/** Linear-memory layout the kernels expect (see the generator). */
export const LAYOUT = ${JSON.stringify(layout)} as const;

/** Exported kernels: one-block variants k1_<ia>, two-block variants k2_<ia>. */
export const KERNELS = ${JSON.stringify(kernels.map(([n]) => n))} as const;

/** The SHA-256 SIMD kernel module (${wasm.length} bytes), brotli-compressed (${packed.length} bytes), base64. */
export const SHA256_SIMD_WASM_BROTLI_BASE64 =
${lines.join(" +\n")};
`;
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, text);
console.log(`gen: ${path.relative(root, outFile)} (${kernels.length} kernels, ${wasm.length} bytes wasm, ${packed.length} compressed)`);
