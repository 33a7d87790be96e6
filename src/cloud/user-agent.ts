import { readFileSync } from "node:fs";

let cached: string | undefined;

/** Our package version (read once, cold path only). */
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
