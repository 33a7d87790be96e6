// Engine contract shared by the in-process runner and the worker threads.
export type EngineKind = "wasm-simd" | "js" | "crypto";

export interface Engine {
  readonly kind: EngineKind;
  /** First nonce n in [start, end) whose hash has >= difficulty leading zero bits, or -1. Synchronous. */
  search(start: number, end: number): number;
}

/** Digits of a non-negative safe integer (String() is exact for safe integers). */
export function digitCount(n: number): number {
  let k = 1;
  for (let p = 10; p <= n; p *= 10) k++;
  return k;
}
