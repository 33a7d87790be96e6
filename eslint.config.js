import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

// The layers of src/, bottom to top. A module may import its own folder and the layers below it, never
// a sibling adapter or anything above (docs/architecture.md).
//   core                                   pure decisions: imports nothing of ours, no I/O modules
//   store detect pow cloud exec log project adapters: import core only
//   run                                    orchestration: carries out the plan with the adapters
//   cli lib                                entry points on top
//   mock-cloud                             a separate app: core, cloud's protocol and pow's verifier
const ADAPTERS = ["store", "detect", "pow", "cloud", "exec", "log", "project"];
const ABOVE_ADAPTERS = ["run", "cli", "mock-cloud"];

/** no-restricted-imports patterns forbidding `../<folder>/*` (and deeper) for each folder listed. */
const forbid = (folders, why) => ({
  group: folders.flatMap((f) => [`../${f}/*`, `../${f}`]),
  message: why,
});
/** src/lib.ts, as a module in a folder of src/ names it. */
const LIB_ENTRY = ["../lib.js", "../lib"];

const IO_MODULES = ["node:fs", "node:fs/promises", "node:child_process", "node:net", "node:http", "node:https", "node:os", "node:tty", "node:worker_threads", "node:dns"];

const layerRules = [
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["../*"], message: "core is the bottom layer: it imports nothing of ours outside src/core." }],
          paths: IO_MODULES.map((name) => ({ name, message: "core is pure: file, network, process and terminal access belong to the adapters." })),
        },
      ],
    },
  },
  ...ADAPTERS.map((adapter) => ({
    files: [`src/${adapter}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            forbid(ADAPTERS.filter((a) => a !== adapter), `${adapter} is an adapter: it may import core, never another adapter (pass a callback or move the shared piece to core).`),
            forbid(ABOVE_ADAPTERS, `${adapter} is an adapter: run, cli and mock-cloud are above it.`),
            { group: LIB_ENTRY, message: "the library entry is the top layer." },
          ],
        },
      ],
    },
  })),
  {
    files: ["src/run/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            forbid(["cli", "mock-cloud"], "run carries out plans for the entry points; it never imports them."),
            { group: LIB_ENTRY, message: "the library entry is the top layer." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/lib.js", "**/lib", "**/mock-cloud/*"], message: "cli and the library are separate entry points; the mock cloud is a separate app." }] },
      ],
    },
  },
  {
    files: ["src/lib.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["./cli/*", "./mock-cloud/*"], message: "the library and the CLI are separate entry points." }] }],
    },
  },
  {
    files: ["src/mock-cloud/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            forbid(["store", "detect", "exec", "log", "project", "run", "cli"], "the mock cloud is a separate app: it shares only core, cloud's protocol and pow's verifier."),
            { group: LIB_ENTRY, message: "the mock cloud is a separate app." },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ["dist/", ".build/", "node_modules/", "coverage/", "src/pow/generated/", "examples/**/node_modules/", "examples/**/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // CommonJS on purpose (preloaded with --require, run as an extensionless script, or a bin launcher that
    // Node starts without its ES module loader).
    files: ["**/*.cjs", "fixtures/fake-pulumi/pulumi", "bin/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  ...layerRules,
);
