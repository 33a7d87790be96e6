// End to end: `pulumi-agent account bootstrap` waiting for another process's signup lock stops at once on
// SIGTERM (exit 143) or Ctrl-C (exit 130), never touches that lock and never starts a signup of its own.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { useAgentContext } from "../support/context.js";
import { startBin, waitFor } from "../support/run.js";
import { transpileSrc } from "../support/transpiled.js";
import { LOCK_NAME } from "../../src/store/lock.js";

const ctx = useAgentContext({ mock: { difficulty: 8 }, env: () => ({ AI_AGENT: "codex" }) });

let mod: string;
beforeAll(async () => {
  mod = path.join(await realpath(await mkdtemp(path.join(os.tmpdir(), "pa-e2e-lock-"))), "mod");
  await transpileSrc(mod, ["core", "store"]);
  await writeFile(
    path.join(mod, "hold.mjs"),
    `import { withExclusiveLock } from "./store/lock.js";
await withExclusiveLock(process.argv[2], async () => {
  process.stdout.write("locked\\n");
  await new Promise(() => setInterval(() => {}, 1000));
});
`,
  );
});
afterAll(async () => {
  if (mod) await rm(path.dirname(mod), { recursive: true, force: true });
});

for (const [sig, code] of [
  ["SIGTERM", 143],
  ["SIGINT", 130],
] as const) {
  it(`${sig} while waiting for another agent's lock: exit ${code} at once (budget 180 s), the lock as it was, no signup`, async () => {
    const dir = ctx.sb.pulumiHome;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const holder = spawn(process.execPath, [path.join(mod, "hold.mjs"), dir], { stdio: ["ignore", "pipe", "inherit"] });
    const holderExit = new Promise((r) => holder.on("exit", r));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
        holder.on("exit", () => reject(new Error("holder exited before taking the lock")));
      });
      const lockPath = path.join(dir, LOCK_NAME);
      const owner = await readFile(path.join(lockPath, "owner.json"), "utf8");
      const ino = (await lstat(lockPath)).ino;

      let stderr = "";
      const challengesBefore = ctx.mock.stats.count("challenge");
      const signupsBefore = ctx.mock.stats.signups;
      const { child, done } = startBin(["account", "bootstrap"], ctx.sb.env);
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      await waitFor(() => stderr.includes("waiting for it"), 30_000, "the waiting notice");
      expect(stderr).toContain(`another pulumi-agent (pid ${holder.pid}) is creating the agent account; waiting for it`);
      child.kill(sig);
      const r = await done;
      expect(r).toMatchObject({ code, signal: null, stdout: "" });
      expect(r.stderr).toContain("pulumi-agent: Cancelled; nothing was stored.");

      expect((await lstat(lockPath)).ino).toBe(ino);
      expect(await readFile(path.join(lockPath, "owner.json"), "utf8")).toBe(owner);
      expect((await readdir(dir)).filter((n) => n.startsWith(LOCK_NAME))).toEqual([LOCK_NAME]);
      expect(ctx.mock.stats.count("challenge")).toBe(challengesBefore);
      expect(ctx.mock.stats.signups).toBe(signupsBefore);
    } finally {
      holder.kill("SIGKILL");
      await holderExit;
    }
  }, 60_000);
}
