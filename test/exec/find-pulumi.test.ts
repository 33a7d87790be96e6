// Finding the real pulumi: the PATH walk on this OS with real files, symlinks and scripts; the
// Windows PATH × PATHEXT walk on a modelled disk (paths like C:\npm cannot exist here); the
// nesting guard with real processes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { GUARD_VAR, findRealPulumi, readGuard, startedByOurselves, type FsProbe } from "../../src/exec/find-pulumi.js";
import { makeSandbox, type Sandbox } from "../support/sandbox.js";

// ---- this OS, real files ------------------------------------------------------------------------------

describe("findRealPulumi on this OS (real files)", () => {
  let sb: Sandbox;
  let self: string;
  beforeEach(async () => {
    sb = await makeSandbox();
    self = path.join(sb.root, "pkg", "bin", "pulumi-agent.js");
    await mkdir(path.dirname(self), { recursive: true });
    await writeFile(self, "#!/usr/bin/env node\n", { mode: 0o755 });
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  async function dir(name: string): Promise<string> {
    const d = path.join(sb.root, name);
    await mkdir(d, { recursive: true });
    return d;
  }
  async function exe(file: string, text = "#!/bin/sh\nexit 0\n", mode = 0o755): Promise<string> {
    await writeFile(file, text);
    await chmod(file, mode);
    return file;
  }
  const find = (env: Record<string, string>, extra: { skip?: string[] } = {}) => findRealPulumi({ env, selfPaths: [self], platform: "linux", ...extra });

  it("takes the first executable `pulumi` in PATH order, passing over non-executables and directories", async () => {
    const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map(dir));
    await exe(path.join(a!, "pulumi"), "#!/bin/sh\n", 0o644);
    await mkdir(path.join(b!, "pulumi"));
    const real = await exe(path.join(c!, "pulumi"));
    await exe(path.join(d!, "pulumi"));
    expect(find({ PATH: ["", a, b, c, d].join(":") })).toEqual({ ok: true, path: real, source: "PATH", skipped: [] });
  });

  it("skips ourselves: a symlink to our launcher, a shebang script running pulumi-agent or naming our path", async () => {
    const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map(dir));
    await symlink(self, path.join(a!, "pulumi"));
    await exe(path.join(b!, "pulumi"), "#!/usr/bin/env pulumi-agent\n");
    await exe(path.join(c!, "pulumi"), `#!/bin/sh\nexec node ${self} "$@"\n`);
    const real = await exe(path.join(d!, "pulumi"));
    const r = find({ PATH: [a, b, c, d].join(":") });
    expect(r).toEqual({ ok: true, path: real, source: "PATH", skipped: [a, b, c].map((x) => path.join(x!, "pulumi")) });
  });

  it("peeks only at small scripts with a shebang (a big binary or a plain file naming us is tried)", async () => {
    const [a, b] = await Promise.all(["a", "b"].map(dir));
    const big = await exe(path.join(a!, "pulumi"), `#!/bin/sh\n# pulumi-agent\n${"x".repeat(5000)}\n`);
    expect(find({ PATH: a! })).toMatchObject({ ok: true, path: big });
    const plain = await exe(path.join(b!, "pulumi"), "pulumi-agent\n");
    expect(find({ PATH: b! })).toMatchObject({ ok: true, path: plain });
  });

  it("the same file reached through two PATH entries is considered once; a skip list is honoured", async () => {
    const a = await dir("a");
    await symlink(a, path.join(sb.root, "a-link"));
    const wrapper = await exe(path.join(a, "pulumi"));
    const r = find({ PATH: [a, path.join(sb.root, "a-link")].join(":") }, { skip: [wrapper] });
    expect(r).toMatchObject({ ok: false, reason: "not-found", skipped: [wrapper] });
    expect(r.ok ? "" : r.message).toMatch(/skipped .*pulumi: they run pulumi-agent itself/);
  });

  it("PULUMI_AGENT_PULUMI_BIN wins; missing or ourselves is a clear refusal; PATHEXT means nothing here", async () => {
    const a = await dir("a");
    const real = await exe(path.join(a, "pulumi"));
    await exe(path.join(a, "pulumi.cmd"));
    expect(find({ PULUMI_AGENT_PULUMI_BIN: real, PATH: "" })).toEqual({ ok: true, path: real, source: "PULUMI_AGENT_PULUMI_BIN", skipped: [] });
    const missing = find({ PULUMI_AGENT_PULUMI_BIN: path.join(a, "nope"), PATHEXT: ".CMD" });
    expect(missing).toMatchObject({ ok: false, reason: "explicit-missing" });
    expect(missing.ok ? "" : missing.message).toBe(`PULUMI_AGENT_PULUMI_BIN is set to ${path.join(a, "nope")}, which is not an executable file. Point it at the real pulumi binary, or unset it to search PATH.`);
    expect(find({ PULUMI_AGENT_PULUMI_BIN: self })).toMatchObject({ ok: false, reason: "explicit-is-self" });
    expect(find({ PATH: a, PATHEXT: ".CMD" })).toMatchObject({ ok: true, path: real });
  });

  it("nothing found: how to install it, the Unix way", () => {
    const r = find({ PATH: "/nonexistent" });
    expect(r).toMatchObject({ ok: false, reason: "not-found", skipped: [] });
    expect(r.ok ? "" : r.message).toContain("curl -fsSL https://get.pulumi.com | sh");
  });
});

