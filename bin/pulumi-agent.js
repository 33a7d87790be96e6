#!/usr/bin/env node
// The `pulumi-agent` command. It checks the running Node first, in syntax any Node parses (an old Node
// gets one line, not a stack trace), then loads the CLI bundle (dist/, built by `npm run build`).
"use strict";
var MIN = [20, 18, 1]; // package.json "engines": AbortSignal.any and the bundled undici 7 need 20.18.1
var have = process.versions.node.split(".").map(Number);
var old = have[0] !== MIN[0] ? have[0] < MIN[0] : have[1] !== MIN[1] ? have[1] < MIN[1] : have[2] < MIN[2];
if (old) {
  process.stderr.write("pulumi-agent needs Node.js >= " + MIN.join(".") + " (this is " + process.version + "): install a current Node.js (https://nodejs.org/en/download) and run pulumi-agent with it.\n");
  process.exitCode = 1;
} else {
  // Node >= 22.1 keeps the compiled code between runs (NODE_DISABLE_COMPILE_CACHE=1 turns it off). Only
  // there is node:module asked for: loading it costs an older Node its ES module loader.
  if (have[0] > 22 || (have[0] === 22 && have[1] >= 1)) {
    var nodeModule = require("node:module");
    if (typeof nodeModule.enableCompileCache === "function") nodeModule.enableCompileCache();
  }
  require("../dist/cli.js");
}
