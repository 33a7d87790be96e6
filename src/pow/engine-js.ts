// Pure-JS engine for runtimes without WebAssembly SIMD: the same segment plan as the WASM engine with a
// scalar, fully unrolled kernel per variant. The kernel source is generated here and compiled with
// `new Function` on first use (unrolled straight-line code is what lets V8 keep everything in int32 registers;
// a loop over rounds is ~5x slower).
import type { Engine } from "./engine.js";
import { POW10, checkMask, createSegmentEngine, digitWord } from "./segments.js";
import { K256, classify } from "./sha256-plan.js";

type JsKernel = (
  lo: number,
  hi: number,
  P: Int32Array,
  T: Int32Array,
  tb: number,
  sA: number,
  sB: number,
  maskB: number,
  check: number,
) => number;

// Parameter array indexes (same order as the WASM layout's slots).
const P_STATE = 0;
const P_HIN = 8;
const P_CA = 16;
const P_CB = 17;
const P_WK1 = 20;
const P_CS1 = 84;
const P_WK2 = 148;
const P_CS2 = 212;
const P_SIZE = 276;
const TABLE_BASE: Record<number, number> = { 1: 0, 2: 10, 3: 110, 4: 1110 }; // word offsets; 11110 entries

const rot = (x: string, n: number): string => `(${x} >>> ${n} | ${x} << ${32 - n})`;
const S0 = (x: string): string => `(${rot(x, 2)} ^ ${rot(x, 13)} ^ ${rot(x, 22)})`;
const S1 = (x: string): string => `(${rot(x, 6)} ^ ${rot(x, 11)} ^ ${rot(x, 25)})`;
const s0 = (x: string): string => `(${rot(x, 7)} ^ ${rot(x, 18)} ^ ${x} >>> 3)`;
const s1 = (x: string): string => `(${rot(x, 17)} ^ ${rot(x, 19)} ^ ${x} >>> 10)`;

/** Source of one block's rounds tStart..63 over state variables `v` (renamed per round, like the WASM code). */
function blockSource(
  lines: string[],
  pre: string[],
  v: string[],
  varying: number[],
  tStart: number,
  wk: number,
  cs: number,
  tag: string,
  onlyA: boolean,
): string[] {
  const isVar = classify(varying);
  let [a, b, c, d, e, f, g, h] = v as [string, string, string, string, string, string, string, string];
  for (let t = tStart; t < 64; t++) {
    let wkExpr: string;
    if (t >= 16 && isVar[t]) {
      const terms: string[] = [];
      let allVar = true;
      for (const [src, fn] of [
        [t - 2, s1],
        [t - 7, null],
        [t - 15, s0],
        [t - 16, null],
      ] as const) {
        if (!isVar[src]) {
          allVar = false;
          continue;
        }
        terms.push(fn ? fn(`w${src % 16}`) : `w${src % 16}`);
      }
      if (!allVar) {
        pre.push(`const ${tag}c${t} = P[${cs + t}];`);
        terms.push(`${tag}c${t}`);
      }
      lines.push(`w${t % 16} = (${terms.join(" + ")}) | 0;`);
      wkExpr = `w${t % 16} + ${K256[t]! | 0}`;
    } else if (isVar[t]) {
      wkExpr = `w${t % 16} + ${K256[t]! | 0}`;
    } else {
      pre.push(`const ${tag}k${t} = P[${wk + t}];`);
      wkExpr = `${tag}k${t}`;
    }
    lines.push(`t1 = (${h} + ${S1(e)} + (${e} & ${f} ^ ~${e} & ${g}) + ${wkExpr}) | 0;`);
    if (!(onlyA && t === 63)) lines.push(`${d} = (${d} + t1) | 0;`);
    lines.push(`${h} = (t1 + ${S0(a)} + (${a} & ${b} | ${c} & (${a} | ${b}))) | 0;`);
    [a, b, c, d, e, f, g, h] = [h, a, b, c, d, e, f, g];
  }
  return [a, b, c, d, e, f, g, h];
}

