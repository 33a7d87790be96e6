// Child processes that run modules of src/ without a fresh `npm run build`: the given src folders are
// transpiled (types stripped, same layout) into a temp folder next to the scripts the test writes there.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./sandbox.js";

/**
 * Transpile `src/<folder>/*.ts` for each folder into `<root>/<folder>/*.js`, and make `root` an ESM
 * package: a script written to `<root>/x.mjs` imports `./store/lock.js`, which imports `../core/...`.
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
      await writeFile(path.join(to, name.replace(/\.ts$/, ".js")), out.outputText);
    }
  }
}
