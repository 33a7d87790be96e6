// Store files as the Go CLI writes them (json.MarshalIndent, 4 spaces, sorted map keys, no trailing
// newline), and odd ones, shared by the store tests and the store fuzz test.
import { expect } from "vitest";
import { StoreError, type StoreErrorCode } from "../../src/store/errors.js";

/** A human's default credentials: a DIY login, a validated cloud login, and a legacy token-only entry. */
export const GO_HUMAN = `{
    "current": "https://api.pulumi.com",
    "accessTokens": {
        "file://~": "",
        "https://api.pulumi.com": "pul-human-0123456789abcdef",
        "https://api.staging.example.com": "pul-legacy-only"
    },
    "accounts": {
        "file://~": {
            "lastValidatedAt": "0001-01-01T00:00:00Z"
        },
        "https://api.pulumi.com": {
            "accessToken": "pul-human-0123456789abcdef",
            "username": "alice",
            "organizations": [
                "alice",
                "acme-corp"
            ],
            "lastValidatedAt": "2026-05-22T10:15:30.123456789-07:00",
            "tokenInformation": {
                "name": "laptop",
                "organization": "acme-corp",
                "team": "platform"
            }
        }
    }
}`;

/** The shared agent dir after a Go CLI signup (refresh token, insecure, token expiry). */
export const GO_AGENT = `{
    "current": "https://api.pulumi.com",
    "accessTokens": {
        "https://api.pulumi.com": "pul-agent-token"
    },
    "accounts": {
        "https://api.pulumi.com": {
            "accessToken": "pul-agent-token",
            "refreshToken": "pul-refresh-token",
            "username": "agent-abc123",
            "organizations": [
                "agent-abc123"
            ],
            "lastValidatedAt": "2026-05-22T17:15:30.5Z",
            "insecure": true,
            "tokenInformation": {
                "name": "",
                "expiresAt": "2026-05-23T17:15:30Z"
            }
        }
    }
}`;

/**
 * A newer Go CLI's file (pulumi/pulumi creds_test.go, creds_helper_test.go): `version` first, a
 * credential helper, `accessTokens` rebuilt from `accounts`, a human login.
 */
export const GO_V1 = `{
    "version": 1,
    "credentialHelper": {
        "path": "/usr/local/bin/pulumi-credential-helper",
        "args": [
            "--store",
            "keychain"
        ]
    },
    "current": "https://api.pulumi.com",
    "accessTokens": {
        "file://~": "",
        "https://api.pulumi.com": "pul-human-v1"
    },
    "accounts": {
        "file://~": {
            "lastValidatedAt": "0001-01-01T00:00:00Z"
        },
        "https://api.pulumi.com": {
            "accessToken": "pul-human-v1",
            "username": "alice",
            "lastValidatedAt": "2026-05-22T10:15:30Z",
            "futureAccountField": {
                "n": 12345678901234567890123
            }
        }
    }
}`;

/** Not what Go writes: nulls, unknown keys, compact; re-serialized canonically (GO_ODD_CANONICAL). */
export const GO_ODD = `{"current":null,"future":"keep-me","accessTokens":{"https://api.pulumi.com":"tok"},
"accounts":{"https://api.pulumi.com":{"futureField":{"a":[1,2],"b":{}},"accessToken":"tok","lastValidatedAt":null,
"organizations":[],"insecure":false,"tokenInformation":{"name":"n","expiresAt":null,"x":1}}}}`;

export const GO_ODD_CANONICAL = `{
    "accessTokens": {
        "https://api.pulumi.com": "tok"
    },
    "accounts": {
        "https://api.pulumi.com": {
            "accessToken": "tok",
            "lastValidatedAt": "0001-01-01T00:00:00Z",
            "tokenInformation": {
                "name": "n",
                "x": 1
            },
            "futureField": {
                "a": [
                    1,
                    2
                ],
                "b": {}
            }
        }
    },
    "future": "keep-me"
}`;

/** agent-claim.json as Go writes it; Go escapes & < > in strings. */
export const GO_CLAIM = `{
    "claimUrl": "https://app.pulumi.com/claim/ct-123?ref=agent\\u0026x=\\u003cy\\u003e",
    "claimToken": "ct-123",
    "validUntil": "2026-06-21T10:15:30.123456789-07:00",
    "cloudUrl": "https://api.pulumi.com"
}`;

export const GO_CLAIM_UNAVAILABLE = `{
    "claimUrl": "https://app.pulumi.com/claim/ct-9",
    "validUntil": "2026-06-21T17:15:30Z",
    "cloudUrl": "https://api.pulumi.com",
    "claimUnavailableAt": "2026-05-30T08:00:00.25+02:00"
}`;

/** agent-claim-history.json as we write it. */
export const HISTORY = `[
    {
        "claimUrl": "https://app.pulumi.com/claim/old-1",
        "validUntil": "2099-06-21T17:15:30Z",
        "cloudUrl": "https://api.pulumi.com",
        "archivedAt": "2026-05-22T17:15:30.000Z"
    }
]`;

export const ENVELOPE = `{"$pulumiSecureStore": 1, "backend": "linux-secretservice", "algo": "aes-256-gcm", "nonce": "AAAA", "data": "BBBB"}`;

/** `depth` nested arrays around `inner`. */
export function nested(depth: number, inner = "0"): string {
  return "[".repeat(depth) + inner + "]".repeat(depth);
}

/** The StoreError `p` rejects with (of `code`, when given). */
export async function expectStoreError(p: Promise<unknown> | (() => unknown), code?: StoreErrorCode): Promise<StoreError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    if (code !== undefined) expect((e as StoreError).code).toBe(code);
    return e as StoreError;
  }
  throw new Error(`expected a StoreError${code ? ` ${code}` : ""}`);
}

/** What the user reads: the message, then the hint. */
export function fullText(e: StoreError): string {
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}
