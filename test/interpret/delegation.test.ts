/**
 * Delegation: how the agent's rules and the rules `for human` combine when a
 * request names a human, per mode, and which principal the decision says blocked.
 */
import { describe, expect, it } from "vitest";
import { ALICE, policy, request } from "./harness.js";

const deploy = (human?: object) => request("deploy.service", { service: "api" }, human === undefined ? {} : { human });
const BOB = { id: "bob", groups: ["developers"], roles: [] };

const RULES = `
rule agent_deploys: allow deploy.* when agent.trust >= 2
rule deployers_deploy: allow deploy.* for human when "deployer" in human.roles
rule interns_never: deny deploy.* for human when "interns" in human.groups because "interns do not deploy"
rule night_review: approve deploy.* for human when human.id == "carol" by 1 of group "sre"
`;

const withMode = (mode: string) => policy(`package p\ndelegation ${mode}\n${RULES}`);

describe("delegation both (the default)", () => {
  const p = policy(`package p\n${RULES}`);

  it("both sides allow: allow, with both sides' deciding rules", () => {
    const decision = p.decide(deploy(ALICE));
    expect(decision.effect).toBe("allow");
    expect(decision.rules.map((r) => r.id)).toEqual(["agent_deploys", "deployers_deploy"]);
    expect(decision.blockedBy).toBeUndefined();
  });

  it("the human cannot lend the agent powers: agent without rule, human allows → deny, blocked by agent", () => {
    const decision = p.decide({ ...deploy(ALICE), agent: { id: "new-bot", groups: [], trust: 0 } });
    expect(decision).toMatchObject({ effect: "deny", blockedBy: "agent", reasons: ["no rule allows `deploy.service`"] });
  });

  it("the agent cannot exceed the human: human without rule → deny, blocked by human", () => {
    const decision = p.decide(deploy(BOB));
    expect(decision).toMatchObject({ effect: "deny", blockedBy: "human", rules: [], reasons: ["no `for human` rule allows `deploy.service`"] });
  });

  it("an explicit human deny names its rule", () => {
    const decision = p.decide(deploy({ id: "ivan", groups: ["interns"], roles: ["deployer"] }));
    expect(decision).toMatchObject({ effect: "deny", blockedBy: "human", rules: [{ id: "interns_never" }], reasons: ["interns do not deploy"] });
  });

  it("a human approve makes the whole decision approve, blocked by human", () => {
    const decision = p.decide(deploy({ id: "carol", groups: [], roles: [] }));
    expect(decision).toMatchObject({ effect: "approve", blockedBy: "human", approval: { quorums: [{ count: 1, groups: ["sre"] }] } });
  });

  it("without a human, rules `for human` never match and the agent decides alone", () => {
    expect(p.decide(deploy()).effect).toBe("allow");
  });

  it("the human side abstains on actions no `for human` rule covers", () => {
    const q = policy(`package p\nrule agent_reads: allow github.*\n${RULES}`);
    expect(q.decide({ ...request("github.issue.read", {}), human: BOB }).effect).toBe("allow");
  });

  it("obligations of both sides apply", () => {
    const q = policy(`
rule a: allow deploy.* with max_replicas = 10
rule h: allow deploy.* for human with max_replicas = 3, dry_run = true
`);
    expect(q.decide(deploy(ALICE)).obligations).toEqual({ max_replicas: 3, dry_run: true });
  });
});

describe("delegation either", () => {
  const p = withMode("either");

  it("the more permissive side decides: human allows, agent has no rule → allow", () => {
    const decision = p.decide({ ...deploy(ALICE), agent: { id: "new-bot", groups: [], trust: 0 } });
    expect(decision).toMatchObject({ effect: "allow", rules: [{ id: "deployers_deploy" }] });
  });

  it("agent allows, human has no rule → allow", () => {
    expect(p.decide(deploy(BOB)).effect).toBe("allow");
  });

  it("an explicit deny on either side denies", () => {
    const decision = p.decide(deploy({ id: "ivan", groups: ["interns"], roles: ["deployer"] }));
    expect(decision).toMatchObject({ effect: "deny", blockedBy: "human", rules: [{ id: "interns_never" }] });
  });

  it("allow on one side beats approve on the other", () => {
    expect(p.decide(deploy({ id: "carol", groups: [], roles: [] })).effect).toBe("allow");
  });

  it("neither side allows → default deny, blocked by agent", () => {
    const decision = p.decide({ ...deploy(BOB), agent: { id: "new-bot", groups: [], trust: 0 } });
    expect(decision).toMatchObject({ effect: "deny", blockedBy: "agent", reasons: ["no rule allows `deploy.service`"] });
  });
});

describe("delegation agent_only", () => {
  const p = withMode("agent_only");

  it("rules `for human` are not evaluated", () => {
    expect(p.decide(deploy(BOB)).effect).toBe("allow");
    expect(p.decide(deploy({ id: "ivan", groups: ["interns"], roles: [] })).effect).toBe("allow");
  });

  it("the agent still needs its own rule", () => {
    expect(p.decide({ ...deploy(ALICE), agent: { id: "new-bot", groups: [], trust: 0 } })).toMatchObject({
      effect: "deny",
      blockedBy: "agent",
    });
  });
});

describe("packages that disagree on the mode", () => {
  it("fall back to both for actions their rules share", () => {
    const p = policy({
      "a.agp": `package a\ndelegation either\nrule h: allow deploy.* for human`,
      "b.agp": `package b\ndelegation agent_only\nrule g: deny deploy.* when agent.trust < 1`,
    });
    // Under both, the agent side has no allow → deny; under either the human would allow.
    expect(p.decide(deploy(ALICE))).toMatchObject({ effect: "deny", blockedBy: "agent" });
  });
});
