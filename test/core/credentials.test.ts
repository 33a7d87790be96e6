import { describe, expect, it } from "vitest";
import { chooseCredentials, type CredentialInputs, type StoreView } from "../../src/core/credentials.js";
import { CLOUD, NOW, H, claimFile, claimedClaim, closedClaim, creds, expired, expiring, fresh, human, iso, openClaim, store } from "./fixtures.js";

function inputs(d: Partial<StoreView>, s: Partial<StoreView> | undefined, over: Partial<CredentialInputs> = {}): CredentialInputs {
  return { cloudUrl: CLOUD, now: NOW, envToken: undefined, defaultExplicit: false, default: store("default", d), shared: s && store("shared", s), pendingIsLost: true, ...over };
}

describe("chooseCredentials", () => {
  it.each<[string, CredentialInputs, string, Record<string, unknown>?]>([
    ["env token wins over everything", inputs({ creds: { kind: "corrupt", message: "x" } }, {}, { envToken: "pul-env" }), "env-token"],
    ["a valid default login is used, without reading the shared folder", inputs({ creds: creds({ [CLOUD]: human }) }, undefined), "account", { found: { location: "default", isAgent: false }, refresh: false }],
    ["our agent account in the default folder", inputs({ creds: creds({ [CLOUD]: fresh }), claim: claimFile(openClaim) }, undefined), "account", { found: { location: "default", isAgent: true, claim: openClaim } }],
    ["an expired human login is never replaced", inputs({ creds: creds({ [CLOUD]: { ...human, expiresAt: iso(NOW - H) } }) }, undefined), "account", { found: { isAgent: false } }],
    ["a human login with a refresh token is pulumi's to refresh", inputs({ creds: creds({ [CLOUD]: { ...human, refreshToken: "r", expiresAt: iso(NOW - H) } }) }, undefined), "account", { refresh: false }],
    ["our expired account with a refresh token is refreshed", inputs({ creds: creds({ [CLOUD]: { ...expired, refreshToken: "r" } }), claim: claimFile(openClaim) }, undefined), "account", { refresh: true }],
    ["ours, expiring within five minutes, with a refresh token: refreshed", inputs({ creds: creds({ [CLOUD]: { ...expiring, refreshToken: "r" } }), claim: claimFile(openClaim) }, undefined), "account", { refresh: true }],
    ["ours, expiring soon, no refresh token: used while it lasts", inputs({ creds: creds({ [CLOUD]: expiring }), claim: claimFile(openClaim) }, undefined), "account", { refresh: false }],
    ["a refresh token alone is refreshed", inputs({}, { creds: creds({ [CLOUD]: { refreshToken: "r" } }) }), "account", { refresh: true, found: { location: "shared" } }],
    ["the default folder not settling it asks for the shared one", inputs({}, undefined), "need-shared"],
    ["a shared account is reused", inputs({}, { creds: creds({ [CLOUD]: fresh }), claim: claimFile(openClaim) }), "account", { found: { location: "shared", dir: "/tmp/.pulumi", isAgent: true } }],
    ["a shared account without a claim is still an agent account", inputs({}, { creds: creds({ [CLOUD]: fresh }) }), "account", { found: { isAgent: true, claim: undefined } }],
    ["nothing → signup in default or shared", inputs({}, {}), "none", { locations: ["default", "shared"], replaces: undefined }],
    ["empty default file under an explicit folder → shared only", inputs({ creds: { kind: "empty" } }, {}, { defaultExplicit: true }), "none", { locations: ["shared"] }],
    ["empty default file without an explicit folder → default is fine", inputs({ creds: { kind: "empty" } }, {}), "none", { locations: ["default", "shared"] }],
    ["a corrupt shared file is not overwritten", inputs({}, { creds: { kind: "corrupt", message: "bad" } }), "none", { locations: ["default"] }],
    ["an unreadable claim file is not overwritten", inputs({ claim: { kind: "bad", message: "EACCES" } }, {}), "none", { locations: ["shared"] }],
    ["same folder twice is one location", inputs({}, { dir: "/home/u/.pulumi" }), "none", { locations: ["default"] }],
    ["a corrupt default file is an error", inputs({ creds: { kind: "corrupt", message: "bad json" } }, {}), "unusable", { reason: "corrupt" }],
    ["an unreadable default file is an error", inputs({ creds: { kind: "unreadable", message: "EACCES" } }, {}), "unusable", { reason: "unreadable" }],
    ["an opaque default file is left to pulumi", inputs({ creds: { kind: "opaque", reason: "encrypted" } }, {}), "opaque"],
    ["expired agent, claim open → kept for the human", inputs({ creds: creds({ [CLOUD]: expired }), claim: claimFile(openClaim) }, {}), "agent-expired", { found: { location: "default" } }],
    ["expired agent, claimed → kept", inputs({}, { creds: creds({ [CLOUD]: expired }), claim: claimFile(claimedClaim) }), "agent-expired", { found: { location: "shared" } }],
    ["expired agent, claim window over → replaced by a new signup", inputs({ creds: creds({ [CLOUD]: expired }), claim: claimFile(closedClaim) }, {}), "none", { replaces: { location: "default", claim: closedClaim } }],
    ["expired shared agent without a claim → new signup", inputs({}, { creds: creds({ [CLOUD]: expired }) }), "none", { replaces: { location: "shared" } }],
    ["a claim for another cloud does not make an account ours", inputs({ creds: creds({ [CLOUD]: expired }), claim: claimFile({ ...openClaim, cloudUrl: "https://api.other.example" }) }, undefined), "account", { found: { isAgent: false } }],
    ["an account for another URL does not count", inputs({ creds: creds({ "https://api.other.example": human }) }, {}), "none"],
    ["a pending claim without credentials is a lost account, not a new signup", inputs({ claim: claimFile({ ...openClaim, pending: true }) }, {}), "lost", { location: "default" }],
    ["...but outside the lock another agent may be mid-signup: the signup's lock decides", inputs({ claim: claimFile({ ...openClaim, pending: true }) }, {}, { pendingIsLost: false }), "none"],
    ["a pending claim with its credentials stored is fine", inputs({ creds: creds({ [CLOUD]: fresh }), claim: claimFile({ ...openClaim, pending: true }) }, undefined), "account"],
    ["a claim without the pending mark (a logout left it) does not block a signup", inputs({ claim: claimFile(openClaim) }, {}), "none"],
  ])("%s", (_name, input, kind, fields) => {
    const choice = chooseCredentials(input);
    expect(choice.kind).toBe(kind);
    if (fields) expect(choice).toMatchObject(fields);
  });
});
