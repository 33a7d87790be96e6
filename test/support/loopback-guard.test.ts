// The guard that keeps every test on loopback really is in force, in this worker and in children.
import { describe, expect, it } from "vitest";
import { makeSandbox } from "./sandbox.js";
import { runBin } from "./run.js";
import { startMockCloud } from "../../src/mock-cloud/server.js";

describe("loopback-only guard", () => {
  it("refuses a non-loopback connection in the test process (before DNS)", async () => {
    const err = (await fetch("https://api.pulumi.com/api/user").then(() => undefined, (e: unknown) => e)) as Error & { cause?: { code?: string } };
    expect(err?.cause?.code).toBe("ETESTGUARD");
  });

  it("refuses it in child processes, and still allows loopback there", async () => {
    const sb = await makeSandbox();
    const mock = await startMockCloud({});
    try {
      const script = `fetch(process.argv[1]).then((r) => console.log("ok", r.status), (e) => console.log("refused", e.cause && e.cause.code))`;
      const far = await runBin([], sb.env, { command: [process.execPath, "-e", script, "http://93.184.216.34/"] });
      expect(far.stdout.trim()).toBe("refused ETESTGUARD");
      const near = await runBin([], sb.env, { command: [process.execPath, "-e", script, `${mock.url}/api/user`] });
      expect(near.stdout.trim()).toBe("ok 401");
    } finally {
      await mock.close();
      await sb.cleanup();
    }
  });
});
