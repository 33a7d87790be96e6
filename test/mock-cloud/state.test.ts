// The mock cloud's rules over real loopback HTTP. Claims: validate, preview, conflicts and their
// resolution, non-transferable failures, commit (moves entities, revokes the agent token, burns the
// claim token), claim status. Refresh mode: short-lived JWT access tokens, rotation, claim identity,
// refusals, stats.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call as callMock, type CallOptions } from "../support/http.js";
import { AgentClaimResponse, ClaimStatusResponse, ErrorBody } from "../../src/cloud/protocol.js";
import { DAY_MS, startMockCloud, UNAUTHORIZED_MESSAGE, type AgentAccount, type MockCloud } from "../../src/mock-cloud/server.js";

const HUMAN = "pul-human-alice";
let mock: MockCloud;
let agent: AgentAccount;

beforeEach(async () => {
  mock = await startMockCloud({ demoHuman: { login: "demo-dana", token: "pul-human-dana" } });
  mock.addHumanUser("alice", HUMAN, ["alice", "acme"]);
  agent = mock.createAgent({ agentName: "claude" });
  mock.addEntity(agent.orgName, { kind: "stack", name: "web/dev" });
  mock.addEntity(agent.orgName, { kind: "environment", name: "app/dev" });
});
afterEach(async () => {
  await mock.close();
});

const call = (method: string, path: string, opts: CallOptions = {}) => callMock(mock.url, method, path, opts);

const validate = (token = agent.claimToken) => call("GET", `/api/agents/signup/validate/${encodeURIComponent(token)}`);
const claim = (org: string, body: unknown, opts: { dryRun?: boolean; token?: string } = {}) =>
  call("POST", `/api/agents/${org}/claim${opts.dryRun ? "?dryRun=true" : ""}`, { token: opts.token ?? HUMAN, json: body });
const whoamiStatus = async () => (await call("GET", "/api/user", { token: agent.accessToken })).status;

describe("validate", () => {
  it("describes a claimable agent and 404s unknown tokens", async () => {
    const res = await validate();
    expect(res.status).toBe(200);
    expect(AgentClaimResponse.parse(res.json)).toEqual({
      agent: { login: agent.login, orgName: agent.orgName, createdAt: agent.createdAt.toISOString() },
      inventory: [
        { kind: "stack", name: "web/dev" },
        { kind: "environment", name: "app/dev" },
      ],
      conflicts: [],
      failures: [],
      claimExpiresAt: new Date(agent.createdAt.getTime() + 30 * DAY_MS).toISOString(),
    });
    const unknown = await validate("not-a-token");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ code: 404, message: "claim token not found" });
  });
});

