// PoW hash-rate benchmark (run after `npm run build`; imports .build/dev/, the unpacked dev build of src/pow). Every rate is reported as a ratio to the
// naive `createHash('sha256').update(str).digest()` loop measured in the same run; the ratio to the Go
// reference is an estimate from perf-baseline.md's 3.3 M H/s (Go is not measured here). ~40 s.
//
//   node scripts/bench-pow.mjs            prints Markdown tables
//   import { runPowBench } from "./bench-pow.mjs"   returns { rows, crossover, markdown }
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median } from "./bench-support.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "..", ".build", "dev", "pow");
const GO_REFERENCE_HPS = 3.3e6; // perf-baseline.md: Go 1.19 reference, one core, same machine type
const ID = "0123456789abcdef0123456789abcdef"; // perf-baseline.md workload id
const TWO_BLOCK_ID = "x".repeat(45); // prefix + 7-digit nonce spills into a second SHA-256 block

async function load() {
  const imp = (f) => import(pathToFileURL(path.join(dist, f)).href);
  try {
    const [index, engines, challenge] = await Promise.all([imp("index.js"), imp("engines.js"), imp("challenge.js")]);
    return { ...index, ...engines, ...challenge };
  } catch (e) {
    throw new Error(`bench-pow: cannot load .build/dev/pow (run \`npm run build\` first): ${e.message}`);
  }
}

/** Rate of `step(n) -> hashes done` over at least `ms`, median of `rounds`. */
function rate(step, { ms = 700, rounds = 3 } = {}) {
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let hashes = 0;
    const t0 = performance.now();
    let dt = 0;
    while ((dt = performance.now() - t0) < ms) hashes += step();
    rates.push((hashes / dt) * 1000);
  }
  return median(rates);
}

function naiveStep(cd, d, leadingZeroBits) {
  let n = 1_000_000;
  return () => {
    const end = n + 20_000;
    for (; n < end; n++) {
      if (leadingZeroBits(createHash("sha256").update(`${cd}:${n}`).digest()) >= d) break;
    }
    return 20_000;
  };
}

function engineStep(pow, kind, cd, d, batch) {
  const engine = pow.createEngine(kind, cd, d);
  let n = 1_000_000;
  engine.search(0, 20_000); // warm-up: instantiate, first compile
  return () => {
    engine.search(n, n + batch);
    n += batch;
    return batch;
  };
}

/** Pool over `threads` workers for `ms`: wall rate (incl. start-up) and steady rate (between progress reports). */
async function poolRate(pow, kind, threads, cd, ms) {
  const reports = [];
  const err = await pow
    .solveChallenge(cd, { engine: kind, threads, budgetMs: ms, onProgress: (p) => reports.push(p) })
    .then(() => null, (e) => e);
  if (!(err instanceof pow.PowBudgetError)) throw new Error(`pool bench expected a budget overrun, got ${err}`);
  const first = reports[1] ?? reports[0];
  const last = reports[reports.length - 1];
  const steady = last && first && last.elapsedMs > first.elapsedMs
    ? ((last.hashes - first.hashes) / (last.elapsedMs - first.elapsedMs)) * 1000
    : NaN;
  return { wall: (err.hashes / ms) * 1000, steady };
}

const fmtRate = (h) => (Number.isFinite(h) ? `${(h / 1e6).toFixed(2)} M` : "—");
const fmtX = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "—");

