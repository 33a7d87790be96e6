// Worker thread: builds one engine and searches the nonce chunks the parent hands out, in order received.
import { parentPort, workerData } from "node:worker_threads";
import { createEngine } from "./engines.js";
import type { EngineKind } from "./engine.js";

export interface WorkerInit {
  challengeData: string;
  difficulty: number;
  engine: EngineKind;
}
export interface ChunkMessage {
  id: number;
  start: number;
  end: number;
}
export type WorkerReply =
  | { type: "ready"; engine: EngineKind }
  | { type: "done"; id: number; hit: number };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  const engine = createEngine(init.engine, init.challengeData, init.difficulty);
  port.postMessage({ type: "ready", engine: engine.kind } satisfies WorkerReply);
  port.on("message", (m: ChunkMessage) => {
    port.postMessage({ type: "done", id: m.id, hit: engine.search(m.start, m.end) } satisfies WorkerReply);
  });
}
