// Starting pulumi: the spawn plan per platform (pure), and real child processes on this OS for
// exit codes, signal deaths, exact arguments and start failures.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "../../src/core/errors.js";
import { SpawnError, runChild, spawnPlan } from "../../src/exec/run-child.js";
import { cmdInvocation } from "../../src/exec/windows.js";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";

const SHIM = "C:\\Users\\Ann\\AppData\\Roaming\\npm\\pulumi.cmd";

describe("spawnPlan", () => {
  it("off Windows every file starts directly with its arguments as given, .cmd or not", () => {
    const args = ["up", "a b", '"q"', "%PATH%", "line\nbreak"];
    for (const platform of ["linux", "darwin"] as const) {
      for (const file of ["/usr/bin/pulumi", "/x/pulumi.cmd"]) {
        const plan = spawnPlan(file, args, { ComSpec: "C:\\cmd.exe" }, platform);
        expect(plan).toEqual({ command: file, args });
        expect(plan.args).not.toBe(args);
      }
    }
  });

  it("on Windows .exe / .com start directly, without verbatim arguments", () => {
    for (const file of ["C:\\Program Files\\Pulumi\\bin\\pulumi.exe", "C:\\p\\PULUMI.COM", "C:\\p\\pulumi"]) {
      expect(spawnPlan(file, ["up", "a b"], {}, "win32")).toEqual({ command: file, args: ["up", "a b"] });
    }
  });

  it("on Windows a .cmd / .bat file runs through %ComSpec% with a verbatim, escaped line", () => {
    const env = { ComSpec: "C:\\WINDOWS\\system32\\cmd.exe" };
    for (const file of [SHIM, "C:\\tools\\PULUMI.BAT"]) {
      const plan = spawnPlan(file, ["up", "--yes", "a&b"], env, "win32");
      expect(plan).toEqual({ ...cmdInvocation(file, ["up", "--yes", "a&b"], env), windowsVerbatimArguments: true });
      expect(plan.command).toBe("C:\\WINDOWS\\system32\\cmd.exe");
      expect(plan.args.slice(0, 3)).toEqual(["/d", "/s", "/c"]);
    }
    expect(spawnPlan(SHIM, [], {}, "win32").command).toBe("cmd.exe");
  });

  it("a line break cannot reach a batch file: a SpawnError that names the argument's position, never its value", () => {
    let err: unknown;
    try {
      spawnPlan(SHIM, ["config", "set", "--secret", "key", "s3cr3t\nline"], {}, "win32");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpawnError);
    expect(err).toBeInstanceOf(AgentError);
    const e = err as SpawnError;
    expect(e).toMatchObject({ name: "SpawnError", code: "argument-not-passable", exitCode: 126 });
    expect(e.message).toContain("argument 5");
    expect(e.message).toContain(SHIM);
    expect(e.hint).toMatch(/PULUMI_AGENT_PULUMI_BIN/);
    expect(`${e.message} ${e.hint}`).not.toContain("s3cr3t");
  });
});

describe("runChild (real processes)", () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it("reports the exit code and leaves no signal listeners behind", async () => {
    const before = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"].map((s) => process.listenerCount(s));
    expect(await runChild("/bin/sh", ["-c", "exit 7"], sb.env)).toEqual({ code: 7, signal: null });
    expect(await runChild("/bin/sh", ["-c", "exit 0"], sb.env)).toEqual({ code: 0, signal: null });
    expect(["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"].map((s) => process.listenerCount(s))).toEqual(before);
  });

  it("reports a death by signal as that signal", async () => {
    expect(await runChild("/bin/sh", ["-c", "kill -TERM $$"], sb.env)).toEqual({ code: null, signal: "SIGTERM" });
  });

  it("passes every argument and the env byte for byte", async () => {
    const out = path.join(sb.root, "argv.json");
    const args = ["", " ", "a b", '"', "\\", "%PATH%", "$HOME", "`x`", "a\nb", "é😀", "--flag=a&b|c"];
    const script = "require('fs').writeFileSync(process.env.OUT, JSON.stringify({ argv: process.argv.slice(1), marker: process.env.MARKER }))";
    const r = await runChild(process.execPath, ["-e", script, "--", ...args], { ...sb.env, OUT: out, MARKER: "m-1" });
    expect(r).toEqual({ code: 0, signal: null });
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ argv: args, marker: "m-1" });
  });

  it("a missing file is SpawnError pulumi-not-found, exit 127", async () => {
    const missing = path.join(sb.root, "no-such-pulumi");
    await expect(runChild(missing, [], sb.env)).rejects.toMatchObject({ name: "SpawnError", code: "pulumi-not-found", exitCode: 127 });
    await expect(runChild(missing, [], sb.env)).rejects.toThrow(`could not start ${missing}`);
  });

  it("a file that cannot be executed is SpawnError pulumi-not-runnable, exit 126", async () => {
    // No x bit at all: execve refuses even root.
    const file = path.join(sb.root, "pulumi");
    await writeFile(file, "#!/bin/sh\nexit 0\n");
    await chmod(file, 0o644);
    const err = await runChild(file, [], sb.env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnError);
    expect(err).toMatchObject({ code: "pulumi-not-runnable", exitCode: 126 });
    expect((err as SpawnError).hint).toMatch(/PULUMI_AGENT_PULUMI_BIN/);
  });
});
