// The published package: packed by npm, installed from the tarball with no registry and an empty cache, it
// is exactly one package with no runtime dependencies; its library works from require and import, its
// bins run, and an old Node gets one line instead of a stack trace.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, REPO_ROOT, makeSandbox, type Sandbox } from "../support/sandbox.js";
import { installTarball, installedPackages, packRepo, tempDir, type Packed } from "../support/package.js";
import { runBin } from "../support/run.js";

const ours = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
let work = "";
let packed: Packed;
let installed = "";
let sb: Sandbox;

beforeAll(async () => {
  work = tempDir("pa-package-");
  packed = packRepo(work);
  installed = installTarball(packed.tarball, path.join(work, "prefix"));
  sb = await makeSandbox();
}, 120_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await sb?.cleanup();
});

describe("the tarball", () => {
  it("holds the bins, the flat dist/ and the license; no sources, tests or maps", () => {
    const files = packed.info.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "bin/pulumi-agent.js", "bin/pulumi-agent-mock-cloud.js", "dist/cli.js", "dist/lib.js", "dist/lib.mjs", "dist/lib.d.cts", "dist/lib.d.mts", "dist/worker.js"]));
    expect(files.filter((f) => !/^(LICENSE|README\.md|package\.json|bin\/[^/]+|dist\/[^/]+)$/.test(f))).toEqual([]);
    expect(files.some((f) => f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.cts") && !f.endsWith(".d.mts"))).toBe(false);
  });

  it("package.json: no runtime dependencies, no install scripts, the true Node minimum, metadata", () => {
    const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
    expect(pkg.engines).toEqual({ node: ">=20.18.1" });
    expect(pkg.bin).toEqual({ "pulumi-agent": "bin/pulumi-agent.js", "pulumi-agent-mock-cloud": "bin/pulumi-agent-mock-cloud.js" });
    for (const key of ["repository", "homepage", "bugs", "keywords", "license"]) expect(pkg[key], key).toBeTruthy();
    // The launcher's own check says the same minimum.
    expect(readFileSync(BIN, "utf8")).toContain("var MIN = [20, 18, 1];");
  });

  it("installs offline from an empty cache as exactly one package", () => {
    expect(installedPackages(path.join(work, "prefix", "node_modules"))).toEqual(["pulumi-agent"]);
    for (const bin of ["pulumi-agent", "pulumi-agent-mock-cloud"]) {
      expect(statSync(path.join(work, "prefix", "node_modules", ".bin", bin)).mode & 0o111).not.toBe(0);
    }
  });
});

describe("the installed package", () => {
  const node = (args: string[], cwd = work) => spawnSync(process.execPath, args, { cwd, env: sb.env, encoding: "utf8" });

  it("require() and import give the same library (one copy: one AgentError class), named exports and all", () => {
    const cjs = node(["-e", `const m = require("pulumi-agent"); console.log(Object.keys(m).sort().join(","), typeof m.ensureCredentials, new m.AgentError("x", { code: "c" }).code)`], path.join(work, "prefix"));
    expect(cjs.stderr).toBe("");
    expect(cjs.stdout).toBe("AgentError,claimUrlFor,detectAgent,ensureCredentials,getAccountStatus function c\n");
    const esm = node(["--input-type=module", "-e", `import { ensureCredentials, AgentError } from "pulumi-agent"; import { createRequire } from "node:module"; const required = createRequire(process.cwd() + "/")("pulumi-agent"); console.log(typeof ensureCredentials, required.AgentError === AgentError)`], path.join(work, "prefix"));
    expect(esm.stderr).toBe("");
    expect(esm.stdout).toBe("function true\n");
    const mock = node(["--input-type=module", "-e", `import { startMockCloud } from "pulumi-agent/mock-cloud"; const m = await startMockCloud({}); console.log(m.url.startsWith("http://127.0.0.1:")); await m.close();`], path.join(work, "prefix"));
    expect(mock.stdout, mock.stderr).toBe("true\n");
  });

  it("the bins run: the CLI (its own surface without pulumi) and the mock cloud's help", () => {
    const bin = path.join(work, "prefix", "node_modules", ".bin");
    const version = spawnSync(path.join(bin, "pulumi-agent"), ["--version"], { env: { ...sb.env, PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
    expect(version.stdout).toBe(`pulumi-agent ${ours.version}\n`);
    const help = spawnSync(path.join(bin, "pulumi-agent-mock-cloud"), ["--help"], { env: sb.env, encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mock-cloud /);
  });
});

describe("an old Node", () => {
  it("gets one line naming the minimum and its own version, exit 1, before anything else loads", async () => {
    // A preload that makes this Node report an older version, as 20.0 (AbortSignal.any missing) would.
    const preload = path.join(sb.root, "old-node.cjs");
    writeFileSync(preload, `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.18.0" } }); Object.defineProperty(process, "version", { value: "v20.18.0" });`);
    const r = await runBin(["up"], sb.env, { command: [process.execPath, "--require", preload, BIN] });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe("pulumi-agent needs Node.js >= 20.18.1 (this is v20.18.0): install a current Node.js (https://nodejs.org/en/download) and run pulumi-agent with it.\n");
  });
});

describe("the module graph (the build's metafile)", () => {
  type Meta = { outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }> };
  const meta = JSON.parse(readFileSync(path.join(REPO_ROOT, ".build", "meta.json"), "utf8")) as Meta;
  /** The files an entry loads before its code runs: its static imports, transitively. */
  const staticClosure = (entry: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    for (const i of meta.outputs[entry]!.imports) if (i.kind === "import-statement" && !i.external) staticClosure(i.path, seen);
    return seen;
  };
  const libraries = (files: Set<string>) => [...new Set([...files].flatMap((f) => Object.keys(meta.outputs[f]!.inputs)).filter((i) => i.includes("node_modules/")).map((i) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(i)![1]))];

  it("the CLI entry loads none of the bundled libraries before it runs: they come with the commands that need them", () => {
    const hot = staticClosure("dist/cli.js");
    expect(libraries(hot)).toEqual([]);
    const kib = [...hot].reduce((n, f) => n + statSync(path.join(REPO_ROOT, f)).size, 0) / 1024;
    expect(kib).toBeLessThan(100);
    // Each library is a lazy chunk of its own or of the command that uses it.
    expect(libraries(staticClosure("dist/lib.js"))).toEqual([]);
  });

  it("the worker is its own entry, found by name beside every chunk", () => {
    expect(Object.keys(meta.outputs)).toContain("dist/worker.js");
    expect(Object.keys(meta.outputs).every((f) => path.dirname(f) === "dist")).toBe(true);
  });
});
