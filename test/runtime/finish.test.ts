/**
 * Finishing a decision from what the module said, as the reference
 * interpreter builds it (texts as in test/interpret/combine.test.ts and
 * limits.test.ts): deciding rules (agent side first), reasons, audit,
 * obligations merged (smallest number, true wins, string conflict denies),
 * quorums merged, limit charges and keys, counters vs caps, approvals, kill
 * switches, malformed state.
 */
import { describe, expect, it } from "vitest";
import type { Quorum } from "../../runtime/decision.js";
import type { ManifestLimit, Slot } from "../../runtime/manifest.js";
import type { FakeResult } from "./fake-module.js";
import { ALICE, engine, request, testManifest } from "./harness.js";
import { rule } from "./schema-of.js";

const RULES = [
  rule("h0", "deny", { file: "a.agp", line: 1, principal: "human", reason: "alice may not" }),
  rule("a", "allow", { line: 2, obligations: [{ key: "max_runtime_seconds", value: 60 }, { key: "dry_run", value: false }, { key: "region", value: "eu" }] }),
  rule("b", "allow", { line: 3, obligations: [{ key: "max_runtime_seconds", value: 30 }, { key: "dry_run", value: true }, { key: "note", value: null }] }),
  rule("c", "allow", { line: 4, obligations: [{ key: "region", value: "us" }] }),
  rule("d", "deny", { line: 5, reason: "humans merge", audit: "security" }),
  rule("e", "deny", { line: 6, audit: "notice" }),
  rule("f", "approve", { line: 7, audit: "notice", quorums: [{ count: 2, groups: ["sre"] }] }),
  rule("g", "approve", { line: 8, quorums: [{ count: 1, groups: ["sre"] }, { count: 1, groups: ["sre", "security"] }] }),
  rule("k", "approve", { line: 9 }),
];
const LIMITS: ManifestLimit[] = [
  limit("capped", "rate", 2, { window: { count: 1, unit: "hour" }, otherwise: { kind: "approve", quorums: [{ count: 1, groups: ["sre"] }] }, reason: "deploy burst" }),
  limit("daily_spend", "budget", 500, { unit: "usd", keys: [["agent"]] }),
  limit("deploy_rate", "rate", 5, { window: { count: 1, unit: "hour" }, keys: [["args", "service"]] }),
  limit("human_deploys", "rate", 20, { keys: [["human"], ["env"]], window: { count: 10, unit: "minute" } }),
];
const SCENARIOS: Record<string, FakeResult | ((human: boolean) => FakeResult)> = {
  deny_rules: { effect: "deny", blockedBy: "agent", deciding: [4, 5] },
  deny_both: { effect: "deny", blockedBy: "agent", deciding: [0, 4] },
  deny_human_only: { effect: "deny", blockedBy: "human", deciding: [0] },
  default_agent: { effect: "deny", blockedBy: "agent" },
  default_human: { effect: "deny", blockedBy: "human" },
  allow_merge: { effect: "allow", deciding: [1, 2], obligation: [1, 2] },
  conflict: { effect: "allow", deciding: [1, 3], obligation: [1, 3] },
  approve: { effect: "approve", blockedBy: "agent", deciding: [6, 7], obligation: [2, 6, 7] },
  approve_any: { effect: "approve", blockedBy: "agent", deciding: [8] },
  charges: {
    effect: "allow",
    deciding: [1],
    obligation: [1],
    charges: [
      { limit: 0, amount: 1 },
      { limit: 1, amount: 12.5 },
      { limit: 2, amount: 1 },
      { limit: 3, amount: 1 },
    ],
  },
  bad_budget: { effect: "allow", deciding: [1], charges: [{ limit: 1, amount: -3 }] },
  nan_budget: { effect: "allow", deciding: [1], charges: [{ limit: 1, amount: Number.NaN }] },
  trap: { effect: "allow" },
};
const NAMES = Object.keys(SCENARIOS);
const SELECTOR: Slot = { kind: "sym", path: ["args", "service"], offset: 0, dictionary: NAMES };
const manifest = testManifest({ rules: RULES, limits: LIMITS, slots: { "deploy.service": [SELECTOR] } });
const deployId = manifest.actions.findIndex((a) => a.name === "deploy.service");
const policy = engine(manifest, {
  selectors: NAMES.length,
  results: (action, selector, human) => {
    const name = NAMES[selector];
    if (action !== deployId || name === undefined) return { effect: "deny", blockedBy: "agent" };
    if (name === "trap") return "trap";
    const scenario = SCENARIOS[name]!;
    return typeof scenario === "function" ? scenario(human) : scenario;
  },
});
const deploy = (service: string, parts: Record<string, unknown> = {}) => request("deploy.service", { service }, parts);

