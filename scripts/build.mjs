// `npm run build`: the published package, from src/ to a flat dist/ with no runtime dependencies.
//  1. code generators (scripts/gen/*.mjs: the proof-of-work WASM module, emitted as TypeScript)
//  2. esbuild bundles the entries (scripts/package-layout.mjs) with code splitting: commander, undici, zod,
//     yaml and the lock library are bundled in; every dynamic import() stays a lazy chunk, so the human
//     path loads only the CLI's entry and the few small chunks it imports.
//  3. each chunk is then turned into CommonJS (dist/package.json says so). Node loads CommonJS without its
//     ES module loader, which alone costs ~4 ms of a ~30 ms start (npm run bench); live bindings between
//     chunks are kept (esbuild reads imports as `chunk.name` at use). The ES module entries (lib.mjs,
//     mock-cloud-server.mjs) are thin wrappers over the CommonJS ones, so one copy of the code (and of
//     AgentError) serves `require` and `import` alike.
//  4. dts-bundle-generator: one declaration file per library entry, as .d.cts and .d.mts (same text).
//  5. esbuild, ESM without splitting, to .build/dev/: the internal modules the dev scripts (bench, demo)
//     import; never packed.
// Everything it prints goes to stderr (so `npm pack --json` prints only JSON). `--no-types` skips 4.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, "dist");
const buildDir = path.join(root, ".build");
const flags = new Set(process.argv.slice(2));
const log = (s) => process.stderr.write(`build: ${s}\n`);

if (!existsSync(path.join(root, "node_modules", "esbuild"))) {
  log("esbuild is not installed; run `npm install` first.");
  process.exit(1);
}
const esbuild = await import("esbuild");
const { ENTRIES, WORKER_FILE, CLI_FILE, BIN_FILE } = await import("./package-layout.mjs");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
// esbuild's target from package.json "engines" (">=20.18.1" → "node20.18"), so the minimum lives there alone.
const minNode = /^>=\s*(\d+)\.(\d+)\.\d+$/.exec(pkg.engines.node);
if (!minNode) {
  log(`package.json engines.node is ${JSON.stringify(pkg.engines.node)}; expected ">=MAJOR.MINOR.PATCH".`);
  process.exit(1);
}

