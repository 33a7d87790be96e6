// Scalar SHA-256 pieces the fast engines use to prepare a segment: midstate, the rounds before the first
// varying message word, and the constant parts of the message schedule.

export const K256 = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

export const IV256 = Uint32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
export const sigma0 = (x: number): number => rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
export const sigma1 = (x: number): number => rotr(x, 17) ^ rotr(x, 19) ^ (x >>> 10);

/** Full 64-word schedule of a block (w: 16 message words). */
export function schedule(w: ArrayLike<number>): Uint32Array {
  const W = new Uint32Array(64);
  for (let t = 0; t < 16; t++) W[t] = w[t]!;
  for (let t = 16; t < 64; t++) W[t] = sigma1(W[t - 2]!) + W[t - 7]! + sigma0(W[t - 15]!) + W[t - 16]!;
  return W;
}

/** Run rounds [0, n) on a copy of `state` (no final addition). */
export function rounds(state: ArrayLike<number>, W: Uint32Array, n: number): Uint32Array {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let t = 0; t < n; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[t]! + W[t]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  return Uint32Array.from([a, b, c, d, e, f, g, h]);
}

/** SHA-256 compression: state + 64 rounds over one block. */
export function compress(state: ArrayLike<number>, w: ArrayLike<number>): Uint32Array {
  const s = rounds(state, schedule(w), 64);
  for (let i = 0; i < 8; i++) s[i] = s[i]! + state[i]!;
  return s;
}

/** Big-endian words of `bytes` (length a multiple of 4). */
export function wordsBE(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length >>> 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
  }
  return out;
}

/**
 * Which schedule words vary when only the message words in `varying` do (must match the generator's rule):
 * W[t>=16] varies iff W[t-2], W[t-7], W[t-15] or W[t-16] does.
 */
export function classify(varying: readonly number[]): boolean[] {
  const v: boolean[] = [];
  for (let t = 0; t < 64; t++) v.push(t < 16 ? varying.includes(t) : v[t - 2]! || v[t - 7]! || v[t - 15]! || v[t - 16]!);
  return v;
}

/**
 * Per-block constants for a kernel: wk[t] = W[t]+K[t] for constant W[t]; cs[t] = sum of the terms of a varying
 * W[t] (t >= 16) whose sources are constant. `W` is the block's schedule with the varying bytes zeroed
 * (its varying entries are never read).
 */
export function blockConstants(W: Uint32Array, varying: readonly number[]): { wk: Uint32Array; cs: Uint32Array } {
  const isVar = classify(varying);
  const wk = new Uint32Array(64);
  const cs = new Uint32Array(64);
  for (let t = 0; t < 64; t++) {
    if (!isVar[t]) {
      wk[t] = W[t]! + K256[t]!;
      continue;
    }
    if (t < 16) continue;
    let sum = 0;
    if (!isVar[t - 2]) sum += sigma1(W[t - 2]!);
    if (!isVar[t - 7]) sum += W[t - 7]!;
    if (!isVar[t - 15]) sum += sigma0(W[t - 15]!);
    if (!isVar[t - 16]) sum += W[t - 16]!;
    cs[t] = sum;
  }
  return { wk, cs };
}
