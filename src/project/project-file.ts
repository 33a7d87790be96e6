// `backend.url` from the project's Pulumi.yaml (docs/compatibility.md#backend-url). Walks up from the working directory
// like the Go CLI; the YAML parser is loaded only when the file mentions a backend at all.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";

const NAMES = ["Pulumi.yaml", "Pulumi.yml"];

export function findProjectFile(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    for (const name of NAMES) {
      const candidate = path.join(dir, name);
      if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function projectBackendUrl(startDir: string): Promise<{ file: string; url: string | undefined } | undefined> {
  const file = findProjectFile(startDir);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { file, url: undefined };
  }
  if (!/^\s*backend\s*:/m.test(text)) return { file, url: undefined };
  const { parse } = await import("yaml");
  try {
    const doc = parse(text) as { backend?: { url?: unknown } } | null;
    const url = doc?.backend?.url;
    return { file, url: typeof url === "string" && url ? url : undefined };
  } catch {
    // A broken Pulumi.yaml is pulumi's to report; we just don't learn a backend from it.
    return { file, url: undefined };
  }
}
