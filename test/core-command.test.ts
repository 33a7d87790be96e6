import { describe, expect, it } from "vitest";
import { classifyCommand } from "../src/core/command.js";
import { isDiyBackend, resolveBackend } from "../src/core/backend.js";

describe("classifyCommand", () => {
  it.each([
    [["up", "--yes"], true, "up", undefined],
    [["--cwd", "infra", "up"], true, "up", "infra"],
    [["-C", "infra", "preview", "--json"], true, "preview", "infra"],
    [["-Cinfra", "stack", "ls"], true, "stack", "infra"],
    [["--cwd=infra", "whoami"], true, "whoami", "infra"],
    [["up", "--cwd", "late"], true, "up", "late"],
    [["-v", "3", "up"], true, "up", undefined],
    [["--color", "never", "destroy"], true, "destroy", undefined],
    [["--non-interactive", "config", "set", "x", "y"], true, "config", undefined],
    [["version"], false, "version", undefined],
    [["--version"], false, undefined, undefined],
    [["help", "up"], false, "help", undefined],
    [["up", "--help"], false, "up", undefined],
    [["stack", "-h"], false, "stack", undefined],
    [["gen-completion", "bash"], false, "gen-completion", undefined],
    [["plugin", "install", "resource", "aws"], false, "plugin", undefined],
    [["logout"], false, "logout", undefined],
    [[], false, undefined, undefined],
    [["package", "gen-sdk", "x"], false, "package", undefined],
    [["package", "publish", "x"], true, "package", undefined],
    [["new", "aws-typescript", "--generate-only"], false, "new", undefined],
    [["new", "aws-typescript"], true, "new", undefined],
    [["env", "open", "org/env"], true, "env", undefined],
    [["neo"], true, "neo", undefined],
    // a --help after `--` belongs to the program, not to pulumi
    [["up", "--", "--help"], true, "up", undefined],
  ])("%j → needsCloud=%s command=%s cwd=%s", (argv, needsCloud, command, cwd) => {
    const info = classifyCommand(argv);
    expect(info.needsCloud).toBe(needsCloud);
    expect(info.command).toBe(command);
    expect(info.cwd).toBe(cwd);
  });

  it.each([
    [["login"], undefined],
    [["login", "--local"], "file://~"],
    [["login", "file:///tmp/state"], "file:///tmp/state"],
    [["login", "s3://bucket"], "s3://bucket"],
    [["login", "https://api.example.com"], "https://api.example.com"],
    [["login", "--cloud-url", "https://api.example.com"], "https://api.example.com"],
    [["login", "-c", "https://api.x.io"], "https://api.x.io"],
  ])("login target of %j is %s", (argv, target) => {
    expect(classifyCommand(argv).loginTarget).toBe(target);
  });
});

describe("resolveBackend", () => {
  const current = "https://api.current.example";
  it.each([
    [{ PULUMI_BACKEND_URL: "https://api.env.example/" }, undefined, "https://x", current, "https://api.env.example", "PULUMI_BACKEND_URL"],
    [{}, "https://api.login.example", "https://x", current, "https://api.login.example", "login argument"],
    [{}, undefined, "file://./state", current, "file://./state", "Pulumi.yaml"],
    [{}, undefined, undefined, current, current, "credentials current"],
    [{ PULUMI_API: "https://api.pulumi-api.example/" }, undefined, undefined, undefined, "https://api.pulumi-api.example/", "PULUMI_API"],
    [{}, undefined, undefined, undefined, "https://api.pulumi.com", "default"],
  ])("env %j login %s project %s current %s → %s (%s)", (env, loginTarget, projectBackendUrl, currentFromCredentials, url, source) => {
    const b = resolveBackend({ env, loginTarget, projectBackendUrl, currentFromCredentials });
    expect(b.url).toBe(url);
    expect(b.source).toBe(source);
  });

  it.each(["file://~", "file:///x", "s3://b", "azblob://c", "gs://b", "postgres://db/x", "FILE://x"])("%s is DIY", (u) => {
    expect(isDiyBackend(u)).toBe(true);
  });
  it.each(["https://api.pulumi.com", "http://127.0.0.1:8080", "https://app.pulumi.com"])("%s is Pulumi Cloud", (u) => {
    expect(isDiyBackend(u)).toBe(false);
  });
});
