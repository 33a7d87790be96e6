// The published package's layout: one place for the file names the build writes and the tests, the bench
// and package.json use. Every file is flat in dist/ (the worker is found by name from any chunk).
export const ENTRIES = {
  // `pulumi-agent` (bin/pulumi-agent.js loads it)
  cli: { source: "src/cli/main.ts" },
  // `require("pulumi-agent")` (lib.js) and `import ... from "pulumi-agent"` (lib.mjs)
  lib: { source: "src/lib.ts", types: true, esm: true },
  // the proof-of-work worker thread
  worker: { source: "src/pow/worker.ts" },
  // `pulumi-agent-mock-cloud` (bin/pulumi-agent-mock-cloud.js loads it)
  "mock-cloud": { source: "src/mock-cloud/cli.ts" },
  // `pulumi-agent/mock-cloud`
  "mock-cloud-server": { source: "src/mock-cloud/server.ts", types: true, esm: true },
};
export const CLI_FILE = "cli.js";
export const WORKER_FILE = "worker.js";
export const BIN_FILE = "bin/pulumi-agent.js";
