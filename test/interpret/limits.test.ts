/**
 * Limits to charge, and the runtime-state hook: trust override, counters
 * at the cap, given approvals, kill switches, malformed state.
 */
import { describe, expect, it } from "vitest";
import { ALICE, policy, request } from "./harness.js";

const run = (args: Record<string, unknown> = {}, parts: Record<string, unknown> = {}) =>
  request("aws.ec2.run_instances", { account: "sandbox", estimated_cost_usd: 12.5, ...args }, parts);
const deploy = (parts: Record<string, unknown> = {}) => request("deploy.service", { service: "api" }, parts);

const LIMITS = `
rule aws_sandbox: allow aws.* when args.account == "sandbox"
rule deploys: allow deploy.*
limit daily_spend: budget 500 usd per day per agent on aws.ec2.* cost args.estimated_cost_usd
limit deploy_rate: 5 per hour per args.service on deploy.*
limit human_deploys: 20 per day per human, env on deploy.*
limit prod_only: 1 per 10 minutes on deploy.* when env == "staging"
limit capped: 2 per hour on deploy.* otherwise approve by 1 of group "sre" because "deploy burst"
`;

describe("limits to charge", () => {
  const p = policy(LIMITS);

  it("a budget charges its cost, keyed by agent id", () => {
    expect(p.decide(run()).limits).toEqual([
      { id: "daily_spend", kind: "budget", amount: 12.5, key: ["ci-fixer"], cap: 500, window: { count: 1, unit: "day" } },
    ]);
  });

  it("a rate charges 1; keys resolve to values, a missing human is null; conditions filter; sorted by id", () => {
    const limits = p.decide(deploy()).limits;
    expect(limits.map((l) => [l.id, l.amount, l.key])).toEqual([
      ["capped", 1, []],
      ["deploy_rate", 1, ["api"]],
      ["human_deploys", 1, [null, "production"]],
    ]);
    expect(p.decide(deploy({ human: ALICE, env: "staging" })).limits.map((l) => [l.id, l.key])).toEqual([
      ["capped", []],
      ["deploy_rate", ["api"]],
      ["human_deploys", ["alice", "staging"]],
      ["prod_only", []],
    ]);
  });

  it("a denied request charges nothing", () => {
    expect(p.decide(run({ account: "prod" }))).toMatchObject({ effect: "deny", limits: [] });
  });

  it("limits on other actions are not charged", () => {
    expect(p.decide(run()).limits.map((l) => l.id)).toEqual(["daily_spend"]);
  });
});

describe("runtime state", () => {
  it("state.trust replaces agent.trust", () => {
    const p = policy(`rule trusted: allow deploy.* when agent.trust >= 3`);
    expect(p.decide(deploy()).effect).toBe("deny");
    expect(p.decide(deploy(), { trust: 3 }).effect).toBe("allow");
    expect(p.decide(deploy({ agent: { id: "b", groups: [], trust: 4 } }), { trust: 0 }).effect).toBe("deny");
  });

  it("state.trust is validated like agent.trust", () => {
    const decision = policy(`rule a: allow deploy.*`).decide(deploy(), { trust: 9 });
    expect(decision.error).toEqual({ code: "out_of_range", message: "`state.trust` must be at most 4, got 9", path: "state.trust" });
  });

  it("counters: a charge past the cap denies, naming the limit", () => {
    const p = policy(LIMITS);
    expect(p.decide(deploy(), { counters: { deploy_rate: 4 } }).effect).toBe("allow");
    const decision = p.decide(deploy(), { counters: { deploy_rate: 5 } });
    expect(decision).toMatchObject({
      effect: "deny",
      rules: [{ kind: "limit", id: "deploy_rate", file: "policy.agp", line: 5 }],
      reasons: ["limit `deploy_rate` reached: 5 per hour"],
      limits: [],
    });
    expect(decision.blockedBy).toBeUndefined();
    expect(p.decide(run({ estimated_cost_usd: 100 }), { counters: { daily_spend: 450 } }).reasons).toEqual([
      "limit `daily_spend` reached: budget 500 usd per day",
    ]);
  });

  it("counters: `otherwise approve` parks the request for the limit's quorum", () => {
    const decision = policy(LIMITS).decide(deploy(), { counters: { capped: 2 } });
    expect(decision).toMatchObject({
      effect: "approve",
      rules: [{ kind: "rule", id: "deploys" }, { kind: "limit", id: "capped" }],
      reasons: ["allowed by rule `deploys`", "deploy burst"],
      approval: { quorums: [{ count: 1, groups: ["sre"] }] },
    });
    expect(decision.limits.map((l) => l.id)).toContain("capped");
  });

  it("approvals that meet every quorum turn approve into allow; requester and its human never count", () => {
    const p = policy(`rule r: approve deploy.* by 2 of group "sre" and 1 of group "security"`);
    const sre = (id: string) => ({ id, groups: ["sre"] });
    expect(p.decide(deploy(), { approvals: [sre("bob")] }).effect).toBe("approve");
    expect(p.decide(deploy(), { approvals: [sre("bob"), sre("bob"), { id: "sam", groups: ["security"] }] }).effect).toBe("approve");
    // Distinct quorums need distinct people (ADR 0030): sam cannot be both the second sre and the security approver.
    expect(p.decide(deploy(), { approvals: [sre("bob"), { id: "sam", groups: ["sre", "security"] }] }).effect).toBe("approve");
    expect(p.decide(deploy(), { approvals: [sre("bob"), { id: "sam", groups: ["sre", "security"] }, { id: "tom", groups: ["security"] }] }).effect).toBe("allow");
    expect(p.decide(deploy({ human: ALICE }), { approvals: [sre("bob"), { id: "alice", groups: ["sre", "security"] }, { id: "tom", groups: ["security"] }] }).effect).toBe("approve");
    expect(p.decide(deploy(), { approvals: [sre("bob"), { id: "ci-fixer", groups: ["sre", "security"] }, { id: "tom", groups: ["security"] }] }).effect).toBe("approve");
  });

  it("a kill switch denies: global, the agent's id, or the action's family", () => {
    const p = policy(`rule a: allow deploy.*\nrule b: allow aws.*`);
    expect(p.decide(deploy(), { killed: ["global"] })).toMatchObject({ effect: "deny", reasons: ["kill switch `global` is engaged"] });
    expect(p.decide(deploy(), { killed: ["ci-fixer"] }).effect).toBe("deny");
    expect(p.decide(deploy(), { killed: ["deploy"] }).effect).toBe("deny");
    expect(p.decide(deploy(), { killed: ["aws"] }).effect).toBe("allow");
  });

  it("a malformed state fails closed", () => {
    const p = policy(`rule a: allow deploy.*`);
    const bad = (state: unknown) => p.decide(deploy(), state as never).error;
    expect(bad({ trust: "high" })?.message).toBe('`state.trust` must be a number, got the string "high"');
    expect(bad({ counters: { deploy_rate: -1 } })?.message).toBe("`state.counters.deploy_rate` must be a number at least 0, got the number -1");
    expect(bad({ approvals: [{ id: 1, groups: [] }] })?.path).toBe("state.approvals[0].id");
    expect(bad({ kill: ["global"] })).toEqual({ code: "unknown_field", message: "unknown field `state.kill`", path: "state.kill" });
  });
});
