// WASM SIMD engine: 4 consecutive nonces per i32x4 step with the build-time generated kernels
// (scripts/gen/pow-wasm.mjs); segment constants come from segments.ts and are splatted into linear memory.
import { brotliDecompressSync } from "node:zlib";
import type { Engine } from "./engine.js";
import { KERNELS, LAYOUT, SHA256_SIMD_WASM_BROTLI_BASE64, SIMD_PROBE } from "./generated/sha256-simd.js";
import { POW10, checkMask, createSegmentEngine, digitWord } from "./segments.js";
import { K256 } from "./sha256-plan.js";

type Kernel = (lo: number, hi: number, tbase: number, sA: number, sB: number) => number;

// The project compiles without the DOM lib, so describe the little of the WebAssembly API used here.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** The WebAssembly global, or undefined (e.g. node --jitless). */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let simdSupport: boolean | undefined;
/** WebAssembly with SIMD (validated on a tiny module; absent under --jitless or old runtimes). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = wasmApi !== undefined && wasmApi.validate(SIMD_PROBE);
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

let compiled: object | undefined;
function wasmModule(api: WasmApi): object {
  // Decompress + synchronous compile take ~2–3 ms (V8 compiles lazily); done once per thread.
  if (!compiled) {
    const bytes = brotliDecompressSync(Buffer.from(SHA256_SIMD_WASM_BROTLI_BASE64, "base64"));
    compiled = new api.Module(new Uint8Array(bytes));
  }
  return compiled;
}

type TableDigits = 1 | 2 | 3 | 4;

export function createWasmSimdEngine(challengeData: string, difficulty: number): Engine {
  if (!wasmApi || !wasmSimdSupported()) throw new Error("WebAssembly SIMD is not available in this runtime");
  const exp = new wasmApi.Instance(wasmModule(wasmApi), {}).exports;
  const u32 = new Uint32Array((exp.mem as { buffer: ArrayBuffer }).buffer);
  const kernels = new Map<string, Kernel>(KERNELS.map((name) => [name, exp[name] as Kernel]));

  for (let m = 1; m <= 4; m++) {
    const base = LAYOUT.table[m as TableDigits] >>> 2;
    for (let v = 0; v < POW10[m]!; v++) u32[base + v] = digitWord(v, m);
  }
  const splat = (slotIndex: number, value: number): void => {
    const at = (LAYOUT.param >>> 2) + slotIndex * 4;
    u32[at] = u32[at + 1] = u32[at + 2] = u32[at + 3] = value;
  };
  const splatAll = (slotIndex: number, values: ArrayLike<number>): void => {
    for (let i = 0; i < values.length; i++) splat(slotIndex + i, values[i]!);
  };
  const S = LAYOUT.slot;
  splat(S.check, checkMask(difficulty));
  splatAll(S.k, K256);

  let kernel: Kernel = () => -1;
  let sA = 0;
  let sB = 0;
  return createSegmentEngine("wasm-simd", challengeData, difficulty, {
    prepare(p) {
      const found = kernels.get(p.name);
      if (!found) throw new Error(`internal: no SHA-256 kernel ${p.name}`);
      splatAll(S.state, p.state);
      splatAll(S.hin, p.hin);
      splat(S.ca, p.ca);
      splat(S.cb, p.cb);
      splat(S.maskB, p.maskB);
      splatAll(S.wk1, p.wk1);
      splatAll(S.cs1, p.cs1);
      if (p.wk2 && p.cs2) {
        splatAll(S.wk2, p.wk2);
        splatAll(S.cs2, p.cs2);
      }
      kernel = found;
      sA = p.sA;
      sB = p.sB;
    },
    run(lo, hi, m) {
      return kernel(lo, hi, LAYOUT.table[m as TableDigits], sA, sB);
    },
  });
}
