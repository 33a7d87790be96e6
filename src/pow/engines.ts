// Engine selection: the fastest engine this runtime supports, or the one a caller/test asks for.
import { createCryptoEngine } from "./engine-crypto.js";
import { createWasmSimdEngine, wasmSimdSupported } from "./engine-wasm.js";
import type { Engine, EngineKind } from "./engine.js";

export type EngineChoice = "auto" | EngineKind;

export function resolveEngine(choice: EngineChoice = "auto"): EngineKind {
  if (choice !== "auto") {
    if (choice === "wasm-simd" && !wasmSimdSupported()) {
      throw new Error("proof-of-work engine wasm-simd is not available: this runtime lacks WebAssembly SIMD");
    }
    return choice;
  }
  return wasmSimdSupported() ? "wasm-simd" : "crypto";
}

export function createEngine(kind: EngineKind, challengeData: string, difficulty: number): Engine {
  switch (kind) {
    case "wasm-simd":
      return createWasmSimdEngine(challengeData, difficulty);
    case "crypto":
      return createCryptoEngine(challengeData, difficulty);
    default:
      throw new Error(`proof-of-work engine "${kind}" is not available in this runtime`);
  }
}
