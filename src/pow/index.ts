// Proof-of-work solver for Pulumi agent signup (docs/compatibility.md#proof-of-work): finds exactly the nonce the sequential Go
// solver finds, using the fastest engine available on all useful cores.
//
// The nonce space is cut into chunks handed out in increasing order to worker threads (and, while they
// start, to the main thread in small slices). A hit in chunk k is only answered once every chunk below k
// has finished without a lower hit, so the result is the lowest valid nonce overall.
import { AgentError } from "../core/errors.js";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { nonceMeetsDifficulty, parseChallengeData } from "./challenge.js";
import type { Engine, EngineKind } from "./engine.js";
import type { ChunkMessage, WorkerInit, WorkerReply } from "./worker.js";

// Engines and worker_threads load on first solve (~10 ms), not when a CLI merely imports this module.
type Runtime = {
  createEngine: typeof import("./engines.js").createEngine;
  resolveEngine: typeof import("./engines.js").resolveEngine;
  Worker: typeof Worker;
};
let runtime: Promise<Runtime> | undefined;
function loadRuntime(): Promise<Runtime> {
  runtime ??= Promise.all([import("./engines.js"), import("node:worker_threads")]).then(([e, w]) => ({
    createEngine: e.createEngine,
    resolveEngine: e.resolveEngine,
    Worker: w.Worker,
  }));
  return runtime;
}

export interface SolveOptions {
  /** Ctrl-C / caller cancellation: rejects with an Error whose name is "AbortError". */
  signal?: AbortSignal;
  /** Time budget in ms; overrun rejects with PowBudgetError. */
  budgetMs?: number;
  /** Worker threads. 0 = solve on the calling thread (in short slices). Default: by difficulty and cores. */
  threads?: number;
  /** Called about every 250 ms while solving. */
  onProgress?: (p: PowProgress) => void;
  /** For tests and benchmarks; "auto" picks the fastest engine this runtime supports. */
  engine?: "auto" | "wasm-simd" | "js" | "crypto";
}

export interface PowProgress {
  /** Hashes computed so far (all threads). */
  hashes: number;
  elapsedMs: number;
  /** Hashes per second so far. */
  rate: number;
  /** Expected time left: until 2^difficulty hashes are done, or 2^difficulty/rate once past that. */
  etaMs: number;
}

export interface SolveResult {
  /** Decimal nonce, the `challengeResult` to submit. */
  nonce: string;
  /** Hashes computed by all threads (can exceed the nonce: other threads search ahead). */
  hashes: number;
  durationMs: number;
  engine: string;
  /** Threads that hashed at least one chunk (workers, plus the calling thread if it helped while they started). */
  threads: number;
}

/** Internal knobs for tests and the benchmark; not part of the public contract. */
export interface InternalSolveOptions extends SolveOptions {
  /** Start the search here instead of 0 (tests use it to cross digit-length boundaries). */
  startNonce?: number;
  /** Let the calling thread hash while workers start (default true). */
  warmStart?: boolean;
  /** Nonces per worker chunk (tests use tiny chunks so many chunks hold hits at once). */
  chunkSize?: number;
  /** Worker script to use instead of ./worker.js (tests use a missing one to exercise the fallback). */
  workerUrl?: URL;
}

/**
 * Highest difficulty accepted. 2^40 hashes is ~1.1e12: about 15 hours at 20 M H/s, still many minutes on a
 * 64-core machine, so a higher value is a server bug or a hostile challenge, not something to grind through.
 */
export const MAX_ACCEPTED_DIFFICULTY = 40;

export class PowChallengeError extends AgentError {
  override name = "PowChallengeError";
  constructor(message: string) {
    super(message, { code: "challenge-invalid", hint: "Try again later; if it keeps happening, the service's agent signup protocol may have changed: update pulumi-agent." });
  }
}

export class PowDifficultyError extends AgentError {
  override name = "PowDifficultyError";
  constructor(readonly difficulty: number) {
    super(
      `Refusing a proof-of-work challenge with difficulty ${difficulty}: it needs about 2^${difficulty} ` +
        `(${formatCount(2 ** difficulty)}) SHA-256 hashes, ${formatDuration(
          (2 ** difficulty / NOMINAL_RATE.get("wasm-simd")!) * 1000,
        )} on one core; difficulties above ${MAX_ACCEPTED_DIFFICULTY} are refused because no machine solves them in minutes.`,
      { code: "challenge-too-hard", hint: "Request a new challenge later; if this keeps happening, report it to Pulumi." },
    );
  }
}

