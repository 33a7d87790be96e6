// Build: compile TypeScript to dist/, then run any code generators (e.g. the PoW WASM module).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Generators run before tsc so that generated TypeScript is compiled with the rest.
const genDir = path.join(root, "scripts", "gen");
if (existsSync(genDir)) {
  for (const f of readdirSync(genDir).filter((n) => n.endsWith(".mjs")).sort()) {
    run(process.execPath, [path.join(genDir, f)]);
  }
}
if (!existsSync(tsc)) {
  console.error("build: TypeScript is not installed; run `npm install` first.");
  process.exit(1);
}
run(process.execPath, [tsc, "-p", "tsconfig.json"]);
