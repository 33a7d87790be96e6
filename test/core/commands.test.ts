import { describe, expect, it } from "vitest";
import { COMMAND_TABLE, lookupCommand, readCommand, type CloudUse } from "../../src/core/commands.js";

// What each pulumi command word means, written out here independently of the table: a row added to
// COMMAND_TABLE without a line here fails the coverage test below.
const EXPECTED: Record<string, CloudUse> = {
  about: "uses",
  ai: "uses",
  cancel: "needs",
  cloud: "needs",
  config: "needs",
  console: "needs",
  convert: "never",
  "convert-trace": "never",
  deployment: "needs",
  destroy: "needs",
  down: "needs",
  dn: "needs",
  env: "needs",
  "gen-completion": "never",
  completion: "never",
  "gen-markdown": "never",
  "generate-cli-spec": "never",
  help: "never",
  import: "needs",
  install: "never",
  login: "needs",
  logout: "uses",
  logs: "needs",
  neo: "needs",
  new: "needs",
  org: "needs",
  package: "never",
  plugin: "never",
  plugins: "never",
  policy: "needs",
  preview: "needs",
  pre: "needs",
  project: "needs",
  refresh: "needs",
  "replay-events": "never",
  schema: "never",
  stack: "needs",
  state: "needs",
  template: "needs",
  up: "needs",
  update: "needs",
  version: "never",
  "view-trace": "never",
  watch: "needs",
  whoami: "needs",
};

describe("the command table", () => {
  it("every word and alias of the table has an expected meaning here, and nothing more", () => {
    const words = COMMAND_TABLE.flatMap((r) => [r.word, ...(r.aliases ?? [])]).sort();
    expect(words).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("`pulumi %s` → %s", (word, cloud) => {
    const m = readCommand([word]);
    expect(m.cloud).toBe(cloud);
    expect(m.row).toBeDefined();
    expect(m.reason).not.toBe("");
  });

  it("every row says why", () => {
    for (const row of COMMAND_TABLE) expect(row.why.length, row.word).toBeGreaterThan(10);
  });
});

describe("readCommand: finding the word", () => {
  it.each([
    [["up", "--yes"], "up", undefined],
    [["--cwd", "infra", "up"], "up", "infra"],
    [["-C", "infra", "preview", "--json"], "preview", "infra"],
    [["-Cinfra", "stack", "ls"], "stack", "infra"],
    [["-C=infra", "stack", "ls"], "stack", "infra"],
    [["--cwd=infra", "whoami"], "whoami", "infra"],
    [["up", "--cwd", "late"], "up", "late"],
    [["-v", "3", "up"], "up", undefined],
    [["-v3", "up"], "up", undefined],
    [["--verbose=9", "--logflow", "up"], "up", undefined],
    [["--color", "never", "destroy"], "destroy", undefined],
    [["--tracing", "file:/tmp/t", "--profiling", "p", "--memprofilerate", "1", "up"], "up", undefined],
    [["--tracing-header", "x", "--otel-traces", "y", "preview"], "preview", undefined],
    [["--non-interactive", "--emoji", "config", "set", "x", "y"], "config", undefined],
    [[], undefined, undefined],
    [["up", "--", "--help"], "up", undefined],
  ])("%j → %s (cwd %s)", (argv, word, cwd) => {
    const m = readCommand(argv);
    expect(m.word).toBe(word);
    expect(m.cwd).toBe(cwd);
  });
});

describe("readCommand: what it means", () => {
  it.each<[string[], CloudUse, string?]>([
    [["--help"], "never"],
    [["-h"], "never"],
    [["--version"], "never"],
    [["up", "--help"], "never"],
    [["stack", "-h"], "never"],
    [["login", "--help"], "never"],
    [["up", "--", "--help"], "needs"], // after `--` it belongs to the program
    [[], "never"],
    [["accounts", "status"], "uses"], // a typo: never an account
    [["upp"], "uses"],
    [["package", "gen-sdk", "x"], "never"],
    [["package", "publish", "x"], "needs"],
    [["package", "delete", "x"], "needs"],
    [["policy", "new", "aws-typescript"], "never"],
    [["policy", "validate-config", "p"], "never"],
    [["policy", "publish"], "needs"],
    [["new", "aws-typescript", "--generate-only"], "never"],
    [["new", "aws-typescript", "-g"], "never"],
    [["new", "--list-templates"], "never"],
    [["new", "aws-typescript"], "needs"],
    [["new", "--stack", "dev", "aws-typescript"], "needs"],
    [["login", "--oidc-token", "file:///t", "--oidc-org", "acme"], "uses"],
    [["env", "open", "org/env"], "needs"],
  ])("%j → %s", (argv, cloud) => {
    expect(readCommand(argv).cloud).toBe(cloud);
  });

  it.each([
    [["neo"], "neo"],
    [["logout"], "logout"],
    [["up"], "remind"],
    [["upp"], "remind"],
    [["version"], "none"],
    [["policy", "new"], "none"],
  ])("%j hook → %s", (argv, hook) => {
    expect(readCommand(argv).hook).toBe(hook);
  });
});

describe("readCommand: login and logout targets", () => {
  it.each([
    [["login"], { kind: "none" }],
    [["login", "--local"], { kind: "url", url: "file://~", via: "--local" }],
    [["login", "-l"], { kind: "url", url: "file://~", via: "--local" }],
    [["login", "file:///tmp/state"], { kind: "url", url: "file:///tmp/state", via: "argument" }],
    [["login", "s3://bucket"], { kind: "url", url: "s3://bucket", via: "argument" }],
    [["login", "https://api.example.com"], { kind: "url", url: "https://api.example.com", via: "argument" }],
    [["login", "--cloud-url", "https://api.example.com"], { kind: "url", url: "https://api.example.com", via: "--cloud-url" }],
    [["login", "--cloud-url=https://api.example.com"], { kind: "url", url: "https://api.example.com", via: "--cloud-url" }],
    [["login", "-c", "https://api.x.io"], { kind: "url", url: "https://api.x.io", via: "--cloud-url" }],
    // a flag's value is not the target
    [["login", "--default-org", "acme"], { kind: "none" }],
    [["login", "--default-org", "acme", "https://api.x.io"], { kind: "url", url: "https://api.x.io", via: "argument" }],
    [["--cwd", "infra", "login", "--insecure", "https://api.x.io"], { kind: "url", url: "https://api.x.io", via: "argument" }],
    [["logout"], { kind: "none" }],
    [["logout", "https://api.x.io"], { kind: "url", url: "https://api.x.io", via: "argument" }],
    [["logout", "--local"], { kind: "url", url: "file://~", via: "--local" }],
    [["logout", "--all"], { kind: "all" }],
    [["logout", "-c", "https://api.x.io"], { kind: "url", url: "https://api.x.io", via: "--cloud-url" }],
    // other commands never name a backend, whatever their words
    [["stack", "select", "https://api.x.io"], { kind: "none" }],
  ])("%j → %j", (argv, target) => {
    expect(readCommand(argv).target).toEqual(target);
  });
});

describe("lookupCommand", () => {
  it("stands for `pulumi whoami`, in another dir or for an explicit cloud", () => {
    expect(lookupCommand()).toMatchObject({ word: "whoami", cloud: "needs", target: { kind: "none" } });
    expect(lookupCommand({ cwd: "infra" }).cwd).toBe("infra");
    expect(lookupCommand({ cloudUrl: "https://api.x.io" }).target).toEqual({ kind: "url", url: "https://api.x.io", via: "--cloud-url" });
  });
});