describe("finishing: deny", () => {
  it("rules decide: reasons are `because` texts or generated, audit the highest, blockedBy set, nothing to charge", () => {
    expect(policy.decide(deploy("deny_rules"))).toEqual({
      effect: "deny",
      rules: [
        { kind: "rule", id: "d", file: "policy.agp", line: 5 },
        { kind: "rule", id: "e", file: "policy.agp", line: 6 },
      ],
      reasons: ["humans merge", "denied by rule `e`"],
      obligations: {},
      limits: [],
      audit: "security",
      policy: { hash: "sha256:test", version: "1.0.0" },
      blockedBy: "agent",
    });
  });

  it("both sides deny: the agent side's rules first, whatever their source order", () => {
    const decision = policy.decide(deploy("deny_both", { human: ALICE }));
    expect(decision.rules.map((r) => r.id)).toEqual(["d", "h0"]);
    expect(decision.reasons).toEqual(["humans merge", "alice may not"]);
    expect(policy.decide(deploy("deny_human_only", { human: ALICE }))).toMatchObject({ blockedBy: "human", reasons: ["alice may not"] });
  });

  it("a default deny names the side that had no rule", () => {
    expect(policy.decide(deploy("default_agent"))).toMatchObject({ effect: "deny", rules: [], reasons: ["no rule allows `deploy.service`"], audit: "info", blockedBy: "agent" });
    const human = { human: { id: "alice", groups: [], roles: [] } };
    expect(policy.decide(deploy("default_human", human)).reasons).toEqual(["no `for human` rule allows `deploy.service`"]);
    expect(policy.decide(deploy("default_human", human)).error).toBeUndefined();
    // Blocked by the human side without a human: only `delegation human_only` does that (ADR 0040).
    expect(policy.decide(deploy("default_human")).reasons).toEqual([
      "the request names no human, and under `delegation human_only` only rules `for human` allow `deploy.service`",
    ]);
  });
});