export class PowBudgetError extends AgentError {
  override name = "PowBudgetError";
  constructor(
    readonly budgetMs: number,
    readonly difficulty: number,
    readonly hashes: number,
  ) {
    super(`The proof of work was not solved within the ${budgetMs} ms budget (difficulty ${difficulty}, ${formatCount(hashes)} hashes tried).`, {
      code: "challenge-timeout",
      hint: "Retry, or allow more time with PULUMI_AGENT_POW_BUDGET_MS.",
    });
  }
}

/** Rejection on cancellation through `signal`; `cause` is the signal's reason. */
export class PowAbortError extends Error {
  override name = "AbortError";
}

// Steady single-core rates measured by scripts/bench-pow.mjs on the reference machine (2-vCPU Zen 5); used to
// size chunks and to decide when workers pay off.
const NOMINAL_RATE = new Map<EngineKind, number>([
  ["wasm-simd", 16e6],
  ["js", 7e6],
  ["crypto", 1.2e6],
]);

// Worker chunks last ~10 ms and each worker holds one at a time: a hit in chunk k is answered once every chunk
// below k is done, so deeper queues or longer chunks add directly to the answer's latency (with two queued 25 ms
// chunks per worker, 2 workers hashed ~1.5 M nonces past the answer). The message round trip (~0.1 ms) costs
// ~1%. Main-thread slices last ~5 ms so timers, signals and worker messages are served promptly. Multiples of
// 10^4 keep chunk edges on the engines' segment edges.
function chunkSizes(kind: EngineKind): { worker: number; main: number } {
  const rate = NOMINAL_RATE.get(kind)!;
  const round = (n: number): number => Math.max(10_000, Math.round(n / 10_000) * 10_000);
  return { worker: round(rate * 0.01), main: round(rate * 0.005) };
}

/**
 * Default worker count. N workers save (1 - 1/N) of the expected single-thread time but cost ~45 ms to start
 * (spawn, module load, WASM compile; measured 36–40 ms for one, more for several on 2 cores). Below that the
 * calling thread solves alone (in short slices, so the event loop stays responsive); above it every core is
 * used. With the bench's numbers (16 M H/s, 2 cores) the switch is at d = 21, where workers start winning.
 */
export function defaultThreads(difficulty: number, kind: EngineKind, cores = availableParallelism()): number {
  if (cores < 2) return 0; // one core: a worker only adds start-up time
  const expectedMs = (2 ** difficulty / NOMINAL_RATE.get(kind)!) * 1000;
  return expectedMs * (1 - 1 / cores) > WORKER_STARTUP_MS ? cores : 0;
}
const WORKER_STARTUP_MS = 45;

// Set by the bundler (scripts/build.mjs): the worker's file name beside every file of the bundle.
declare const PULUMI_AGENT_WORKER: string | undefined;

let workerFile: URL | null | undefined;
/** The compiled worker next to this module; null when running from TypeScript sources (e.g. under vitest). */
function workerScript(): URL | null {
  if (workerFile === undefined) {
    if (typeof PULUMI_AGENT_WORKER === "string") return (workerFile = new URL(PULUMI_AGENT_WORKER, import.meta.url));
    const url = new URL("./worker.js", import.meta.url);
    workerFile = url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
  }
  return workerFile;
}

export function solveChallenge(challengeData: string, options: SolveOptions = {}): Promise<SolveResult> {
  const opts = options as InternalSolveOptions;
  const parsed = parseChallengeData(challengeData);
  if (!parsed.ok) return Promise.reject(new PowChallengeError(parsed.error));
  const difficulty = parsed.difficulty;
  if (difficulty > MAX_ACCEPTED_DIFFICULTY) return Promise.reject(new PowDifficultyError(difficulty));
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0)) {
    return Promise.reject(new RangeError(`threads must be a non-negative integer, got ${opts.threads}`));
  }
  const start = opts.startNonce ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) {
    return Promise.reject(new RangeError(`startNonce must be a non-negative safe integer, got ${start}`));
  }
  return loadRuntime().then(
    (rt) =>
      new Promise<SolveResult>((resolve, reject) => {
        const kind = rt.resolveEngine(opts.engine ?? "auto");
        let threads = opts.threads ?? defaultThreads(difficulty, kind);
        if (threads > 0 && !opts.workerUrl && workerScript() === null) threads = 0;
        runSolve(rt, { challengeData, difficulty, kind, threads, start, opts, resolve, reject });
      }),
  );
}

