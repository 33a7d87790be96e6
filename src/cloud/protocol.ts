// Wire shapes of the Pulumi Cloud agent endpoints (seeds 001/003, reference §1), shared by the client
// and the embedded mock cloud. Imported only on the cold path (zod costs ~60 ms to load).
import { z } from "zod";

/** RFC 3339 timestamp; Go's zero time counts as missing (reference §1.3). */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";
export const timestamp = z
  .string()
  .refine((s) => s !== GO_ZERO_TIME && !Number.isNaN(Date.parse(s)), { message: "is not a valid RFC 3339 time" });

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

/** AgentClaimResponse (seed 001): shared by validate, preview (dryRun) and commit. */
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
