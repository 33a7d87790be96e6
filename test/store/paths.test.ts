// Where credentials live: the default folder, the shared agent folder on every OS (Windows from an
// injected env, as Go's os.TempDir() would compute it), and the file names.
import { describe, expect, it } from "vitest";
import os from "node:os";
import path from "node:path";
import { CLAIM_FILE, CREDENTIALS_FILE, claimFilePath, credentialsDir, credentialsFilePath, sharedAgentDir, windowsTempDir } from "../../src/store/paths.js";

describe("credentialsDir", () => {
  it("PULUMI_CREDENTIALS_PATH, then PULUMI_HOME, then the passwd home (not $HOME)", () => {
    expect(credentialsDir({ PULUMI_CREDENTIALS_PATH: "/c", PULUMI_HOME: "/h" })).toBe("/c");
    expect(credentialsDir({ PULUMI_CREDENTIALS_PATH: "", PULUMI_HOME: "/h" })).toBe("/h");
    expect(credentialsDir({ HOME: "/somewhere/else" })).toBe(path.join(os.userInfo().homedir, ".pulumi"));
  });
});

describe("sharedAgentDir", () => {
  it("override, else /tmp/.pulumi on every non-Windows OS (not $TMPDIR)", () => {
    expect(sharedAgentDir({ PULUMI_AGENT_SHARED_DIR: "/x/y" }, "linux")).toBe("/x/y");
    expect(sharedAgentDir({ PULUMI_AGENT_SHARED_DIR: "D:\\agents" }, "win32")).toBe("D:\\agents");
    expect(sharedAgentDir({ TMPDIR: "/var/folders/zz" }, "darwin")).toBe("/tmp/.pulumi");
    expect(sharedAgentDir({ TMP: "C:\\Temp" }, "linux")).toBe("/tmp/.pulumi");
    expect(sharedAgentDir({}, "linux")).toBe("/tmp/.pulumi");
  });

  it("on Windows <temp>\\.pulumi from the given env, not from this process's temp dir", () => {
    const env = { TMP: "C:\\Users\\Ann\\AppData\\Local\\Temp", TEMP: "C:\\Other" };
    expect(sharedAgentDir(env, "win32")).toBe("C:\\Users\\Ann\\AppData\\Local\\Temp\\.pulumi");
    expect(sharedAgentDir({ TEMP: "C:\\Temp\\" }, "win32")).toBe("C:\\Temp\\.pulumi");
    expect(sharedAgentDir({ TMP: "D:\\" }, "win32")).toBe("D:\\.pulumi");
    expect(sharedAgentDir({}, "win32")).toBe("C:\\Windows\\.pulumi");
    expect(sharedAgentDir({}, "win32")).not.toContain(os.tmpdir());
  });
});

describe("windowsTempDir (Go's os.TempDir on Windows)", () => {
  it("the first set of TMP, TEMP, USERPROFILE, then the Windows directory", () => {
    const all = { TMP: "C:\\t1", TEMP: "C:\\t2", USERPROFILE: "C:\\Users\\Ann", SystemRoot: "D:\\WINDOWS" };
    expect(windowsTempDir(all)).toBe("C:\\t1");
    expect(windowsTempDir({ ...all, TMP: undefined })).toBe("C:\\t2");
    expect(windowsTempDir({ ...all, TMP: "", TEMP: "" })).toBe("C:\\Users\\Ann");
    expect(windowsTempDir({ SystemRoot: "D:\\WINDOWS" })).toBe("D:\\WINDOWS");
    expect(windowsTempDir({ windir: "E:\\Win" })).toBe("E:\\Win");
    expect(windowsTempDir({})).toBe("C:\\Windows");
  });

  it("names ignore case (a copied env keeps the system's spelling)", () => {
    expect(windowsTempDir({ Tmp: "C:\\a" })).toBe("C:\\a");
    expect(windowsTempDir({ temp: "C:\\b" })).toBe("C:\\b");
    expect(windowsTempDir({ UserProfile: "C:\\Users\\B" })).toBe("C:\\Users\\B");
    expect(windowsTempDir({ SYSTEMROOT: "C:\\WINNT" })).toBe("C:\\WINNT");
  });

  it("one trailing backslash is dropped, except after a drive root", () => {
    expect(windowsTempDir({ TMP: "C:\\Temp\\" })).toBe("C:\\Temp");
    expect(windowsTempDir({ TMP: "C:\\" })).toBe("C:\\");
    expect(windowsTempDir({ TMP: "C:" })).toBe("C:\\");
    expect(windowsTempDir({ TMP: "\\\\server\\share\\tmp\\" })).toBe("\\\\server\\share\\tmp");
  });
});

describe("file names", () => {
  it("credentials.json and agent-claim.json inside a folder", () => {
    expect(CREDENTIALS_FILE).toBe("credentials.json");
    expect(CLAIM_FILE).toBe("agent-claim.json");
    expect(credentialsFilePath("/d")).toBe(path.join("/d", "credentials.json"));
    expect(claimFilePath("/d")).toBe(path.join("/d", "agent-claim.json"));
  });
});
