// A real HTTP proxy on loopback for proxy-support tests: Debian's tinyproxy when installed (CI
// installs it), else a minimal forwarding proxy in this process (CONNECT tunnels and absolute-form
// requests), so `npm test` also passes on a machine without apt packages.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export interface TestProxy {
  url: string;
  kind: "tinyproxy" | "node";
  /** Targets (host:port) the proxy forwarded to so far. */
  targets(): string[];
  close(): Promise<void>;
}

const TINYPROXY = "/usr/bin/tinyproxy";

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`proxy did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startTinyproxy(dir: string): Promise<TestProxy> {
  const port = await freePort();
  const log = path.join(dir, "tinyproxy.log");
  const conf = path.join(dir, "tinyproxy.conf");
  // No ConnectPort line: CONNECT is allowed to every port (the mock listens on a random one).
  writeFileSync(conf, [`Port ${port}`, "Listen 127.0.0.1", "Allow 127.0.0.1", "Timeout 30", `LogFile "${log}"`, "LogLevel Connect", "MaxClients 20", ""].join("\n"));
  writeFileSync(log, "");
  const child: ChildProcess = spawn(TINYPROXY, ["-d", "-c", conf], { stdio: "ignore" });
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}`,
    kind: "tinyproxy",
    targets: () =>
      [...readFileSync(log, "utf8").matchAll(/(?:Established connection to host "([^"]+)" using file descriptor|Request \(file descriptor \d+\): (?:CONNECT|GET|POST) (?:http:\/\/)?([^/ ]+))/g)].map((m) => (m[1] ?? m[2]) as string),
    close: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    },
  };
}

async function startNodeProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    // Absolute-form request: GET http://host:port/path
    const target = new URL(req.url ?? "");
    seen.push(target.host);
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on("connect", (req, socket, head) => {
    const [host, port] = (req.url ?? "").split(":");
    seen.push(req.url ?? "");
    const up = net.connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    kind: "node",
    targets: () => [...seen],
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export function startProxy(dir: string): Promise<TestProxy> {
  return existsSync(TINYPROXY) ? startTinyproxy(dir) : startNodeProxy();
}
