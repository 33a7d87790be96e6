// The mock console's claim page over real loopback HTTP: what it shows (escaped), the demo button,
// the token form, and unknown or expired links.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call as callMock, type CallOptions } from "../support/http.js";
import { escapeHtml } from "../../src/mock-cloud/console-page.js";
import { DAY_MS, startMockCloud, type AgentAccount, type MockCloud } from "../../src/mock-cloud/server.js";

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
const whoamiStatus = async () => (await call("GET", "/api/user", { token: agent.accessToken })).status;

describe("console claim page", () => {
  it("shows the agent, its inventory and the forms, escaping everything", async () => {
    mock.addEntity(agent.orgName, { kind: "stack", name: `<script>alert("x")</script>` });
    const res = await call("GET", `/claim/${agent.claimToken}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.text).toContain(`Claim agent account <code>${agent.login}</code>`);
    expect(res.text).toContain("<td>stack</td><td>web/dev</td>");
    expect(res.text).toContain("<td>environment</td><td>app/dev</td>");
    expect(res.text).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(res.text).not.toContain("<script>");
    expect(res.text).toContain(new Date(agent.createdAt.getTime() + 30 * DAY_MS).toISOString());
    expect(res.text).toContain("(29d 23h 59m left)");
    expect(res.text).toContain("Status: <strong>active</strong>");
    expect(res.text).toContain(`<form method="post" action="/claim/${agent.claimToken}">`);
    expect(res.text).toContain("Claim as demo-dana");
    expect(res.text).toContain('name="token"');
    expect(escapeHtml(`<a href="x">'&`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;");
  });

  it("the demo button claims into the demo human's org and the page then says it was claimed", async () => {
    const res = await call("POST", `/claim/${agent.claimToken}`, { form: { demo: "1" } });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Claimed <code>${agent.login}</code>`);
    expect(res.text).toContain("<code>demo-dana</code>");
    expect(mock.state.entitiesOf("demo-dana")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);
    expect(await whoamiStatus()).toBe(401);

    const after = await call("GET", `/claim/${agent.claimToken}`);
    expect(after.status).toBe(410);
    expect(after.text).toContain("claim token has already been used");
  });

  it("the token form claims into a chosen org; bad tokens and conflicts change nothing", async () => {
    const bad = await call("POST", `/claim/${agent.claimToken}`, { form: { token: "wrong" } });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain("That token was not accepted");

    mock.addEntity("acme", { kind: "environment", name: "app/dev" });
    const blocked = await call("POST", `/claim/${agent.claimToken}`, { form: { token: HUMAN, org: "acme" } });
    expect(blocked.status).toBe(409);
    expect(blocked.text).toContain("Nothing was changed");
    expect(blocked.text).toContain("<td>environment</td><td>app/dev</td>");
    expect(await whoamiStatus()).toBe(200);

    const ok = await call("POST", `/claim/${agent.claimToken}`, { form: { token: HUMAN } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("alice now owns everything");
    expect(mock.state.entitiesOf("alice")).toEqual([
      { kind: "stack", name: "web/dev" },
      { kind: "environment", name: "app/dev" },
    ]);
  });

  it("says when a link is unknown or expired", async () => {
    const unknown = await call("GET", "/claim/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("claim token not found");
    mock.clock.advance(31 * DAY_MS);
    const expired = await call("GET", `/claim/${agent.claimToken}`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("claim token has expired");
    const post = await call("POST", `/claim/${agent.claimToken}`, { form: { demo: "1" } });
    expect(post.status).toBe(410);
  });
});
