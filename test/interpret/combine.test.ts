/**
 * How rules combine: deny > approve > allow > default deny; order never
 * matters; obligations, quorums, reasons, deciding rules and audit levels merge.
 */
import { describe, expect, it } from "vitest";
import { policy, request, shell, uncheckedPolicy } from "./harness.js";

const merge = request("github.pull_request.merge", { repo: "acme/payments", number: 7 });
const open = request("github.pull_request.open", { repo: "acme/payments" });

describe("combining effects", () => {
  it("without a matching rule: deny, no rule allows <action>", () => {
    const decision = policy(`rule r: allow github.pull_request.open`).decide(merge);
    expect(decision).toMatchObject({
      effect: "deny",
      rules: [],
      reasons: ["no rule allows `github.pull_request.merge`"],
      blockedBy: "agent",
    });
    expect(decision.error).toBeUndefined();
  });

  it("a rule whose condition is false does not match", () => {
    expect(policy(`rule r: allow github.* when env == "dev"`).decide(merge).effect).toBe("deny");
  });

  it("deny beats approve beats allow", () => {
    const rules = `
rule a: allow github.*
rule b: approve github.pull_request.* by 1 of group "reviewers"
rule c: deny github.pull_request.merge because "humans merge"
`;
    const p = policy(rules);
    expect(p.decide(merge)).toMatchObject({ effect: "deny", reasons: ["humans merge"], rules: [{ id: "c", line: 4 }] });
    expect(p.decide(open)).toMatchObject({ effect: "approve", rules: [{ id: "b" }], approval: { quorums: [{ count: 1, groups: ["reviewers"] }] } });
    expect(p.decide(request("github.issue.read", {}))).toMatchObject({ effect: "allow", rules: [{ id: "a" }] });
  });

  it("the order of rules and files never changes the decision", () => {
    const a = `rule x: allow github.* with max_pages = 5\nrule y: deny github.pull_request.merge when args.number > 5`;
    const b = `rule y: deny github.pull_request.merge when args.number > 5\nrule x: allow github.* with max_pages = 5`;
    for (const req of [merge, open]) {
      const one = policy(a).decide(req);
      const two = policy(b).decide(req);
      expect(two.effect).toBe(one.effect);
      expect(two.obligations).toEqual(one.obligations);
      expect(two.rules.map((r) => r.id)).toEqual(one.rules.map((r) => r.id));
    }
    const split = policy({ "b.agp": `rule x: allow github.*`, "a.agp": `rule w: allow github.*` }).decide(open);
    expect(split.rules.map((r) => `${r.file}:${r.id}`)).toEqual(["a.agp:w", "b.agp:x"]);
  });

  it("every matching rule of the deciding effect is reported, with its reason or a generated one", () => {
    const decision = policy(`
rule d1: deny github.pull_request.* when args.repo == "acme/payments" because "payments is frozen"
rule d2: deny github.pull_request.merge
rule a: allow github.*
`).decide(merge);
    expect(decision.rules).toEqual([
      { kind: "rule", id: "d1", file: "policy.agp", line: 2 },
      { kind: "rule", id: "d2", file: "policy.agp", line: 3 },
    ]);
    expect(decision.reasons).toEqual(["payments is frozen", "denied by rule `d2`"]);
    expect(decision.obligations).toEqual({});
    expect(decision.limits).toEqual([]);
  });

  it("patterns: exact names, prefix.* covers names under the prefix only", () => {
    const p = policy(`rule r: allow github.pull_request.*`);
    expect(p.decide(merge).effect).toBe("allow");
    expect(p.decide(request("github.issue.read", {})).effect).toBe("deny");
    // The checker refuses patterns that match no action; the interpreter still never widens them.
    expect(uncheckedPolicy(`rule r: allow github.pull_request`).decide(merge).effect).toBe("deny");
    expect(uncheckedPolicy(`rule r: allow git.*`).decide(merge).effect).toBe("deny");
  });
});

