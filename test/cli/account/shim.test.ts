// The shim's files, for each platform (CI is Linux: Windows is checked through the injected platform), and
// the rules for writing them: idempotent, updates only its own files, refuses anything else.
import { chmodSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentError } from "../../../src/core/errors.js";
import { SHIM_MARKER, shimFiles, writeShim } from "../../../src/cli/account/shim.js";
import { makeSandbox, type Sandbox } from "../../support/sandbox.js";

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe("shimFiles", () => {
  it("POSIX: one sh script that execs node with our bin, every argument quoted as given", () => {
    const files = shimFiles("/opt/node it's/bin/node", "/usr/lib/node_modules/pulumi-agent/bin/pulumi-agent.js", "linux");
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ name: "bin/pulumi", mode: 0o755 });
    expect(files[0]!.text).toBe(
      "#!/bin/sh\n" +
        `# ${SHIM_MARKER}: runs every pulumi command through pulumi-agent (written by \`pulumi-agent account shim\`; run it again to update).\n` +
        `exec '/opt/node it'\\''s/bin/node' '/usr/lib/node_modules/pulumi-agent/bin/pulumi-agent.js' "$@"\n`,
    );
  });

  it("Windows: a .cmd that passes %* on (a literal % doubled), plus the sh script for Git Bash", () => {
    const files = shimFiles("C:\\Program Files\\nodejs\\node.exe", "C:\\Users\\a%b\\pulumi-agent\\bin\\pulumi-agent.js", "win32");
    expect(files.map((f) => f.name)).toEqual(["bin\\pulumi.cmd", "bin\\pulumi"]);
    expect(files[0]!.text).toBe(
      "@echo off\r\n" +
        `rem ${SHIM_MARKER}: runs every pulumi command through pulumi-agent (written by \`pulumi-agent account shim\`; run it again to update).\r\n` +
        '"C:\\Program Files\\nodejs\\node.exe" "C:\\Users\\a%%b\\pulumi-agent\\bin\\pulumi-agent.js" %*\r\n',
    );
    expect(files[1]!.text).toContain(`exec 'C:\\Program Files\\nodejs\\node.exe' 'C:\\Users\\a%b\\pulumi-agent\\bin\\pulumi-agent.js' "$@"`);
  });
});

describe("writeShim", () => {
  const file = () => path.join(sb.root, "cli", "bin", "pulumi");

  it("creates, then leaves an identical shim alone, then updates its own shim for another node", () => {
    const root = path.join(sb.root, "cli");
    expect(writeShim(root, "/n1/node", "/pa/bin/pulumi-agent.js", "linux")).toEqual({ root, command: ["/n1/node", "/pa/bin/pulumi-agent.js"], files: [{ path: file(), status: "created" }] });
    expect(lstatSync(file()).mode & 0o777).toBe(0o755);
    expect(writeShim(root, "/n1/node", "/pa/bin/pulumi-agent.js", "linux").files[0]!.status).toBe("unchanged");
    expect(writeShim(root, "/n2/node", "/pa/bin/pulumi-agent.js", "linux").files[0]!.status).toBe("updated");
    expect(readFileSync(file(), "utf8")).toContain("exec '/n2/node'");
  });

  it("refuses a file that is not a shim, a symlink and a directory, and writes nothing then", () => {
    mkdirSync(path.dirname(file()), { recursive: true });
    writeFileSync(file(), "#!/bin/sh\nexec /usr/local/bin/pulumi-real \"$@\"\n");
    chmodSync(file(), 0o755);
    const refused = (() => {
      try {
        writeShim(path.join(sb.root, "cli"), "/n/node", "/pa.js", "linux");
      } catch (err) {
        return err;
      }
    })() as AgentError;
    expect(refused).toBeInstanceOf(AgentError);
    expect(refused).toMatchObject({ code: "shim-exists", exitCode: 1, message: `${file()} already exists and is not a pulumi-agent shim; pulumi-agent does not overwrite it.` });
    expect(refused.hint).toMatch(/another directory/);
    expect(readFileSync(file(), "utf8")).toContain("pulumi-real");

    const linked = path.join(sb.root, "linked");
    mkdirSync(path.join(linked, "bin"), { recursive: true });
    symlinkSync(file(), path.join(linked, "bin", "pulumi"));
    expect(() => writeShim(linked, "/n/node", "/pa.js", "linux")).toThrow(/is a symbolic link/);
    const dir = path.join(sb.root, "dir");
    mkdirSync(path.join(dir, "bin", "pulumi"), { recursive: true });
    expect(() => writeShim(dir, "/n/node", "/pa.js", "linux")).toThrow(/is not a regular file/);
  });
});