// ---- Windows, modelled disk ---------------------------------------------------------------------------

/** A Windows disk: names ignore case; `links` maps a path to what it resolves to. */
function windowsDisk(files: Record<string, string>, links: Record<string, string> = {}): FsProbe & { probed: string[] } {
  const lower = (p: string) => p.toLowerCase();
  const content = new Map(Object.entries(files).map(([k, v]) => [lower(k), v]));
  const resolved = new Map(Object.entries(links).map(([k, v]) => [lower(k), v]));
  const probed: string[] = [];
  return {
    probed,
    isExecutableFile(p, platform) {
      expect(platform).toBe("win32");
      probed.push(p);
      return content.has(lower(p));
    },
    realpath: (p) => resolved.get(lower(p)) ?? p,
    smallFileText(p) {
      const text = content.get(lower(p));
      return text !== undefined && text.length <= 4096 ? text : undefined;
    },
  };
}

const BINARY = "MZ".padEnd(8000, "\0");
const NPM = "C:\\Users\\Ann\\AppData\\Roaming\\npm";
const SELF = `${NPM}\\node_modules\\pulumi-agent\\bin\\pulumi-agent.js`;
/** What npm's cmd-shim writes for a package bin (abridged, same shape). */
const SELF_SHIM = `@ECHO off\r\nGOTO start\r\n:find_dp0\r\nSET dp0=%~dp0\r\nEXIT /b\r\n:start\r\nSETLOCAL\r\nCALL :find_dp0\r\n\r\nIF EXIST "%dp0%\\node.exe" (\r\n  SET "_prog=%dp0%\\node.exe"\r\n) ELSE (\r\n  SET "_prog=node"\r\n  SET PATHEXT=%PATHEXT:;.JS;=;%\r\n)\r\n\r\nendLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\\node_modules\\pulumi-agent\\bin\\pulumi-agent.js" %*\r\n`;
const OTHER_SHIM = SELF_SHIM.replaceAll("pulumi-agent\\bin\\pulumi-agent.js", "@pulumi\\cli\\bin\\pulumi.js");