describe("finishing: obligations and approvals", () => {
  it("obligations merge: the smallest number, true wins, null sets nothing; keys sorted", () => {
    const decision = policy.decide(deploy("allow_merge"));
    expect(decision.effect).toBe("allow");
    expect(decision.obligations).toEqual({ dry_run: true, max_runtime_seconds: 30, region: "eu" });
    expect(Object.keys(decision.obligations)).toEqual(["dry_run", "max_runtime_seconds", "region"]);
    expect(decision.blockedBy).toBeUndefined();
    expect(decision.approval).toBeUndefined();
  });

  it("two different strings for one obligation are a fail-closed deny", () => {
    expect(policy.decide(deploy("conflict"))).toMatchObject({
      effect: "deny",
      rules: [],
      audit: "notice",
      error: {
        code: "obligation_conflict",
        message: 'rules `a` and `c` set the obligation `region` to "eu" and "us", which cannot be merged',
        path: "",
      },
    });
  });

  it("approve: quorums merged per group set (largest count), sorted; obligations of allow and approve rules", () => {
    const decision = policy.decide(deploy("approve"));
    expect(decision).toMatchObject({
      effect: "approve",
      rules: [{ id: "f" }, { id: "g" }],
      reasons: ["approval required by rule `f`", "approval required by rule `g`"],
      audit: "notice",
      blockedBy: "agent",
      obligations: { dry_run: true, max_runtime_seconds: 30 },
    });
    expect(decision.approval).toEqual({ quorums: [{ count: 1, groups: ["security", "sre"] }, { count: 2, groups: ["sre"] }] });
    expect(policy.decide(deploy("approve_any")).approval).toEqual({ quorums: [{ count: 1, groups: [] }] });
  });

  it("the requirement is merged once (ADR 0045): the same frozen object each time, serialised as before", () => {
    const first = policy.decide(deploy("approve"));
    const again = policy.decide(deploy("approve"));
    expect(again.approval).toBe(first.approval);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    // What the merge gave per call before: the same text, key order included.
    expect(JSON.stringify(first.approval)).toBe('{"quorums":[{"count":1,"groups":["security","sre"]},{"count":2,"groups":["sre"]}]}');
    expect(Object.isFrozen(first.approval) && Object.isFrozen(first.approval!.quorums) && first.approval!.quorums.every((q) => Object.isFrozen(q) && Object.isFrozen(q.groups))).toBe(true);
    expect(() => (first.approval!.quorums as Quorum[]).push({ count: 9, groups: [] })).toThrow(TypeError);
    expect(policy.decide(deploy("approve")).approval!.quorums).toHaveLength(2);
  });

  it("approvals meeting every quorum allow; the agent and its human never count; duplicates count once", () => {
    const sre = (id: string) => ({ id, groups: ["sre"] });
    const both = (id: string) => ({ id, groups: ["sre", "security"] });
    expect(policy.decide(deploy("approve"), { approvals: [sre("bob")] }).effect).toBe("approve");
    expect(policy.decide(deploy("approve"), { approvals: [sre("bob"), sre("bob")] }).effect).toBe("approve");
    // 2 of "sre" and 1 of "sre" or "security": three people, since one approver counts towards one quorum (ADR 0030).
    expect(policy.decide(deploy("approve"), { approvals: [sre("bob"), both("sam")] }).effect).toBe("approve");
    const allowed = policy.decide(deploy("approve"), { approvals: [sre("bob"), both("sam"), { id: "tom", groups: ["security"] }] });
    expect(allowed).toMatchObject({ effect: "allow", rules: [{ id: "f" }, { id: "g" }], reasons: ["approval required by rule `f`", "approval required by rule `g`"] });
    expect(allowed.approval).toBeUndefined();
    expect(allowed.blockedBy).toBeUndefined();
    expect(policy.decide(deploy("approve", { human: ALICE }), { approvals: [sre("bob"), both("alice"), both("tom")] }).effect).toBe("approve");
    expect(policy.decide(deploy("approve"), { approvals: [sre("bob"), both("ci-fixer"), both("tom")] }).effect).toBe("approve");
    expect(policy.decide(deploy("approve_any"), { approvals: [{ id: "zoe", groups: [] }] }).effect).toBe("allow");
  });
});

describe("finishing: limits", () => {
  it("charges: amounts from the module, keys from the request (agent → agent.id, a missing human → null), sorted by id", () => {
    expect(policy.decide(deploy("charges")).limits).toEqual([
      { id: "capped", kind: "rate", amount: 1, key: [], cap: 2, window: { count: 1, unit: "hour" } },
      { id: "daily_spend", kind: "budget", amount: 12.5, key: ["ci-fixer"], cap: 500, window: { count: 1, unit: "day" } },
      { id: "deploy_rate", kind: "rate", amount: 1, key: ["charges"], cap: 5, window: { count: 1, unit: "hour" } },
      { id: "human_deploys", kind: "rate", amount: 1, key: [null, "production"], cap: 20, window: { count: 10, unit: "minute" } },
    ]);
    expect(policy.decide(deploy("charges", { human: ALICE, env: "staging" })).limits[3]!.key).toEqual(["alice", "staging"]);
  });

  it("a budget amount that is not a number at least 0 is an evaluation error naming the limit", () => {
    expect(policy.decide(deploy("bad_budget")).error).toEqual({
      code: "evaluation_error",
      message: "cannot evaluate the cost of limit `daily_spend` (policy.agp:1): the cost must be a number at least 0, got the number -3",
      path: "",
    });
    expect(policy.decide(deploy("nan_budget")).error?.message).toMatch(/got the number NaN$/);
  });

  it("counters: a charge past the cap denies with the limit as deciding, audit notice, no blockedBy", () => {
    expect(policy.decide(deploy("charges"), { counters: { deploy_rate: 4 } }).effect).toBe("allow");
    const decision = policy.decide(deploy("charges"), { counters: { deploy_rate: 5, daily_spend: 490 } });
    expect(decision).toEqual({
      effect: "deny",
      rules: [
        { kind: "limit", id: "daily_spend", file: "policy.agp", line: 1 },
        { kind: "limit", id: "deploy_rate", file: "policy.agp", line: 1 },
      ],
      reasons: ["limit `daily_spend` reached: budget 500 usd per day", "limit `deploy_rate` reached: 5 per hour"],
      obligations: {},
      limits: [],
      audit: "notice",
      policy: { hash: "sha256:test", version: "1.0.0" },
    });
    expect(policy.decide(deploy("charges"), { counters: { human_deploys: 20 } }).reasons).toEqual(["limit `human_deploys` reached: 20 per 10 minutes"]);
  });

  it("counters: `otherwise approve` parks the request for the limit's quorum, after the rules", () => {
    const decision = policy.decide(deploy("charges"), { counters: { capped: 2 } });
    expect(decision).toMatchObject({
      effect: "approve",
      rules: [{ kind: "rule", id: "a" }, { kind: "limit", id: "capped" }],
      reasons: ["allowed by rule `a`", "deploy burst"],
      approval: { quorums: [{ count: 1, groups: ["sre"] }] },
      obligations: { dry_run: false, max_runtime_seconds: 60, region: "eu" },
    });
    expect(decision.blockedBy).toBeUndefined();
    expect(decision.limits.map((l) => l.id)).toContain("capped");
    expect(policy.decide(deploy("charges"), { counters: { capped: 2 }, approvals: [{ id: "bob", groups: ["sre"] }] }).effect).toBe("allow");
  });
});

