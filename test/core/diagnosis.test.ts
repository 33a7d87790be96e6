import { describe, expect, it } from "vitest";
import { claimMarkUpdate, claimState, diagnoseFailure } from "../../src/core/diagnosis.js";
import { NOW, claimedClaim, expired, fresh, openClaim } from "./fixtures.js";

const action = (text: string) => /ACTION_REQUIRED=(.*)/.exec(text)?.[1];

describe("diagnoseFailure", () => {
  it.each([
    ["claim no longer claimable → run pulumi login", fresh, openClaim, "valid", "unavailable", "Tell the user to run pulumi login."],
    ["no answer, but the claim file remembers it unavailable → run pulumi login", fresh, claimedClaim, "unknown", "unknown", "Tell the user to run pulumi login."],
    ["token rejected though not expired, claim unknown → run pulumi login", fresh, openClaim, "rejected", "unknown", "Tell the user to run pulumi login."],
    ["token fine: the failure was something else → the claim block", fresh, openClaim, "valid", "claimable", "Tell the user to claim this Pulumi agent account."],
    ["token rejected but the claim is open → claim it", fresh, openClaim, "rejected", "claimable", "Tell the user to claim this Pulumi agent account."],
  ] as const)("%s", (_n, account, claim, token, check, expected) => {
    expect(action(diagnoseFailure(account, claim, token, check, NOW).text)).toBe(expected);
  });
  it("an expired token with the claim closed and nothing known prints nothing to claim", () => {
    expect(diagnoseFailure(expired, { ...openClaim, validUntil: "0001-01-01T00:00:00Z" }, "rejected", "unknown", NOW).text).toBe("");
  });
});

describe("the claim file's last-known state", () => {
  it.each([
    [openClaim, "unavailable", "mark-unavailable"],
    [claimedClaim, "unavailable", undefined],
    [claimedClaim, "claimable", "clear-mark"],
    [openClaim, "claimable", undefined],
    [claimedClaim, "unknown", undefined],
  ] as const)("%j + %s → %s", (claim, check, change) => {
    expect(claimMarkUpdate(claim, check)).toBe(change);
  });
  it("no answer keeps what was known", () => {
    expect(claimState(claimedClaim, "unknown")).toBe("unavailable");
    expect(claimState(openClaim, "unknown")).toBe("unknown");
    expect(claimState(claimedClaim, "claimable")).toBe("claimable");
  });
});
