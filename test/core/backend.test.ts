import { describe, expect, it } from "vitest";
import { isDiyBackend, needsProjectFile, resolveBackend, type BackendSource } from "../../src/core/backend.js";

describe("resolveBackend", () => {
  const current = "https://api.current.example";
  it.each<[Record<string, string>, { url: string; source: BackendSource } | undefined, string | undefined, string | undefined, string, BackendSource]>([
    // an explicit login/logout target wins even over PULUMI_BACKEND_URL (as in the Go CLI)
    [{ PULUMI_BACKEND_URL: "https://api.env.example" }, { url: "file://~", source: "--local" }, "https://x", current, "file://~", "--local"],
    [{ PULUMI_BACKEND_URL: "file:///state" }, { url: "https://api.login.example/", source: "command line" }, undefined, undefined, "https://api.login.example", "command line"],
    [{ PULUMI_BACKEND_URL: "https://api.env.example/" }, undefined, "https://x", current, "https://api.env.example", "PULUMI_BACKEND_URL"],
    [{}, undefined, "file://./state", current, "file://./state", "Pulumi.yaml"],
    [{}, undefined, undefined, current, current, "credentials current"],
    [{ PULUMI_API: "https://api.pulumi-api.example/" }, undefined, undefined, undefined, "https://api.pulumi-api.example/", "PULUMI_API"],
    [{}, undefined, undefined, undefined, "https://api.pulumi.com", "default"],
  ])("env %j explicit %j project %s current %s → %s (%s)", (env, explicit, projectBackendUrl, currentFromCredentials, url, source) => {
    const b = resolveBackend({ env, explicit, projectBackendUrl, currentFromCredentials });
    expect(b.url).toBe(url);
    expect(b.source).toBe(source);
  });

  it("reads the project file only when nothing before it in the order named a backend", () => {
    expect(needsProjectFile({ env: {}, explicit: undefined })).toBe(true);
    expect(needsProjectFile({ env: { PULUMI_BACKEND_URL: "x" }, explicit: undefined })).toBe(false);
    expect(needsProjectFile({ env: {}, explicit: { url: "x", source: "command line" } })).toBe(false);
  });

  it.each(["file://~", "file:///x", "s3://b", "azblob://c", "gs://b", "postgres://db/x", "postgresql://db/x", "FILE://x", " file://x"])("%s is DIY", (u) => {
    expect(isDiyBackend(u)).toBe(true);
  });
  it.each(["https://api.pulumi.com", "http://127.0.0.1:8080", "https://app.pulumi.com", "https://files.example.com"])("%s is Pulumi Cloud", (u) => {
    expect(isDiyBackend(u)).toBe(false);
  });
});
