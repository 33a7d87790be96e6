// Domain model of the mock Pulumi Cloud: challenges, agent and human accounts, tokens, orgs and their
// entities, claims, and the agent lifecycle (72 h active, read-only until 30 d, then locked). In
// refresh mode signup also issues a refresh token, access tokens are short-lived JWT-shaped tokens,
// and POST /api/oauth/token rotates them (after a claim, into the claimer's identity).
// Pure state + rules; HTTP lives in server.ts. Every operation returns an Outcome carrying the HTTP
// status the service would answer with, so the server only has to serialize it.
import { randomBytes } from "node:crypto";
import type {
  AgentClaimResponse,
  ChallengeResponse,
  ClaimEntity,
  ClaimRequest,
  ClaimStatusResponse,
  RefreshResponse,
  SignupRequest,
  SignupResponse,
  UserResponse,
} from "../cloud/protocol.js";
import { nonceMeetsDifficulty, parseChallengeData, PROTOCOL_MAX_DIFFICULTY } from "../pow/challenge.js";
import { DAY_MS, HOUR_MS, type MockClock } from "./clock.js";

export const ACTIVE_PERIOD_MS = 72 * HOUR_MS;
export const CLAIM_WINDOW_MS = 30 * DAY_MS;
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const DEFAULT_DIFFICULTY = 8;
/** Default lifetime of an access token in refresh mode (what Pulumi announced: one hour). */
export const REFRESH_MODE_ACCESS_TTL_MS = HOUR_MS;
/** Kinds the service cannot transfer yet (Insights accounts have no transfer primitive). */
export const DEFAULT_NON_TRANSFERABLE_KINDS: readonly string[] = ["insights-account"];

/** The exact message the service (and the Go CLI's ErrUnauthorized) uses for a rejected token. */
export const UNAUTHORIZED_MESSAGE = "Unauthorized: No credentials provided or are invalid.";
export const READ_ONLY_MESSAGE =
  "this agent account is read-only: its 72-hour write period has ended; claim the account to restore write access";

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };
/** An OAuth 2 endpoint's outcome: errors are `{"error": ..., "error_description": ...}` (RFC 6749 §5.2). */
export type OAuthOutcome<T> = { ok: true; value: T } | { ok: false; status: number; error: string; description: string };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = <T = never>(status: number, message: string): Outcome<T> => ({ ok: false, status, message });

/** active: write OK; read-only: token still authenticates, writes refused; locked: token refused. */
export type AgentPhase = "active" | "read-only" | "locked" | "claimed";