function abortError(signal: AbortSignal): Error {
  return new PowAbortError("proof-of-work solve was aborted", { cause: signal.reason });
}

interface Chunk {
  id: number;
  start: number;
  end: number;
}

interface SolveJob {
  challengeData: string;
  difficulty: number;
  kind: EngineKind;
  threads: number;
  start: number;
  opts: InternalSolveOptions;
  resolve: (r: SolveResult) => void;
  reject: (e: unknown) => void;
}

function runSolve(rt: Runtime, job: SolveJob): void {
  const { challengeData, difficulty, kind, threads, opts } = job;
  const { createEngine, Worker } = rt;
  if (opts.signal?.aborted) {
    job.reject(abortError(opts.signal)); // aborted while the engines were loading
    return;
  }
  const t0 = performance.now();
  const sizes = opts.chunkSize ? { worker: opts.chunkSize, main: opts.chunkSize } : chunkSizes(kind);
  const pending = new Map<number, Chunk>(); // handed out, not yet finished
  const workers: Worker[] = [];
  let next = job.start; // first nonce not yet handed out
  let nextId = 0;
  let best = Infinity; // lowest hit found so far
  let hashes = 0;
  let readyWorkers = 0;
  let startFailures = 0;
  let fallbackToMain = false;
  let mainLoopRunning = false;
  let settled = false;
  let mainEngine: Engine | undefined;
  const hashedBy = new Set<number>(); // participants that finished a chunk: -1 = calling thread, else worker index

  const elapsed = (): number => performance.now() - t0;

  const cleanup = (): void => {
    settled = true;
    clearInterval(progressTimer);
    if (budgetTimer) clearTimeout(budgetTimer);
    opts.signal?.removeEventListener("abort", onAbort);
    for (const w of workers) void w.terminate();
  };
  const fail = (e: unknown): void => {
    if (settled) return;
    cleanup();
    job.reject(e);
  };
  const succeed = (nonce: number): void => {
    if (settled) return;
    const nonceStr = String(nonce);
    // One extra hash with node:crypto guards the answer against an engine bug.
    if (!nonceMeetsDifficulty(challengeData, nonceStr, difficulty)) {
      fail(new Error(`proof-of-work engine ${kind} returned nonce ${nonceStr}, which does not meet difficulty ${difficulty}`));
      return;
    }
    cleanup();
    job.resolve({
      nonce: nonceStr,
      hashes,
      durationMs: Math.round(elapsed()),
      engine: kind,
      threads: Math.max(1, hashedBy.size),
    });
  };

  const take = (size: number): Chunk | undefined => {
    if (settled || best !== Infinity) return undefined; // every unassigned nonce is above the hit
    const c = { id: nextId++, start: next, end: next + size };
    next = c.end;
    pending.set(c.id, c);
    return c;
  };
  const complete = (c: Chunk, hit: number, by: number): void => {
    if (settled || !pending.delete(c.id)) return;
    hashedBy.add(by);
    hashes += hit >= 0 ? hit - c.start + 1 : c.end - c.start;
    if (hit >= 0 && hit < best) best = hit;
    if (best === Infinity) return;
    for (const p of pending.values()) if (p.start < best) return; // a lower hit is still possible
    succeed(best);
  };

  const onAbort = (): void => fail(abortError(opts.signal!));
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const budgetTimer =
    opts.budgetMs !== undefined
      ? setTimeout(() => fail(new PowBudgetError(opts.budgetMs!, difficulty, hashes)), Math.max(0, opts.budgetMs))
      : undefined;
  const progressTimer = setInterval(() => {
    if (settled || !opts.onProgress) return;
    const ms = elapsed();
    const rate = ms > 0 ? (hashes / ms) * 1000 : 0;
    const expected = 2 ** difficulty;
    const left = hashes < expected ? expected - hashes : expected; // memoryless once past the mean
    try {
      opts.onProgress({ hashes, elapsedMs: Math.round(ms), rate, etaMs: rate > 0 ? Math.round((left / rate) * 1000) : Infinity });
    } catch (e) {
      fail(e);
    }
  }, 250);
  budgetTimer?.unref?.();
  progressTimer.unref?.();

  // Workers: one chunk at a time (see chunkSizes).
  const feed = (w: Worker, inFlight: Map<number, Chunk>): void => {
    const c = take(sizes.worker);
    if (!c) return;
    inFlight.set(c.id, c);
    w.postMessage({ id: c.id, start: c.start, end: c.end } satisfies ChunkMessage);
  };
  const script = threads > 0 ? (opts.workerUrl ?? workerScript()) : null;
  if (script) {
    const init: WorkerInit = { challengeData, difficulty, engine: kind };
    const execArgv = workerExecArgv();
    const spawnWorker = (): Worker | undefined => {
      try {
        return new Worker(script, { workerData: init, execArgv });
      } catch {
        // Per-process flags (e.g. --disallow-code-generation-from-strings) make Worker throw: drop them all.
        try {
          return new Worker(script, { workerData: init, execArgv: [] });
        } catch {
          return undefined;
        }
      }
    };
    const startFailed = (): void => {
      // A worker that never started (resource limits, odd flags, missing file): carry on without it, on the
      // calling thread if none is left.
      startFailures++;
      if (startFailures === threads && readyWorkers === 0) {
        fallbackToMain = true;
        startMainLoop();
      }
    };
    for (let i = 0; i < threads; i++) {
      const w = spawnWorker();
      if (!w) {
        startFailed();
        continue;
      }
      const inFlight = new Map<number, Chunk>();
      let ready = false;
      workers.push(w);
      w.on("message", (m: WorkerReply) => {
        if (settled) return;
        if (m.type === "ready") {
          ready = true;
          readyWorkers++;
          feed(w, inFlight);
          return;
        }
        const c = inFlight.get(m.id);
        if (!c) return;
        inFlight.delete(m.id);
        complete(c, m.hit, i);
        feed(w, inFlight);
      });
      let gone = false; // "error" is followed by "exit": handle the first only
      const lost = (e: Error): void => {
        if (settled || gone) return;
        gone = true;
        if (ready) fail(e); // its chunks are gone; a lower nonce could be in them
        else startFailed();
      };
      w.on("error", lost);
      w.on("exit", (code) => lost(new Error(`proof-of-work worker exited unexpectedly (code ${code})`)));
    }
  }

  // Calling thread: solves alone when threads = 0 (or no worker could start), otherwise only until the first
  // worker is ready.
  function startMainLoop(): void {
    if (mainLoopRunning) return;
    mainLoopRunning = true;
    const loop = async (): Promise<void> => {
      while (!settled && (!script || fallbackToMain || readyWorkers === 0)) {
        const c = take(sizes.main);
        if (!c) break;
        mainEngine ??= createEngine(kind, challengeData, difficulty);
        complete(c, mainEngine.search(c.start, c.end), -1);
        await new Promise<void>((r) => setImmediate(r)); // let timers, abort and worker messages run
      }
      mainLoopRunning = false;
    };
    // Start on the next turn so solveChallenge returns its promise before any hashing.
    setImmediate(() => loop().catch(fail));
  }
  if (!script || opts.warmStart !== false) startMainLoop();
}

/** The parent's Node options minus those a worker rejects (e.g. `node --input-type=module -e …`). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (["-e", "--eval", "-p", "--print", "-pe", "--input-type"].includes(a)) {
      i++; // and its value
      continue;
    }
    if (/^--(input-type|eval|print)=/.test(a)) continue;
    out.push(a);
  }
  return out;
}

function formatCount(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)} trillion`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  return String(Math.round(n));
}

function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s >= 86_400) return `about ${(s / 86_400).toFixed(1)} days`;
  if (s >= 3600) return `about ${(s / 3600).toFixed(1)} hours`;
  if (s >= 60) return `about ${Math.round(s / 60)} minutes`;
  return `about ${Math.round(s)} seconds`;
}
