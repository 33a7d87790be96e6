// CloudError is an AgentError: a stable code per kind, the message says what happened, the hint what to do.
import { describe, expect, it } from "vitest";
import { AgentError, describeError } from "../../src/core/errors.js";
import { CloudError, type CloudErrorKind } from "../../src/cloud/errors.js";

const KINDS: CloudErrorKind[] = ["unauthorized", "rate-limited", "http", "network", "timeout", "malformed", "too-large", "redirect", "refresh-refused"];

describe("CloudError", () => {
  it.each(KINDS)("%s: an AgentError with code cloud-<kind> and a hint", (kind) => {
    const e = new CloudError(kind, "what happened", { status: 500, route: "/api/user" });
    expect(e).toBeInstanceOf(AgentError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("CloudError");
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(`cloud-${kind}`);
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe("what happened");
    expect(e.hint && e.hint.length).toBeGreaterThan(20);
    expect(e.details).toEqual({ status: 500, route: "/api/user" });
    expect(describeError(e)).toBe(`what happened ${e.hint}`);
  });

  it("a specific hint replaces the kind's", () => {
    expect(new CloudError("http", "m", {}, "do this").hint).toBe("do this");
  });
});