export interface Challenge {
  id: string;
  data: string;
  issuedAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export interface AgentAccount {
  kind: "agent";
  id: string;
  login: string;
  /** The agent's individual org; same slug as the login. */
  orgName: string;
  createdAt: Date;
  /** The latest access token issued to the agent. */
  accessToken: string;
  /** End of the 72 h active period (in the default mode also the access token's expiry). */
  accessTokenValidUntil: Date;
  /** Refresh mode: the agent's current refresh token. */
  refreshToken?: string;
  claimToken: string;
  claimTokenValidUntil: Date;
  challengeID: string;
  agentName?: string;
  agentModel?: string;
  challengeSolveDurationMs?: number;
  userAgent?: string;
  claimedAt?: Date;
  claimedBy?: string;
  destinationOrg?: string;
  transferToken?: string;
}

export interface HumanAccount {
  kind: "human";
  id: string;
  login: string;
  name: string;
  orgs: string[];
}

export type Account = AgentAccount | HumanAccount;

export interface TokenRecord {
  token: string;
  login: string;
  kind: "agent" | "human";
  /** tokenInfo.name in /api/user. */
  name: string;
  revokedAt?: Date;
  /** Refresh mode: when the token stops authenticating. */
  expiresAt?: Date;
}

export interface RefreshRecord {
  token: string;
  /** The agent the chain started with; after a claim, refreshes yield its claimer's tokens. */
  agentLogin: string;
  issuedAt: Date;
  /** Set when it was exchanged (each refresh token works once) or revoked. */
  usedAt?: Date;
  revokedAt?: Date;
}

export interface RefreshModeOptions {
  /** Lifetime of access tokens (default one hour). */
  accessTtlMs?: number;
}

export interface Org {
  name: string;
  members: Set<string>;
  entities: ClaimEntity[];
  /** True for an agent's individual org. */
  agentOwned: boolean;
  /** Soft delete (after a claim). */
  deletedAt?: Date;
}

export interface ClaimRecord {
  transferToken: string;
  agentLogin: string;
  agentOrg: string;
  destinationOrg: string;
  claimedBy: string;
  status: "in-progress" | "succeeded" | "failed";
  startedAt: Date;
  completedAt?: Date;
  /** What moved where (newName equals name unless a conflict resolution renamed it). */
  transferred: { kind: string; name: string; newName: string }[];
}

export interface Authenticated {
  account: Account;
  token: TokenRecord;
}

export interface StateOptions {
  difficulty?: number;
  challengeTtlMs?: number;
  nonTransferableKinds?: readonly string[];
  /** Issue refresh tokens and short-lived access tokens (off: one 72 h access token, no refresh). */
  refreshTokens?: RefreshModeOptions;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

const CANONICAL_NONCE = /^(0|[1-9][0-9]*)$/;
const UINT64_MAX = 2n ** 64n - 1n;

const b64url = (v: string | Buffer): string => Buffer.from(v).toString("base64url");

/** A JWT-shaped access token (unsigned: the mock only needs its shape and its `sub`). */
function jwtToken(sub: string, issuedAt: Date, expiresAt: Date): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const claims = b64url(
    JSON.stringify({ sub, iat: Math.floor(issuedAt.getTime() / 1000), exp: Math.floor(expiresAt.getTime() / 1000), jti: randomHex(8) }),
  );
  return `${header}.${claims}.${b64url(randomBytes(32))}`;
}

function entityKey(e: { kind: string; name: string }): string {
  return `${e.kind}\u0000${e.name}`;
}

export class MockState {
  readonly challenges = new Map<string, Challenge>();
  /** By login. */
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly orgs = new Map<string, Org>();
  readonly claims: ClaimRecord[] = [];
  readonly refreshTokens = new Map<string, RefreshRecord>();
  readonly nonTransferableKinds: Set<string>;
  /** Set in refresh mode. */
  readonly refreshMode: { accessTtlMs: number } | undefined;
  challengeTtlMs: number;
  private difficultyValue: number;
  private fixedChallengeData: string | undefined;

  constructor(
    readonly clock: MockClock,
    options: StateOptions = {},
  ) {
    this.difficultyValue = DEFAULT_DIFFICULTY;
    if (options.difficulty !== undefined) this.setDifficulty(options.difficulty);
    this.challengeTtlMs = options.challengeTtlMs ?? CHALLENGE_TTL_MS;
    this.nonTransferableKinds = new Set(options.nonTransferableKinds ?? DEFAULT_NON_TRANSFERABLE_KINDS);
    if (options.refreshTokens) {
      const accessTtlMs = options.refreshTokens.accessTtlMs ?? REFRESH_MODE_ACCESS_TTL_MS;
      if (!(Number.isFinite(accessTtlMs) && accessTtlMs > 0)) throw new RangeError(`accessTtlMs must be a positive number, got ${accessTtlMs}`);
      this.refreshMode = { accessTtlMs };
    }
  }

  // ---- challenges and signup -------------------------------------------------------------------

  get difficulty(): number {
    return this.difficultyValue;
  }

  setDifficulty(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > PROTOCOL_MAX_DIFFICULTY) {
      throw new RangeError(`difficulty must be an integer in 1..${PROTOCOL_MAX_DIFFICULTY}, got ${n}`);
    }
    this.difficultyValue = n;
  }

  /**
   * Serve this exact challengeData from now on (e.g. `v1:bench:20` for benchmarks, or a malformed
   * value to test client-side validation); undefined goes back to random data.
   */
  setChallengeData(data: string | undefined): void {
    this.fixedChallengeData = data;
  }