describe("merging obligations (strictest wins)", () => {
  it("numbers: the smallest; booleans: true wins", () => {
    const decision = policy(`
rule a: allow shell.exec with max_runtime_seconds = 120, dry_run = false
rule b: allow shell.* with max_runtime_seconds = 30, redact_output = true
rule c: allow shell.exec when env == "production" with dry_run = true
`).decide(shell());
    expect(decision.effect).toBe("allow");
    expect(decision.obligations).toEqual({ max_runtime_seconds: 30, dry_run: true, redact_output: true });
  });

  it("equal strings merge; different strings for one key deny as a conflict", () => {
    expect(policy(`rule a: allow shell.* with region = "eu"\nrule b: allow shell.* with region = "eu"`).decide(shell()).obligations).toEqual({
      region: "eu",
    });
    const decision = policy(`rule a: allow shell.* with region = "eu"\nrule b: allow shell.* with region = "us"`).decide(shell());
    expect(decision.effect).toBe("deny");
    expect(decision.error).toEqual({
      code: "obligation_conflict",
      message: 'rules `a` and `b` set the obligation `region` to "eu" and "us", which cannot be merged',
      path: "",
    });
  });

  it("an approve decision carries the obligations of matching allow and approve rules", () => {
    const decision = policy(`
rule a: allow shell.* with max_runtime_seconds = 60
rule b: approve shell.exec when env == "production" by 1 of group "sre" with max_runtime_seconds = 300, dry_run = true
`).decide(shell());
    expect(decision.effect).toBe("approve");
    expect(decision.obligations).toEqual({ max_runtime_seconds: 60, dry_run: true });
  });

  it("rules that do not match contribute nothing", () => {
    const decision = policy(`rule a: allow shell.*\nrule b: allow shell.* when env == "dev" with max_runtime_seconds = 1`).decide(shell());
    expect(decision.obligations).toEqual({});
  });
});

describe("merging approval requirements", () => {
  it("every quorum of every matching approve rule; the largest count per group set", () => {
    const decision = policy(`
rule a: approve deploy.* by 1 of group "sre"
rule b: approve deploy.service by 2 of group "sre" and 1 of group "security"
rule c: approve deploy.* by 1 of groups "security", "platform"
rule d: approve deploy.* when env == "dev" by 5 of group "sre"
`).decide(request("deploy.service", { service: "api" }));
    expect(decision.effect).toBe("approve");
    expect(decision.rules.map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(decision.approval).toEqual({
      quorums: [
        { count: 1, groups: ["platform", "security"] },
        { count: 1, groups: ["security"] },
        { count: 2, groups: ["sre"] },
      ],
    });
    expect(decision.blockedBy).toBe("agent");
  });

  it("an approve rule without `by` (refused by the checker, AGP225) asks for one approver from any group", () => {
    const decision = uncheckedPolicy(`rule a: approve deploy.*`).decide(request("deploy.service", { service: "api" }));
    expect(decision.approval).toEqual({ quorums: [{ count: 1, groups: [] }] });
    expect(decision.reasons).toEqual(["approval required by rule `a`"]);
  });

  it("allow and deny decisions carry no approval", () => {
    expect(policy(`rule a: allow deploy.*`).decide(request("deploy.service", { service: "api" })).approval).toBeUndefined();
  });
});

describe("audit level", () => {
  it("is the highest level among the deciding rules, info by default", () => {
    const p = policy(`
rule d1: deny shell.* when args.command matches "rm -rf /*" audit security
rule d2: deny shell.* when args.command contains "rm" audit notice
rule a: allow shell.*
`);
    expect(p.decide(shell({ command: "rm -rf /" })).audit).toBe("security");
    expect(p.decide(shell({ command: "rm x" })).audit).toBe("notice");
    expect(p.decide(shell()).audit).toBe("info");
  });
});

describe("the policy bundle", () => {
  it("every decision names the bundle's hash and version", () => {
    expect(policy(`rule a: allow shell.*`).decide(shell()).policy).toEqual({ hash: "sha256:test", version: "1.0.0" });
  });
});
