// Engine selection: the fastest engine this runtime supports, or the one a caller/test asks for.
import { createCryptoEngine } from "./engine-crypto.js";
import { createJsEngine, jsEngineSupported } from "./engine-js.js";
import { createWasmSimdEngine, wasmApi, wasmSimdSupported } from "./engine-wasm.js";
import type { Engine, EngineKind } from "./engine.js";

export type EngineChoice = "auto" | EngineKind;

/**
 * "auto": WASM SIMD when available; else the unrolled JS engine when there is a JIT (WebAssembly present
 * but without SIMD); else node:crypto (no WebAssembly at all usually means --jitless, where unrolled JS
 * would be interpreted and native hashing wins).
 */
export function resolveEngine(choice: EngineChoice = "auto"): EngineKind {
  switch (choice) {
    case "wasm-simd":
      if (!wasmSimdSupported()) {
        throw new Error("proof-of-work engine wasm-simd is not available: this runtime lacks WebAssembly SIMD");
      }
      return choice;
    case "js":
      if (!jsEngineSupported()) {
        throw new Error("proof-of-work engine js is not available: code generation from strings is disallowed");
      }
      return choice;
    case "crypto":
      return choice;
    case "auto":
      if (wasmSimdSupported()) return "wasm-simd";
      if (wasmApi !== undefined && jsEngineSupported()) return "js";
      return "crypto";
    default:
      throw new Error(`unknown proof-of-work engine "${String(choice)}" (expected auto, wasm-simd, js or crypto)`);
  }
}

export function createEngine(kind: EngineKind, challengeData: string, difficulty: number): Engine {
  switch (kind) {
    case "wasm-simd":
      return createWasmSimdEngine(challengeData, difficulty);
    case "js":
      return createJsEngine(challengeData, difficulty);
    case "crypto":
      return createCryptoEngine(challengeData, difficulty);
    default:
      throw new Error(`unknown proof-of-work engine "${String(kind)}"`);
  }
}