  issueChallenge(): ChallengeResponse {
    const now = this.clock.now();
    const challenge: Challenge = {
      id: randomHex(16),
      data: this.fixedChallengeData ?? `v1:${randomHex(8)}:${this.difficultyValue}`,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + this.challengeTtlMs),
    };
    this.challenges.set(challenge.id, challenge);
    return { challengeID: challenge.id, challengeData: challenge.data };
  }

  /**
   * Verify the proof of work and create the agent account. A wrong or malformed result does not
   * consume the challenge; a successful signup does (challenges are single-use).
   */
  signup(req: SignupRequest, meta: { userAgent?: string } = {}): Outcome<SignupResponse> {
    const now = this.clock.now();
    const challenge = this.challenges.get(req.challengeID);
    if (!challenge) return fail(400, "unknown challengeID");
    if (challenge.usedAt) return fail(400, "challenge has already been used");
    if (now.getTime() >= challenge.expiresAt.getTime()) return fail(400, "challenge has expired");
    if (!CANONICAL_NONCE.test(req.challengeResult) || BigInt(req.challengeResult) > UINT64_MAX) {
      return fail(400, "challengeResult must be a canonical unsigned decimal integer");
    }
    const parsed = parseChallengeData(challenge.data);
    if (!parsed.ok) return fail(400, `challenge data is not valid: ${parsed.error}`);
    if (!nonceMeetsDifficulty(challenge.data, req.challengeResult, parsed.difficulty)) {
      return fail(400, "challengeResult does not satisfy the challenge difficulty");
    }
    challenge.usedAt = now;
    const agent = this.createAgentAccount({
      challengeID: challenge.id,
      ...(req.agentName !== undefined ? { agentName: req.agentName } : {}),
      ...(req.agentModel !== undefined ? { agentModel: req.agentModel } : {}),
      ...(req.challengeSolveDurationMs !== undefined ? { challengeSolveDurationMs: req.challengeSolveDurationMs } : {}),
      ...(meta.userAgent !== undefined ? { userAgent: meta.userAgent } : {}),
    });
    return ok(this.signupResponse(agent));
  }

  /**
   * Create an agent account as a successful signup would, without the proof of work (a shortcut for
   * tests that need an agent but are not about signup).
   */
  createAgentAccount(
    meta: Partial<Pick<AgentAccount, "challengeID" | "agentName" | "agentModel" | "challengeSolveDurationMs" | "userAgent">> = {},
  ): AgentAccount {
    const now = this.clock.now();
    const login = `agent-${randomHex(6)}`;
    const agent: AgentAccount = {
      kind: "agent",
      id: randomHex(12),
      login,
      orgName: login,
      createdAt: now,
      accessToken: "",
      accessTokenValidUntil: new Date(now.getTime() + ACTIVE_PERIOD_MS),
      claimToken: randomBytes(24).toString("base64url"),
      claimTokenValidUntil: new Date(now.getTime() + CLAIM_WINDOW_MS),
      challengeID: meta.challengeID ?? "",
      ...meta,
    };
    this.accounts.set(login, agent);
    if (this.refreshMode) {
      agent.accessToken = this.issueAccessToken(agent, "agent-signup").token;
      agent.refreshToken = this.issueRefreshToken(login).token;
    } else {
      agent.accessToken = `pul-agent-${randomHex(20)}`;
      this.tokens.set(agent.accessToken, { token: agent.accessToken, login, kind: "agent", name: "agent-signup" });
    }
    this.orgs.set(login, { name: login, members: new Set([login]), entities: [], agentOwned: true });
    return agent;
  }

  /** The signup response body for an agent (also what a test gets from createAgentAccount + this). */
  signupResponse(agent: AgentAccount): SignupResponse {
    const user = this.userResponse(agent);
    const tokenExpiry = this.tokens.get(agent.accessToken)?.expiresAt ?? agent.accessTokenValidUntil;
    return {
      accessToken: agent.accessToken,
      accessTokenValidUntil: tokenExpiry.toISOString(),
      ...(agent.refreshToken ? { refreshToken: agent.refreshToken } : {}),
      claimToken: agent.claimToken,
      claimTokenValidUntil: agent.claimTokenValidUntil.toISOString(),
      userInfo: {
        id: user.id,
        githubLogin: user.githubLogin,
        name: user.name,
        email: "",
        avatarUrl: "",
        organizations: user.organizations,
        identities: [],
        isAgent: true,
      },
    };
  }

  // ---- lifecycle and authentication ------------------------------------------------------------

  phase(agent: AgentAccount): AgentPhase {
    if (agent.claimedAt) return "claimed";
    const now = this.clock.now().getTime();
    if (now < agent.accessTokenValidUntil.getTime()) return "active";
    if (now < agent.claimTokenValidUntil.getTime()) return "read-only";
    return "locked";
  }

  /** `Authorization: token <t>` header value → account; 401 for missing/unknown/revoked/locked. */
  authenticate(authorization: string | undefined): Outcome<Authenticated> {
    const match = /^token\s+(\S+)\s*$/i.exec(authorization ?? "");
    const record = match ? this.tokens.get(match[1] as string) : undefined;
    if (!record || record.revokedAt) return fail(401, UNAUTHORIZED_MESSAGE);
    if (record.expiresAt && this.clock.now().getTime() >= record.expiresAt.getTime()) return fail(401, UNAUTHORIZED_MESSAGE);
    const account = this.accounts.get(record.login);
    if (!account) return fail(401, UNAUTHORIZED_MESSAGE);
    if (account.kind === "agent") {
      const phase = this.phase(account);
      if (phase === "locked" || phase === "claimed") return fail(401, UNAUTHORIZED_MESSAGE);
    }
    return ok({ account, token: record });
  }

  userResponse(account: Account, token?: TokenRecord): UserResponse & { id: string; name: string } {
    const orgs = account.kind === "agent" ? [account.orgName] : account.orgs;
    return {
      id: account.id,
      githubLogin: account.login,
      name: account.kind === "agent" ? account.login : account.name,
      email: account.kind === "agent" ? "" : `${account.login}@example.com`,
      avatarUrl: "",
      organizations: orgs.map((o) => ({ githubLogin: o })),
      identities: account.kind === "agent" ? [] : ["github"],
      isAgent: account.kind === "agent",
      tokenInfo: { name: token?.name ?? (account.kind === "agent" ? "agent-signup" : `${account.login}-token`) },
    };
  }

  /** Revoke an access token or a refresh token; false when it is unknown or already revoked. */
  revokeToken(token: string): boolean {
    const record = this.tokens.get(token) ?? this.refreshTokens.get(token);
    if (!record || record.revokedAt) return false;
    record.revokedAt = this.clock.now();
    return true;
  }

  // ---- refresh mode ------------------------------------------------------------------------------

  /** A short-lived JWT-shaped access token for an account (refresh mode). */
  private issueAccessToken(account: Account, name: string): TokenRecord {
    const ttl = this.refreshMode?.accessTtlMs ?? REFRESH_MODE_ACCESS_TTL_MS;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttl);
    const record: TokenRecord = { token: jwtToken(account.id, now, expiresAt), login: account.login, kind: account.kind, name, expiresAt };
    this.tokens.set(record.token, record);
    return record;
  }

  private issueRefreshToken(agentLogin: string): RefreshRecord {
    const record: RefreshRecord = { token: `pul-refresh-${randomHex(20)}`, agentLogin, issuedAt: this.clock.now() };
    this.refreshTokens.set(record.token, record);
    return record;
  }

  /**
   * POST /api/oauth/token with grant_type=refresh_token: a new access token and a rotated refresh
   * token (each refresh token works once). After a claim the tokens are the claimer's.
   */
  refresh(form: URLSearchParams): OAuthOutcome<RefreshResponse> {
    const oauthFail = (status: number, error: string, description: string): OAuthOutcome<never> => ({ ok: false, status, error, description });
    if (!this.refreshMode) return oauthFail(400, "unsupported_grant_type", "this service issues no refresh tokens");
    if (form.get("grant_type") !== "refresh_token") return oauthFail(400, "unsupported_grant_type", "grant_type must be refresh_token");
    const presented = form.get("refresh_token") ?? "";
    if (!presented) return oauthFail(400, "invalid_request", "refresh_token is required");
    const record = this.refreshTokens.get(presented);
    if (!record || record.revokedAt || record.usedAt) return oauthFail(400, "invalid_grant", "the refresh token is invalid, expired or revoked");
    const agent = this.agentByLogin(record.agentLogin);
    if (!agent) return oauthFail(400, "invalid_grant", "the refresh token is invalid, expired or revoked");
    let subject: Account = agent;
    if (agent.claimedAt) {
      const claimer = agent.claimedBy ? this.accounts.get(agent.claimedBy) : undefined;
      if (!claimer) return oauthFail(400, "invalid_grant", "the refresh token is invalid, expired or revoked");
      subject = claimer;
    } else if (this.phase(agent) === "locked") {
      return oauthFail(400, "invalid_grant", "the agent account is locked: its claim window is over");
    }
    record.usedAt = this.clock.now();
    const access = this.issueAccessToken(subject, subject.kind === "agent" ? "agent-signup" : `${subject.login}-refresh`);
    const next = this.issueRefreshToken(agent.login);
    agent.refreshToken = next.token;
    if (subject === agent) agent.accessToken = access.token;
    const expiresIn = Math.max(1, Math.ceil(this.refreshMode.accessTtlMs / 1000));
    return { ok: true, value: { access_token: access.token, token_type: "bearer", expires_in: expiresIn, refresh_token: next.token } };
  }

  // ---- lookups and test helpers ----------------------------------------------------------------

  agents(): AgentAccount[] {
    return [...this.accounts.values()].filter((a): a is AgentAccount => a.kind === "agent");
  }

  agentByLogin(login: string): AgentAccount | undefined {
    const a = this.accounts.get(login);
    return a?.kind === "agent" ? a : undefined;
  }

  agentByToken(accessToken: string): AgentAccount | undefined {
    const record = this.tokens.get(accessToken);
    return record ? this.agentByLogin(record.login) : undefined;
  }

  agentByClaimToken(claimToken: string): AgentAccount | undefined {
    return this.agents().find((a) => a.claimToken === claimToken);
  }

  /** Create (or extend) a human user with a never-expiring token and org memberships. */
  addHumanUser(login: string, token: string, orgs: string[] = [login]): HumanAccount {
    const existingToken = this.tokens.get(token);
    if (existingToken && existingToken.login !== login) throw new Error(`token already belongs to ${existingToken.login}`);
    let account = this.accounts.get(login);
    if (account?.kind === "agent") throw new Error(`${login} is an agent account`);
    if (!account) {
      account = { kind: "human", id: randomHex(12), login, name: login, orgs: [] };
      this.accounts.set(login, account);
    }
    for (const org of orgs) {
      if (!account.orgs.includes(org)) account.orgs.push(org);
      this.ensureOrg(org).members.add(login);
    }
    this.tokens.set(token, { token, login, kind: "human", name: `${login}-token` });
    return account;
  }

  ensureOrg(name: string): Org {
    let org = this.orgs.get(name);
    if (!org) {
      org = { name, members: new Set(), entities: [], agentOwned: false };
      this.orgs.set(name, org);
    }
    return org;
  }

  /** Put a stack / ESC environment / ... into an org (created if missing). Duplicates throw. */
  addEntity(orgName: string, entity: ClaimEntity): void {
    const org = this.ensureOrg(orgName);
    if (org.entities.some((e) => entityKey(e) === entityKey(entity))) {
      throw new Error(`${orgName} already has ${entity.kind} ${entity.name}`);
    }
    org.entities.push({ kind: entity.kind, name: entity.name });
  }

  entitiesOf(orgName: string): ClaimEntity[] {
    return (this.orgs.get(orgName)?.entities ?? []).map((e) => ({ ...e }));
  }

  // ---- writes --------------------------------------------------------------------------------

  /** POST /api/stacks/{org}/{project}/{stack}: the one write operation the mock offers. */
  createStack(
    authorization: string | undefined,
    orgName: string,
    project: string,
    stack: string,
  ): Outcome<{ orgName: string; projectName: string; stackName: string }> {
    const auth = this.authenticate(authorization);
    if (!auth.ok) return auth;
    const { account } = auth.value;
    if (account.kind === "agent" && this.phase(account) === "read-only") return fail(403, READ_ONLY_MESSAGE);
    const org = this.orgs.get(orgName);
    if (!org || org.deletedAt || !org.members.has(account.login)) {
      return fail(403, `${account.login} is not a member of organization '${orgName}'`);
    }
    const entity = { kind: "stack", name: `${project}/${stack}` };
    if (org.entities.some((e) => entityKey(e) === entityKey(entity))) {
      return fail(409, `stack '${orgName}/${project}/${stack}' already exists`);
    }
    org.entities.push(entity);
    return ok({ orgName, projectName: project, stackName: stack });
  }

  // ---- claims ----------------------------------------------------------------------------------

  /** The claimable agent for a claim token, or the 404 the service answers once it is not. */
  claimableAgent(claimToken: string): Outcome<AgentAccount> {
    const agent = this.agentByClaimToken(claimToken);
    if (!agent) return fail(404, "claim token not found");
    if (agent.claimedAt) return fail(404, "claim token has already been used");
    if (this.clock.now().getTime() >= agent.claimTokenValidUntil.getTime()) return fail(404, "claim token has expired");
    return ok(agent);
  }

  private claimResponse(agent: AgentAccount, inventory: ClaimEntity[]): AgentClaimResponse {
    return {
      agent: { login: agent.login, orgName: agent.orgName, createdAt: agent.createdAt.toISOString() },
      inventory: inventory.map((e) => ({ ...e })),
      conflicts: [],
      failures: [],
      claimExpiresAt: agent.claimTokenValidUntil.toISOString(),
    };
  }

  /** GET /api/agents/signup/validate/{claimToken} */
  validateClaim(claimToken: string): Outcome<AgentClaimResponse> {
    const found = this.claimableAgent(claimToken);
    if (!found.ok) return found;
    return ok(this.claimResponse(found.value, this.entitiesOf(found.value.orgName)));
  }

  /**
   * POST /api/agents/{orgName}/claim[?dryRun=true], authenticated as the human who takes ownership;
   * orgName is the destination org. Preview and a blocked commit answer 200 and mutate nothing.
   */
  claim(authorization: string | undefined, destinationOrg: string, req: ClaimRequest, dryRun: boolean): Outcome<AgentClaimResponse> {
    const auth = this.authenticate(authorization);
    if (!auth.ok) return auth;
    const human = auth.value.account;
    if (human.kind !== "human") return fail(403, "an agent account cannot claim an agent account; use a human user's token");
    const dest = this.orgs.get(destinationOrg);
    if (!dest || dest.deletedAt || !dest.members.has(human.login)) {
      return fail(403, `${human.login} is not a member of organization '${destinationOrg}'`);
    }
    const found = this.claimableAgent(req.claimToken);
    if (!found.ok) return found;
    const agent = found.value;
    const inventory = this.entitiesOf(agent.orgName);

    const renames = new Map<string, string>();
    for (const r of req.conflictsResolution ?? []) {
      if (!inventory.some((e) => entityKey(e) === entityKey(r))) {
        return fail(400, `conflictsResolution refers to ${r.kind} '${r.name}', which the agent does not own`);
      }
      renames.set(entityKey(r), r.newName);
    }

    const response = this.claimResponse(agent, inventory);
    const taken = new Set(dest.entities.map(entityKey));
    const plan: ClaimRecord["transferred"] = [];
    for (const entity of inventory) {
      if (this.nonTransferableKinds.has(entity.kind)) {
        response.failures.push({
          entity: { ...entity },
          failureDetails: `${entity.kind} '${entity.name}' cannot be transferred: no transfer primitive for this kind yet`,
        });
        continue;
      }
      const newName = renames.get(entityKey(entity)) ?? entity.name;
      const target = entityKey({ kind: entity.kind, name: newName });
      if (taken.has(target)) {
        response.conflicts.push({ ...entity });
        continue;
      }
      taken.add(target);
      plan.push({ kind: entity.kind, name: entity.name, newName });
    }
    if (dryRun || response.conflicts.length > 0 || response.failures.length > 0) return ok(response);

    // Commit: move everything, soft-delete the agent org, revoke the agent token, burn the claim token.
    const now = this.clock.now();
    const agentOrg = this.ensureOrg(agent.orgName);
    for (const t of plan) dest.entities.push({ kind: t.kind, name: t.newName });
    agentOrg.entities = [];
    agentOrg.deletedAt = now;
    // Every access token of the agent (refresh mode issues many); refresh tokens keep working and
    // yield the claimer's tokens from now on.
    for (const t of this.tokens.values()) if (t.kind === "agent" && t.login === agent.login) this.revokeToken(t.token);
    const transferToken = `transfer-${randomHex(12)}`;
    agent.claimedAt = now;
    agent.claimedBy = human.login;
    agent.destinationOrg = destinationOrg;
    agent.transferToken = transferToken;
    this.claims.push({
      transferToken,
      agentLogin: agent.login,
      agentOrg: agent.orgName,
      destinationOrg,
      claimedBy: human.login,
      status: "succeeded",
      startedAt: now,
      completedAt: now,
      transferred: plan,
    });
    return ok({ ...response, transferToken });
  }

  /** GET /api/agents/{orgName}/claim/status: claims into orgName, for a member of it. */
  claimStatus(authorization: string | undefined, orgName: string): Outcome<ClaimStatusResponse> {
    const auth = this.authenticate(authorization);
    if (!auth.ok) return auth;
    const org = this.orgs.get(orgName);
    if (!org || !org.members.has(auth.value.account.login)) {
      return fail(403, `${auth.value.account.login} is not a member of organization '${orgName}'`);
    }
    return ok({
      claims: this.claims
        .filter((c) => c.destinationOrg === orgName)
        .map((c) => ({
          transferToken: c.transferToken,
          status: c.status,
          destinationOrg: c.destinationOrg,
          startedAt: c.startedAt.toISOString(),
          ...(c.completedAt ? { completedAt: c.completedAt.toISOString() } : {}),
        })),
    });
  }
}
