// Where credentials live, resolved like the Go CLI.
import { describe, expect, it } from "vitest";
import os from "node:os";
import path from "node:path";
import { CLAIM_FILE, CREDENTIALS_FILE, claimFilePath, credentialsDir, credentialsFilePath, sharedAgentDir } from "../../src/store/paths.js";

describe("paths", () => {
  it("credentialsDir: PULUMI_CREDENTIALS_PATH, then PULUMI_HOME, then the passwd home (not $HOME)", () => {
    expect(credentialsDir({ PULUMI_CREDENTIALS_PATH: "/c", PULUMI_HOME: "/h" })).toBe("/c");
    expect(credentialsDir({ PULUMI_CREDENTIALS_PATH: "", PULUMI_HOME: "/h" })).toBe("/h");
    expect(credentialsDir({ HOME: "/somewhere/else" })).toBe(path.join(os.userInfo().homedir, ".pulumi"));
  });

  it("sharedAgentDir: override, else /tmp/.pulumi (not $TMPDIR), else <tmp>\\.pulumi on Windows", () => {
    expect(sharedAgentDir({ PULUMI_AGENT_SHARED_DIR: "/x/y" }, "linux")).toBe("/x/y");
    expect(sharedAgentDir({ TMPDIR: "/var/folders/zz" }, "darwin")).toBe("/tmp/.pulumi");
    expect(sharedAgentDir({}, "linux")).toBe("/tmp/.pulumi");
    expect(sharedAgentDir({}, "win32")).toBe(path.win32.join(os.tmpdir(), ".pulumi"));
  });

  it("file names", () => {
    expect(CREDENTIALS_FILE).toBe("credentials.json");
    expect(CLAIM_FILE).toBe("agent-claim.json");
    expect(credentialsFilePath("/d")).toBe(path.join("/d", "credentials.json"));
    expect(claimFilePath("/d")).toBe(path.join("/d", "agent-claim.json"));
  });
});