describe("runtime state", () => {
  it("kill switches deny before the module runs: global, the agent's id, the action's family", () => {
    // The `trap` scenario would trap the module: a kill switch never reaches it.
    const d = policy.decide(deploy("trap"), { killed: ["global"] });
    expect(d).toEqual({
      effect: "deny",
      rules: [],
      reasons: ["kill switch `global` is engaged"],
      obligations: {},
      limits: [],
      audit: "notice",
      policy: { hash: "sha256:test", version: "1.0.0" },
    });
    expect(policy.decide(deploy("trap"), { killed: ["deploy", "ci-fixer"] }).reasons).toEqual(["kill switch `ci-fixer` is engaged"]);
    expect(policy.decide(deploy("trap"), { killed: ["deploy"] }).reasons).toEqual(["kill switch `deploy` is engaged"]);
    expect(policy.decide(deploy("allow_merge"), { killed: ["aws", "someone-else"] }).effect).toBe("allow");
  });

  it("state.trust is validated like agent.trust", () => {
    expect(policy.decide(deploy("allow_merge"), { trust: 9 }).error).toEqual({
      code: "out_of_range",
      message: "`state.trust` must be at most 4, got 9",
      path: "state.trust",
    });
    expect(policy.decide(deploy("allow_merge"), { trust: 1.5 }).error?.message).toBe("`state.trust` must be an integer, got the number 1.5");
    expect(policy.decide(deploy("allow_merge"), { trust: 3 }).effect).toBe("allow");
  });

  it("a malformed state fails closed, before the request is looked at", () => {
    const bad = (state: unknown, req: unknown = deploy("allow_merge")) => policy.decide(req, state as never).error;
    expect(bad({ trust: "high" })?.message).toBe('`state.trust` must be a number, got the string "high"');
    expect(bad({ counters: { deploy_rate: -1 } })?.message).toBe("`state.counters.deploy_rate` must be a number at least 0, got the number -1");
    expect(bad({ counters: [] })?.message).toBe("`state.counters` must be an object, got an array");
    expect(bad({ approvals: [{ id: 1, groups: [] }] })?.path).toBe("state.approvals[0].id");
    expect(bad({ approvals: [{ id: "x", groups: [1] }] })?.message).toBe("`state.approvals[0].groups` must be an array of strings, got an array");
    expect(bad({ killed: "global" })?.message).toBe('`state.killed` must be an array of kill switches (strings or { env, action }), got the string "global"');
    expect(bad({ kill: ["global"] })).toEqual({ code: "unknown_field", message: "unknown field `state.kill`", path: "state.kill" });
    expect(bad({ kill: undefined })?.code).toBe("unknown_field");
    expect(bad(42)?.message).toBe("`state` must be an object, got the number 42");
    expect(bad({ trust: "high" }, null)?.path).toBe("state.trust");
  });
});

function limit(id: string, kind: ManifestLimit["kind"], cap: number, more: Partial<ManifestLimit> = {}): ManifestLimit {
  return { id, file: "policy.agp", line: 1, kind, cap, window: { count: 1, unit: "day" }, keys: [], otherwise: { kind: "deny" }, ...more };
}
