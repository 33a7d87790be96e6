// Child processes of some tests run src/ modules without a fresh `npm run build`: the given src folders
// are transpiled (types stripped, same layout) into a temp folder beside the scripts the test writes there.
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./sandbox.js";

/**
 * Transpile `src/<folder>/*.ts` for each folder into `<root>/<folder>/*.js` and make `root` an ESM package,
 * world-readable, so a child process (even one running as another user) can import `./store/lock.js`,
 * which imports `../core/...`.
 */
export async function transpileSrc(root: string, folders: readonly string[]): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, "package.json"), `{"type": "module"}`);
  for (const folder of folders) {
    const from = path.join(REPO_ROOT, "src", folder);
    const to = path.join(root, folder);
    await mkdir(to, { recursive: true });
    for (const name of await readdir(from)) {
      if (!name.endsWith(".ts")) continue;
      const out = ts.transpileModule(await readFile(path.join(from, name), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(path.join(to, name.replace(/\.ts$/, ".js")), out.outputText, { mode: 0o644 });
    }
    await chmod(to, 0o755);
  }
  await chmod(root, 0o755);
}
