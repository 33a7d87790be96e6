// The published package's layout: one place for the file names the build writes (scripts/build.mjs; the bench
// and smoke scripts take the bin path from here too). package.json's "bin" and "exports" spell the same names
// by hand. Every file is flat in dist/ (the worker is found by name from any chunk).
export const ENTRIES = {
  // `pulumi-agent` (bin/pulumi-agent.js loads it): only what a human run needs, built alone
  cli: { source: "src/cli/main.ts", group: "hot" },
  // what cli.js loads lazily: the agent path, our own commands, the texts without pulumi, the error handler
  "cli-agent": { source: "src/cli/agent.ts", group: "cli", lazyFrom: "./agent.js", merge: true },
  "cli-account": { source: "src/cli/account/program.ts", group: "cli", lazyFrom: "./account/program.js" },
  "cli-about": { source: "src/cli/about.ts", group: "cli", lazyFrom: "./about.js" },
  "cli-errors": { source: "src/cli/errors.ts", group: "cli", lazyFrom: "./errors.js" },
  // `require("pulumi-agent")` (lib.js) and `import ... from "pulumi-agent"` (lib.mjs)
  lib: { source: "src/lib.ts", types: true, esm: true, group: "lib" },
  // the proof-of-work worker thread
  worker: { source: "src/pow/worker.ts", group: "lib" },
  // `pulumi-agent-mock-cloud` (bin/pulumi-agent-mock-cloud.js loads it)
  "mock-cloud": { source: "src/mock-cloud/cli.ts", group: "lib" },
  // `pulumi-agent/mock-cloud`
  "mock-cloud-server": { source: "src/mock-cloud/server.ts", types: true, esm: true, group: "lib" },
};
export const CLI_FILE = "cli.js";
export const WORKER_FILE = "worker.js";
export const BIN_FILE = "bin/pulumi-agent.js";