describe("findRealPulumi on Windows (modelled disk)", () => {
  const find = (env: Record<string, string>, disk: FsProbe, skip: string[] = []) => findRealPulumi({ env, selfPaths: [SELF], platform: "win32", fs: disk, skip });

  it("walks PATH × PATHEXT: every extension of a directory before the next directory", () => {
    const disk = windowsDisk({ "C:\\a\\pulumi.cmd": OTHER_SHIM, "C:\\b\\pulumi.exe": BINARY });
    expect(find({ PATH: "C:\\a;C:\\b" }, disk)).toEqual({ ok: true, path: "C:\\a\\pulumi.cmd", source: "PATH", skipped: [] });
    expect(disk.probed).toEqual(["C:\\a\\pulumi.com", "C:\\a\\pulumi.exe", "C:\\a\\pulumi.bat", "C:\\a\\pulumi.cmd"]);
  });

  it("within a directory PATHEXT order decides, whatever its case; unlaunchable extensions are passed over", () => {
    const disk = windowsDisk({ "C:\\a\\pulumi.bat": "@echo off\r\n", "C:\\a\\PULUMI.CMD": OTHER_SHIM, "C:\\a\\pulumi.exe": BINARY, "C:\\a\\pulumi.js": "//" });
    expect(find({ PATH: "C:\\a" }, disk)).toMatchObject({ ok: true, path: "C:\\a\\pulumi.exe" });
    expect(find({ PATH: "C:\\a", PATHEXT: ".Cmd;.EXE" }, disk)).toMatchObject({ ok: true, path: "C:\\a\\pulumi.cmd" });
    const js = windowsDisk({ "C:\\a\\pulumi.js": "//", "C:\\b\\pulumi.exe": BINARY });
    expect(find({ PATH: "C:\\a;C:\\b", PATHEXT: ".JS;.EXE" }, js)).toMatchObject({ ok: true, path: "C:\\b\\pulumi.exe" });
    expect(js.probed).toEqual(["C:\\a\\pulumi.exe", "C:\\b\\pulumi.exe"]);
  });

  it("reads Path / PathExt in any spelling, and quoted PATH entries", () => {
    const disk = windowsDisk({ "C:\\Program Files\\odd;dir\\pulumi.exe": BINARY, "C:\\x\\pulumi.cmd": OTHER_SHIM });
    expect(find({ Path: '"C:\\Program Files\\odd;dir";C:\\x' }, disk)).toMatchObject({ ok: true, path: "C:\\Program Files\\odd;dir\\pulumi.exe" });
    expect(find({ path: "C:\\x", PathExt: ".CMD" }, disk)).toMatchObject({ ok: true, path: "C:\\x\\pulumi.cmd" });
  });

  it("skips our own npm shim (pulumi.cmd running pulumi-agent) and a path resolving to us in another case", () => {
    const disk = windowsDisk(
      { [`${NPM}\\pulumi.cmd`]: SELF_SHIM, "C:\\link\\pulumi.exe": BINARY, "C:\\Pulumi\\bin\\pulumi.exe": BINARY },
      { "C:\\link\\pulumi.exe": SELF.toUpperCase() },
    );
    expect(find({ PATH: `${NPM};C:\\link;C:\\Pulumi\\bin` }, disk)).toEqual({
      ok: true,
      path: "C:\\Pulumi\\bin\\pulumi.exe",
      source: "PATH",
      skipped: [`${NPM}\\pulumi.cmd`, "C:\\link\\pulumi.exe"],
    });
  });

  it("a batch file naming only our path (lower-cased) is us too; a shim for another package is not", () => {
    const wrapper = `@echo off\r\nnode "${SELF.toLowerCase()}" %*\r\n`;
    const disk = windowsDisk({ "C:\\w\\pulumi.bat": wrapper, "C:\\n\\pulumi.cmd": OTHER_SHIM });
    expect(find({ PATH: "C:\\w;C:\\n" }, disk)).toMatchObject({ ok: true, path: "C:\\n\\pulumi.cmd", skipped: ["C:\\w\\pulumi.bat"] });
  });

  it("PULUMI_AGENT_PULUMI_BIN without an extension tries PATHEXT; with one it is taken as given", () => {
    const disk = windowsDisk({ "C:\\tools\\pulumi.exe": BINARY, "C:\\tools\\pulumi.cmd": OTHER_SHIM, "C:\\tools\\pulumi": "#!/bin/sh\n" });
    expect(find({ PULUMI_AGENT_PULUMI_BIN: "C:\\tools\\pulumi" }, disk)).toEqual({ ok: true, path: "C:\\tools\\pulumi.exe", source: "PULUMI_AGENT_PULUMI_BIN", skipped: [] });
    expect(find({ PULUMI_AGENT_PULUMI_BIN: "C:\\tools\\pulumi", PATHEXT: ".CMD;.EXE" }, disk)).toMatchObject({ ok: true, path: "C:\\tools\\pulumi.cmd" });
    expect(find({ PULUMI_AGENT_PULUMI_BIN: "C:\\tools\\pulumi.cmd" }, disk)).toMatchObject({ ok: true, path: "C:\\tools\\pulumi.cmd" });
  });

  it("an explicit path that is missing says what was tried; one leading back to us is refused", () => {
    const missing = find({ PULUMI_AGENT_PULUMI_BIN: "C:\\nope\\pulumi" }, windowsDisk({}));
    expect(missing).toMatchObject({ ok: false, reason: "explicit-missing" });
    expect(missing.ok ? "" : missing.message).toContain("C:\\nope\\pulumi, which is not an executable file (nor with .com, .exe, .bat, .cmd appended).");
    const disk = windowsDisk({ "C:\\w\\pulumi.cmd": OTHER_SHIM });
    expect(find({ PULUMI_AGENT_PULUMI_BIN: "C:\\w\\pulumi" }, disk, ["c:\\W\\PULUMI.cmd"])).toMatchObject({ ok: false, reason: "explicit-is-self" });
  });

  it("nothing found: how to install it, the Windows way", () => {
    const r = find({ PATH: "C:\\Windows" }, windowsDisk({}));
    expect(r).toMatchObject({ ok: false, reason: "not-found" });
    expect(r.ok ? "" : r.message).toContain("winget install pulumi");
    expect(r.ok ? "" : r.message).not.toContain("curl");
  });
});

// ---- the nesting guard ----------------------------------------------------------------------------------

describe("nesting guard", () => {
  it("readGuard parses <pid>:<path> and ignores anything else", () => {
    expect(readGuard({ [GUARD_VAR]: "123:C:\\x\\pulumi.cmd" })).toEqual({ pid: 123, pulumi: "C:\\x\\pulumi.cmd" });
    expect(readGuard({ [GUARD_VAR]: "42:/usr/bin/pulumi" })).toEqual({ pid: 42, pulumi: "/usr/bin/pulumi" });
    expect(readGuard({})).toBeUndefined();
    expect(readGuard({ [GUARD_VAR]: "x:/p" })).toBeUndefined();
    expect(readGuard({ [GUARD_VAR]: "123" })).toBeUndefined();
  });

  it("startedByOurselves: our parent, or on Linux our grandparent (read from /proc of a real process)", async () => {
    expect(startedByOurselves(undefined, 1)).toBe(false);
    expect(startedByOurselves({ pid: 77 }, 77, "win32")).toBe(true);
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await new Promise((r) => child.once("spawn", r));
      const pid = child.pid as number;
      // The sleeper's parent is this process: to the sleeper's children, we are the grandparent.
      expect(startedByOurselves({ pid: process.pid }, pid, "linux")).toBe(true);
      expect(startedByOurselves({ pid: process.pid + 100000 }, pid, "linux")).toBe(false);
      expect(startedByOurselves({ pid: process.pid }, pid, "darwin")).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
