// Runs in every test worker before any test: the test process itself must not look like an agent
// (we may be running inside one) nor see the developer's Pulumi configuration.
import { createRequire } from "node:module";
import { scrubInPlace } from "./sandbox.js";

scrubInPlace(process.env);
// Loopback only, in this process too (see loopback-only.cjs).
createRequire(import.meta.url)("./loopback-only.cjs");