describe("claim", () => {
  it("commit moves entities, revokes the agent token and burns the claim token", async () => {
    expect(await whoamiStatus()).toBe(200);
    const res = await claim("acme", { claimToken: agent.claimToken });
    expect(res.status).toBe(200);
    const body = AgentClaimResponse.parse(res.json);
    expect(body.transferToken).toMatch(/^transfer-[0-9a-f]{24}$/);
    expect(body.conflicts).toEqual([]);
    expect(body.failures).toEqual([]);
    expect(body.inventory).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);

    expect(mock.state.entitiesOf("acme")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);
    expect(mock.state.entitiesOf(agent.orgName)).toEqual([]);
    expect(mock.state.orgs.get(agent.orgName)?.deletedAt).toBeInstanceOf(Date);
    expect(mock.state.phase(agent)).toBe("claimed");
    expect(mock.state.tokens.get(agent.accessToken)?.revokedAt).toBeInstanceOf(Date);
    expect(agent).toMatchObject({ claimedBy: "alice", destinationOrg: "acme", transferToken: body.transferToken });

    expect((await validate()).json).toEqual({ code: 404, message: "claim token has already been used" });
    const me = await call("GET", "/api/user", { token: agent.accessToken });
    expect(me.json).toEqual({ code: 401, message: UNAUTHORIZED_MESSAGE });
    const again = await claim("acme", { claimToken: agent.claimToken });
    expect(again.json).toEqual({ code: 404, message: "claim token has already been used" });

    const status = await call("GET", "/api/agents/acme/claim/status", { token: HUMAN });
    expect(status.status).toBe(200);
    const parsed = ClaimStatusResponse.parse(status.json);
    expect(parsed.claims).toHaveLength(1);
    expect(parsed.claims[0]).toMatchObject({ transferToken: body.transferToken, status: "succeeded", destinationOrg: "acme" });
    expect((await call("GET", "/api/agents/acme/claim/status", { token: agent.accessToken })).status).toBe(401);
    mock.addHumanUser("bob", "pul-human-bob");
    expect((await call("GET", "/api/agents/acme/claim/status", { token: "pul-human-bob" })).status).toBe(403);
  });

  it("preview reports conflicts and mutates nothing; a rename resolution lets the commit succeed", async () => {
    mock.addEntity("acme", { kind: "stack", name: "web/dev" });
    const preview = await claim("acme", { claimToken: agent.claimToken }, { dryRun: true });
    expect(preview.status).toBe(200);
    const p = AgentClaimResponse.parse(preview.json);
    expect(p.conflicts).toEqual([{ kind: "stack", name: "web/dev" }]);
    expect(p.failures).toEqual([]);
    expect(p.transferToken).toBeUndefined();

    // A blocked commit is also a 200 with the same body and no mutation.
    const blocked = await claim("acme", { claimToken: agent.claimToken });
    expect(blocked.status).toBe(200);
    expect(blocked.json).toEqual(preview.json);

    expect((await validate()).status).toBe(200);
    expect(await whoamiStatus()).toBe(200);
    expect(mock.state.entitiesOf(agent.orgName)).toHaveLength(2);
    expect(mock.state.entitiesOf("acme")).toEqual([{ kind: "stack", name: "web/dev" }]);
    expect(mock.state.claims).toEqual([]);

    // Renaming onto another taken name still conflicts; a free name resolves it.
    mock.addEntity("acme", { kind: "stack", name: "web/taken" });
    const stillBlocked = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/taken" }],
    });
    expect(AgentClaimResponse.parse(stillBlocked.json).conflicts).toEqual([{ kind: "stack", name: "web/dev" }]);

    const dryResolved = await claim(
      "acme",
      { claimToken: agent.claimToken, conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/agent-dev" }] },
      { dryRun: true },
    );
    expect(AgentClaimResponse.parse(dryResolved.json)).toMatchObject({ conflicts: [], failures: [] });
    expect(AgentClaimResponse.parse(dryResolved.json).transferToken).toBeUndefined();
    expect(await whoamiStatus()).toBe(200);

    const done = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "stack", name: "web/dev", newName: "web/agent-dev" }],
    });
    expect(AgentClaimResponse.parse(done.json).transferToken).toMatch(/^transfer-/);
    expect(mock.state.entitiesOf("acme")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "stack", name: "web/taken" },
      { kind: "stack", name: "web/agent-dev" },
      { kind: "environment", name: "app/dev" },
    ]);
    expect(mock.state.claims[0]?.transferred).toEqual([
      { kind: "stack", name: "web/dev", newName: "web/agent-dev" },
      { kind: "environment", name: "app/dev", newName: "app/dev" },
    ]);
    expect(await whoamiStatus()).toBe(401);
  });

  it("failures (no transfer primitive) block the commit and cannot be resolved", async () => {
    mock.addEntity(agent.orgName, { kind: "insights-account", name: "aws-main" });
    const expected = [
      {
        entity: { kind: "insights-account", name: "aws-main" },
        failureDetails: "insights-account 'aws-main' cannot be transferred: no transfer primitive for this kind yet",
      },
    ];
    const res = await claim("acme", {
      claimToken: agent.claimToken,
      conflictsResolution: [{ kind: "insights-account", name: "aws-main", newName: "other" }],
    });
    expect(res.status).toBe(200);
    const body = AgentClaimResponse.parse(res.json);
    expect(body.failures).toEqual(expected);
    expect(body.conflicts).toEqual([]);
    expect(body.transferToken).toBeUndefined();
    expect(await whoamiStatus()).toBe(200);
    expect((await validate()).status).toBe(200);
    expect(mock.state.entitiesOf("acme")).toEqual([]);
  });

  it("rejects bad callers, destinations, bodies and tokens", async () => {
    const cases: [Promise<{ status: number; json: unknown }>, number, string | RegExp][] = [
      [claim("acme", { claimToken: agent.claimToken }, { token: "nope" }), 401, UNAUTHORIZED_MESSAGE],
      [call("POST", "/api/agents/acme/claim", { json: { claimToken: agent.claimToken } }), 401, UNAUTHORIZED_MESSAGE],
      [claim("acme", { claimToken: agent.claimToken }, { token: agent.accessToken }), 403, /agent account cannot claim/],
      [claim("not-mine", { claimToken: agent.claimToken }), 403, "alice is not a member of organization 'not-mine'"],
      [claim("acme", { claimToken: "bogus" }), 404, "claim token not found"],
      [claim("acme", {}), 400, /^invalid request body: claimToken: /],
      [
        claim("acme", { claimToken: agent.claimToken, conflictsResolution: [{ kind: "stack", name: "nope", newName: "x" }] }),
        400,
        "conflictsResolution refers to stack 'nope', which the agent does not own",
      ],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      const err = ErrorBody.parse(res.json);
      expect(err.code).toBe(status);
      expect(err.message).toMatch(message);
    }
    expect(await whoamiStatus()).toBe(200);
  });

  it("an expired claim token answers 404 on claim", async () => {
    mock.clock.advance(30 * DAY_MS);
    const res = await claim("acme", { claimToken: agent.claimToken });
    expect(res.json).toEqual({ code: 404, message: "claim token has expired" });
  });
});