function kernelSource(ia: number, twoBlock: boolean): string {
  const pre: string[] = [];
  const loop: string[] = [];
  for (let k = 0; k < 8; k++) pre.push(`const st${k} = P[${P_STATE + k}], hin${k} = P[${P_HIN + k}];`);
  pre.push(`const ca = P[${P_CA}], cb = P[${P_CB}];`);
  const vars = ["a", "b", "c", "d", "e", "f", "g", "h"];
  loop.push(`const D = T[tb + i];`);
  loop.push(`w${ia % 16} = ca | D >>> sA;`);
  loop.push(`${ia + 1 < 16 ? `w${ia + 1}` : "wn"} = cb | (D << sB) & maskB;`);
  loop.push(vars.map((x, k) => `${x} = st${k};`).join(" "));
  let out = blockSource(loop, pre, vars, [ia, ia + 1].filter((t) => t < 16), ia, P_WK1, P_CS1, "b1", !twoBlock);
  let h0 = "hin0";
  if (twoBlock) {
    loop.push(out.map((x, k) => `n${k} = (${x} + hin${k}) | 0;`).join(" "));
    loop.push(vars.map((x, k) => `${x} = n${k};`).join(" "));
    if (ia === 15) loop.push(`w0 = wn;`);
    out = blockSource(loop, pre, vars, ia === 15 ? [0] : [], 0, P_WK2, P_CS2, "b2", true);
    h0 = "n0";
  }
  loop.push(`if (((${out[0]} + ${h0}) & check) === 0) return i;`);
  const decl = [
    "let a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, t1 = 0, wn = 0;",
    "let " + Array.from({ length: 16 }, (_, k) => `w${k} = 0`).join(", ") + ";",
    "let " + Array.from({ length: 8 }, (_, k) => `n${k} = 0`).join(", ") + ";",
  ];
  return [
    '"use strict";',
    ...pre,
    ...decl,
    "for (let i = lo; i < hi; i++) {",
    ...loop,
    "}",
    "return -1;",
  ].join("\n");
}

const compiledKernels = new Map<string, JsKernel>();
function jsKernel(name: string, ia: number, twoBlock: boolean): JsKernel {
  let k = compiledKernels.get(name);
  if (!k) {
    k = new Function("lo", "hi", "P", "T", "tb", "sA", "sB", "maskB", "check", kernelSource(ia, twoBlock)) as JsKernel;
    compiledKernels.set(name, k);
  }
  return k;
}

/** False when string code generation is disallowed (e.g. --disallow-code-generation-from-strings). */
export function jsEngineSupported(): boolean {
  try {
    return (new Function("return 1") as () => number)() === 1;
  } catch {
    return false;
  }
}

export function createJsEngine(challengeData: string, difficulty: number): Engine {
  const P = new Int32Array(P_SIZE);
  const T = new Int32Array(11_110);
  for (let m = 1; m <= 4; m++) for (let v = 0; v < POW10[m]!; v++) T[TABLE_BASE[m]! + v] = digitWord(v, m);
  const check = checkMask(difficulty) | 0;
  let kernel: JsKernel = () => -1;
  let sA = 0;
  let sB = 0;
  let maskB = 0;
  return createSegmentEngine("js", challengeData, difficulty, {
    prepare(p) {
      kernel = jsKernel(p.name, p.ia, p.twoBlock);
      P.set(p.state, P_STATE);
      P.set(p.hin, P_HIN);
      P[P_CA] = p.ca;
      P[P_CB] = p.cb;
      P.set(p.wk1, P_WK1);
      P.set(p.cs1, P_CS1);
      if (p.wk2 && p.cs2) {
        P.set(p.wk2, P_WK2);
        P.set(p.cs2, P_CS2);
      }
      sA = p.sA;
      sB = p.sB;
      maskB = p.maskB | 0;
    },
    run(lo, hi, m) {
      return kernel(lo, hi, P, T, TABLE_BASE[m]!, sA, sB, maskB, check);
    },
  });
}
