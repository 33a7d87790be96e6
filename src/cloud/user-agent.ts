import { readFileSync } from "node:fs";

// Set by the bundler (scripts/build.mjs) from package.json; unset when running from the TypeScript sources.
declare const PULUMI_AGENT_VERSION: string | undefined;

let cached: string | undefined = typeof PULUMI_AGENT_VERSION === "string" ? PULUMI_AGENT_VERSION : undefined;

/** Our package version: a build-time constant, read from package.json only when running from sources. */
export function packageVersion(): string {
  if (cached) return cached;
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    cached = pkg.version ?? "0.0.0";
  } catch {
    cached = "0.0.0";
  }
  return cached;
}

/** `pulumi-agent/<v> (node <v>; <os>; agent=<name>)`, with the Go CLI's sanitising of the agent part. */
export function userAgent(agentName: string | undefined): string {
  const clean = (s: string) => s.trim().replace(/[ \t]/g, "-").replace(/[();]/g, "");
  const agent = agentName ? `; agent=${clean(agentName)}` : "";
  return `pulumi-agent/${packageVersion()} (node ${process.version}; ${process.platform}${agent})`;
}
