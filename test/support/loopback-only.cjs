// Test safety net: refuse every TCP connection that is not to a loopback address, before any DNS
// lookup or packet. Loaded into the test workers (setup-env.ts) and, through NODE_OPTIONS, into every
// Node child process the tests start (pulumi-agent, the fake pulumi), so no test can ever reach
// api.pulumi.com or any other host, whatever a bug in the code under test would try.
"use strict";
const net = require("node:net");

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\]|0:0:0:0:0:0:0:1|::ffff:127(?:\.\d{1,3}){3})$/i;

function targetHost(args) {
  // net.connect normalizes its arguments to [options, callback] before calling Socket#connect.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === "object") return first.path ? "localhost" : first.host || "localhost";
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    return typeof args[1] === "string" ? args[1] : "localhost";
  }
  return "localhost"; // a Unix socket path
}

if (!net.Socket.prototype.__loopbackOnly) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    const host = targetHost(args);
    if (!LOOPBACK.test(host)) {
      const err = new Error(`test guard: refused a connection to non-loopback host ${host}`);
      err.code = "ETESTGUARD";
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return connect.apply(this, args);
  };
  net.Socket.prototype.__loopbackOnly = true;
}