function run(cmd, args) {
  // The tools' stdout goes to our stderr.
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// ---- 1. generators ------------------------------------------------------------------------------------
const genDir = path.join(root, "scripts", "gen");
for (const f of readdirSync(genDir).filter((n) => n.endsWith(".mjs")).sort()) run(process.execPath, [path.join(genDir, f)]);

// ---- 2. bundle ----------------------------------------------------------------------------------------
// Build-time constants, declared in the modules that read them (what the sources would otherwise find out
// at run time from files beside them). Strings only: esbuild turns an array define into a shared module.
const constants = (selfBin, selfCli) => ({
  PULUMI_AGENT_VERSION: JSON.stringify(pkg.version),
  PULUMI_AGENT_WORKER: JSON.stringify(`./${WORKER_FILE}`),
  PULUMI_AGENT_SELF_BIN: JSON.stringify(selfBin),
  PULUMI_AGENT_SELF_CLI: JSON.stringify(selfCli),
});
const common = {
  bundle: true,
  platform: "node",
  target: `node${minNode[1]}.${minNode[2]}`,
  // Whitespace and syntax only: names stay readable in a stack trace someone pastes into an issue (mangling
  // them saved 30% of the bytes but no measurable time in the bench).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
mkdirSync(buildDir, { recursive: true });
// `await import("undici")` of a CommonJS package gives a bundle only `default` (esbuild cannot know the
// names Node would find), so a dynamic import of one resolves to a module naming its exports, listed here
// at build time by loading the package.
const require = createRequire(import.meta.url);
const commonJsNamedExports = {
  name: "commonjs-named-exports",
  setup(b) {
    b.onResolve({ filter: /^[a-z@][^:]*$/ }, (a) => {
      if (a.kind !== "dynamic-import" || a.pluginData === "named") return undefined;
      return { path: a.path, namespace: "named-exports", pluginData: a.resolveDir };
    });
    b.onLoad({ filter: /.*/, namespace: "named-exports" }, (a) => {
      const names = Object.keys(require(require.resolve(a.path, { paths: [a.pluginData] }))).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== "default");
      return { contents: `export { ${names.join(", ")} } from ${JSON.stringify(a.path)};`, resolveDir: a.pluginData, loader: "js" };
    });
  },
};
// Two builds, each with its own chunks:
//  - hot: the CLI entry alone, whose lazy imports are the cli-* entries of the next build (so a human run
//    reads one file of ours: esbuild would otherwise move every module the lazy parts share with it into
//    chunks of their own);
//  - the rest: what cli.js loads lazily (the agent path, the account commands), the libraries, the worker
//    and the mock cloud.
// The hot entry's few modules (detection, exec, debug) are in both; the one piece of shared state, the
// debug output's secrets, lives on the global object (src/log/debug.ts).
const lazyEntries = Object.fromEntries(Object.entries(ENTRIES).filter(([, e]) => e.lazyFrom).map(([name, e]) => [e.lazyFrom, `./${name}.js`]));
const lazyAsEntries = {
  name: "lazy-as-entries",
  setup(b) {
    b.onResolve({ filter: /^\./ }, (a) => (a.kind === "dynamic-import" && lazyEntries[a.path] ? { path: lazyEntries[a.path], external: true } : undefined));
  },
};
function bundle(names, plugins = []) {
  return esbuild.build({
    ...common,
    plugins: [...plugins, commonJsNamedExports],
    entryPoints: Object.fromEntries(names.map((name) => [name, path.join(root, ENTRIES[name].source)])),
    outdir: dist,
    format: "esm",
    splitting: true,
    chunkNames: "[name]-[hash]",
    // Relative to any file in dist/ (all are flat there): the bin launcher and the CLI entry.
    define: constants(`../${BIN_FILE}`, `./${CLI_FILE}`),
    metafile: true,
    write: false,
  });
}
const inGroup = (g) => Object.keys(ENTRIES).filter((n) => ENTRIES[n].group === g);
// The libraries share their chunks with the CLI's lazy parts (no process loads both, but one copy of the
// code on disk keeps the package small, which is most of what a cold npx pays for).
const builds = [await bundle(inGroup("hot"), [lazyAsEntries]), await bundle([...inGroup("cli"), ...inGroup("lib")])];
const metafile = { inputs: Object.assign({}, ...builds.map((b) => b.metafile.inputs)), outputs: Object.assign({}, ...builds.map((b) => b.metafile.outputs)) };
writeFileSync(path.join(buildDir, "meta.json"), JSON.stringify(metafile));
/** The metafile's entry for a file of dist/. */
const outputMeta = (file) => metafile.outputs[path.relative(root, path.join(dist, file))];

// ---- 3. CommonJS chunks, ESM wrappers ------------------------------------------------------------------
writeFileSync(path.join(dist, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
for (const out of builds.flatMap((b) => b.outputFiles)) {
  const usesUrl = out.text.includes("import.meta.url");
  const cjs = await esbuild.transform(out.text, {
    format: "cjs",
    platform: "node",
    target: common.target,
    minifyWhitespace: true,
    minifySyntax: true,
    // import() of a chunk becomes require(): still lazy, and no ES module loader.
    supported: { "dynamic-import": false },
    // import.meta.url does not exist in CommonJS: the banner gives this file's URL under another name.
    define: { "import.meta.url": "__pulumiAgentFileUrl" },
    banner: usesUrl ? 'const __pulumiAgentFileUrl = require("node:url").pathToFileURL(__filename).href;' : "",
  });
  writeFileSync(out.path, cjs.code);
}
// An entry marked `merge` carries the chunks it imports statically inside its own file: a warm agent run then
// reads two files of ours instead of a dozen. Each chunk is registered in require.cache under its own
// file name before it runs, so a chunk that something else requires later is the same instance, read once.
for (const [name, e] of Object.entries(ENTRIES)) {
  if (!e.merge) continue;
  const order = [];
  const visit = (file) => {
    if (order.includes(file)) return;
    for (const imp of outputMeta(file)?.imports ?? []) {
      if (imp.kind === "import-statement" && !imp.external) visit(path.basename(imp.path));
    }
    order.push(file);
  };
  visit(`${name}.js`);
  const seeded = order.slice(0, -1).map((file) => {
    const code = readFileSync(path.join(dist, file), "utf8");
    return `__seed(${JSON.stringify(file)},function(exports,require,module,__filename,__dirname){${code}\n});`;
  });
  const seed =
    'const __seed=(file,factory)=>{const Module=require("node:module"),filename=require("node:path").join(__dirname,file);' +
    "if(require.cache[filename])return;const m=new Module(filename,module);m.filename=filename;m.paths=module.paths;require.cache[filename]=m;" +
    "factory.call(m.exports,m.exports,(id)=>m.require(id),m,filename,__dirname);m.loaded=true;};";
  const own = readFileSync(path.join(dist, `${name}.js`), "utf8");
  writeFileSync(path.join(dist, `${name}.js`), `"use strict";${seed}\n${seeded.join("\n")}\n${own}`);
  log(`${name}.js carries ${seeded.length} chunks`);
}

for (const [name, e] of Object.entries(ENTRIES)) {
  if (!e.esm) continue;
  // Named exports of the CommonJS entry, as Node's import sees them (esbuild annotates them for it).
  const names = outputMeta(`${name}.js`).exports.filter((n) => n !== "default");
  writeFileSync(path.join(dist, `${name}.mjs`), `export { ${names.join(", ")} } from "./${name}.js";\n`);
}

// ---- 4. declarations -----------------------------------------------------------------------------------
if (!flags.has("--no-types")) {
  const dts = path.join(root, "node_modules", "dts-bundle-generator", "dist", "bin", "dts-bundle-generator.js");
  const typed = Object.entries(ENTRIES).filter(([, e]) => e.types);
  const config = {
    compilationOptions: { preferredConfigPath: path.join(root, "tsconfig.json") },
    entries: typed.map(([name, e]) => ({ filePath: path.join(root, e.source), outFile: path.join(buildDir, `${name}.d.ts`), noCheck: true, output: { noBanner: true } })),
  };
  const configFile = path.join(buildDir, "dts-config.json");
  writeFileSync(configFile, JSON.stringify(config));
  run(process.execPath, [dts, "--silent", "--config", configFile]);
  for (const [name] of typed) {
    const text = readFileSync(path.join(buildDir, `${name}.d.ts`), "utf8");
    // Same declarations for both module systems; the extension tells TypeScript which one it describes.
    writeFileSync(path.join(dist, `${name}.d.cts`), text);
    writeFileSync(path.join(dist, `${name}.d.mts`), text);
  }
}

// ---- 5. dev modules -------------------------------------------------------------------------------------
const devOut = path.join(buildDir, "dev");
rmSync(devOut, { recursive: true, force: true });
await esbuild.build({
  ...common,
  entryPoints: ["pow/index.ts", "pow/engines.ts", "pow/challenge.ts", "pow/worker.ts", "detect/env-vars.ts", "exec/find-pulumi.ts", "store/claim.ts", "store/lock.ts", "cloud/client.ts"].map((f) => path.join(root, "src", f)),
  outbase: path.join(root, "src"),
  outdir: devOut,
  format: "esm",
  // Each file stands alone, so pow/index.js finds pow/worker.js beside it.
  define: constants(`../../../${BIN_FILE}`, `../../../dist/${CLI_FILE}`),
  banner: { js: 'import { createRequire as __pulumiAgentCreateRequire } from "node:module";\nconst require = __pulumiAgentCreateRequire(import.meta.url);' },
});

const files = readdirSync(dist).sort();
const bytes = files.reduce((n, f) => n + readFileSync(path.join(dist, f)).length, 0);
log(`dist/: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