/** goHps: the Go reference's one-core rate measured in the same run (else the baseline doc's 3.3 M). */
export async function runPowBench({ print = true, log = (s) => process.stderr.write(`${s}\n`), goHps } = {}) {
  const goRef = goHps ?? GO_REFERENCE_HPS;
  const goLabel = goHps ? `× Go ref (measured here: ${fmtRate(goHps)} H/s)` : "× Go ref (estimate: 3.3 M H/s)";
  const pow = await load();
  const cores = availableParallelism();
  const d = 40; // throughput runs: targets are (almost) never met, every hash still gets its check
  const cd = `v1:${ID}:${d}`;
  const cd2 = `v1:${TWO_BLOCK_ID}:${d}`;
  const rows = [];
  const add = (name, threads, hps, note = "") => rows.push({ name, threads, hps, note });

  log("bench-pow: naive createHash loop…");
  const naive = rate(naiveStep(cd, d, pow.leadingZeroBits));
  add("naive `createHash().update(str).digest()` (baseline)", 1, naive);

  const engines = ["crypto", "js", "wasm-simd"];
  const batch = { crypto: 20_000, js: 100_000, "wasm-simd": 200_000 };
  for (const kind of engines) {
    log(`bench-pow: engine ${kind}, 1 thread…`);
    add(`engine \`${kind}\``, 1, rate(engineStep(pow, kind, cd, d, batch[kind])));
  }
  log("bench-pow: engine wasm-simd, two-block tail…");
  add("engine `wasm-simd`, tail spills into a 2nd block (2 compressions)", 1, rate(engineStep(pow, "wasm-simd", cd2, d, 200_000)));

  for (const kind of ["crypto", "wasm-simd"]) {
    log(`bench-pow: pool ${kind}, ${cores} workers…`);
    const r = await poolRate(pow, kind, cores, cd, 3000);
    add(`pool \`${kind}\`, steady (sum of workers)`, cores, r.steady);
    add(`pool \`${kind}\`, wall incl. worker start-up (3 s run)`, cores, r.wall);
  }
  for (const row of rows) {
    row.vsNaive = row.hps / naive;
    row.vsGo = row.hps / goRef;
  }

  // Crossover: wall time of whole solves (same ids) on the calling thread vs with workers.
  const crossover = [];
  const ids = Array.from({ length: 8 }, (_, i) => `bench-${i}`);
  await pow.solveChallenge("v1:warm:8", { threads: 0 }); // load + compile once, like a CLI that solved before
  for (const dd of [14, 16, 18, 20, 22]) {
    log(`bench-pow: crossover d=${dd}…`);
    const row = { d: dd };
    for (const [label, threads] of [["calling thread", 0], [`${cores} workers`, cores]]) {
      const times = [];
      for (const id of ids) {
        const t0 = performance.now();
        await pow.solveChallenge(`v1:${id}:${dd}`, { threads });
        times.push(performance.now() - t0);
      }
      row[label] = times.reduce((a, b) => a + b, 0) / times.length;
    }
    row.default = pow.defaultThreads(dd, "wasm-simd");
    crossover.push(row);
  }

  const lines = [];
  lines.push(`PoW engines — node ${process.version}, ${cores} cores, workload \`v1:${ID}:<d>\`, 7-digit nonces`);
  lines.push("");
  lines.push(`| approach | threads | H/s | × naive node (measured) | ${goLabel} |`);
  lines.push("|---|---|---|---|---|");
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.threads} | ${fmtRate(r.hps)} | ${fmtX(r.vsNaive)} | ${fmtX(r.vsGo)} |`);
  }
  lines.push("");
  lines.push(`Naive node measured at ${fmtRate(naive)} H/s here; perf-baseline.md puts naive node at 0.17× Go (0.56 M vs 3.3 M).`);
  lines.push("");
  lines.push("Mean wall time of whole solves (8 ids per cell, engine wasm-simd; workers started per solve):");
  lines.push("");
  lines.push(`| d | calling thread | ${cores} workers | default threads |`);
  lines.push("|---|---|---|---|");
  for (const c of crossover) {
    lines.push(`| ${c.d} | ${c["calling thread"].toFixed(1)} ms | ${c[`${cores} workers`].toFixed(1)} ms | ${c.default} |`);
  }
  const markdown = lines.join("\n");
  if (print) console.log(markdown);
  return { rows, crossover, naive, markdown };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runPowBench().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
