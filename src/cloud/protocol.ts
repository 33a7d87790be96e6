// Wire shapes of the Pulumi Cloud agent endpoints, as the embedded mock sends them and as the client
// reads the strict ones (claim, claim status). The challenge, signup, /api/user, validate and refresh
// answers are read field by field instead (answers.ts). Cold path only (zod costs ~60 ms to load).
import { z } from "zod";
import { readServerTime } from "./time.js";

/** A service time, normalized to toISOString(); Go's zero time counts as missing. */
export const timestamp = z.string().transform((s, ctx) => {
  const r = readServerTime(s);
  if (r.ok) return r.iso;
  ctx.addIssue({ code: "custom", message: r.problem });
  return z.NEVER;
});

export const ChallengeResponse = z.object({
  challengeID: z.string().min(1),
  challengeData: z.string().min(1),
});
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

export const SignupRequest = z.object({
  challengeID: z.string().min(1),
  challengeResult: z.string().min(1),
  agentName: z.string().optional(),
  agentModel: z.string().optional(),
  challengeSolveDurationMs: z.number().int().nonnegative().optional(),
});
export type SignupRequest = z.infer<typeof SignupRequest>;

export const OrganizationSummary = z.object({
  githubLogin: z.string().min(1),
  name: z.string().optional(),
  avatarUrl: z.string().optional(),
});

export const TokenInfo = z.object({
  name: z.string(),
  organization: z.string().optional(),
  team: z.string().optional(),
});

export const UserInfo = z.object({
  id: z.string().optional(),
  githubLogin: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  avatarUrl: z.string().optional(),
  organizations: z.array(OrganizationSummary).default([]),
  identities: z.array(z.string()).optional(),
  isAgent: z.boolean().optional(),
});

/** GET /api/user */
export const UserResponse = UserInfo.extend({
  tokenInfo: TokenInfo.optional(),
});
export type UserResponse = z.infer<typeof UserResponse>;

/** POST /api/agents/signup. Field order matters: missing fields are reported in this order. */
export const SignupResponse = z.object({
  accessToken: z.string().min(1),
  accessTokenValidUntil: timestamp,
  refreshToken: z.string().optional(),
  claimToken: z.string().min(1),
  claimTokenValidUntil: timestamp,
  userInfo: UserInfo.optional(),
});
export type SignupResponse = z.infer<typeof SignupResponse>;

/** POST /api/oauth/token (form-encoded grant_type=refresh_token&refresh_token=...): the OAuth 2 answer. */
export const RefreshResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
});
export type RefreshResponse = z.infer<typeof RefreshResponse>;

/** The Go CLI's error body: printed as `[code] message`. */
export const ErrorBody = z.object({
  code: z.number().int(),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An entity owned by the agent org (stack, ESC environment, ...). */
export const ClaimEntity = z.object({
  kind: z.string().min(1),
  name: z.string().min(1),
});
export type ClaimEntity = z.infer<typeof ClaimEntity>;

/** AgentClaimResponse: shared by validate, preview (dryRun) and commit. */
export const AgentClaimResponse = z.object({
  agent: z.object({
    login: z.string().min(1),
    orgName: z.string().min(1),
    createdAt: timestamp,
  }),
  inventory: z.array(ClaimEntity),
  conflicts: z.array(ClaimEntity),
  failures: z.array(z.object({ entity: ClaimEntity, failureDetails: z.string() })),
  claimExpiresAt: timestamp,
  transferToken: z.string().optional(),
});
export type AgentClaimResponse = z.infer<typeof AgentClaimResponse>;

/** POST /api/agents/{orgName}/claim[?dryRun=true] */
export const ClaimRequest = z.object({
  claimToken: z.string().min(1),
  conflictsResolution: z
    .array(z.object({ kind: z.string().min(1), name: z.string().min(1), newName: z.string().min(1) }))
    .optional(),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

/** GET /api/agents/{orgName}/claim/status */
export const ClaimStatusResponse = z.object({
  claims: z.array(
    z.object({
      transferToken: z.string(),
      status: z.enum(["in-progress", "succeeded", "failed"]),
      destinationOrg: z.string(),
      startedAt: timestamp,
      completedAt: timestamp.optional(),
    }),
  ),
});
export type ClaimStatusResponse = z.infer<typeof ClaimStatusResponse>;
