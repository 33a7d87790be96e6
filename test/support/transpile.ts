// Child processes of some tests run src/ modules without a build: transpiled into a temp folder.
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./sandbox.js";

/**
 * Transpile every .ts file of the given src/ areas (e.g. ["store", "core"]) into `dest/<area>/*.js`,
 * world-readable, so a child process (even one running as another user) can import them.
 */
export async function transpileAreas(dest: string, areas: string[]): Promise<void> {
  await mkdir(dest, { recursive: true });
  await writeFile(path.join(dest, "package.json"), `{"type": "module"}`);
  for (const area of areas) {
    const out = path.join(dest, area);
    await mkdir(out, { recursive: true });
    const srcDir = path.join(REPO_ROOT, "src", area);
    for (const name of await readdir(srcDir)) {
      if (!name.endsWith(".ts")) continue;
      const js = ts.transpileModule(await readFile(path.join(srcDir, name), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(path.join(out, name.replace(/\.ts$/, ".js")), js.outputText, { mode: 0o644 });
    }
    await chmod(out, 0o755);
  }
  await chmod(dest, 0o755);
}
