/**
 * Parse tests for policy statements: package, actions, delegation, let,
 * rule (every clause), limit (every form), and the AST invariants.
 */
import { describe, expect, it } from "vitest";
import type { LimitDecl, RuleDecl } from "../../compiler/syntax/index.js";
import { only, statementsOf } from "./helpers.js";

const word = (value: string) => ({ kind: "Word", value });
const id = (name: string) => ({ kind: "Identifier", name });
const str = (value: string) => ({ kind: "String", value });
const num = (value: number) => ({ kind: "Number", value });
const path = (root: string, ...fields: string[]) => ({ kind: "Path", root: id(root), fields: fields.map(id) });
const pattern = (segments: string[], wildcard = false) => ({ kind: "ActionPattern", segments, wildcard });

describe("package, actions, delegation", () => {
  it("parses the header statements", () => {
    expect(statementsOf('package platform.github\nactions "../schemas/github.json"\ndelegation agent_only\n')).toEqual([
      { kind: "Package", name: { kind: "DottedName", parts: ["platform", "github"] } },
      { kind: "Actions", path: str("../schemas/github.json") },
      { kind: "Delegation", mode: word("agent_only") },
    ]);
  });

  it("accepts every delegation mode", () => {
    for (const mode of ["both", "either", "agent_only", "human_only"]) {
      expect(only(`delegation ${mode}`)).toEqual({ kind: "Delegation", mode: word(mode) });
    }
  });
});

describe("let", () => {
  it("binds every literal kind", () => {
    expect(statementsOf('let a = "x\\n\\u0041\\""\nlet b = -1.5\nlet c = true\nlet d = false\nlet e = null\n')).toEqual([
      { kind: "Let", name: id("a"), value: str('x\nA"') },
      { kind: "Let", name: id("b"), value: num(-1.5) },
      { kind: "Let", name: id("c"), value: { kind: "Boolean", value: true } },
      { kind: "Let", name: id("d"), value: { kind: "Boolean", value: false } },
      { kind: "Let", name: id("e"), value: { kind: "Null" } },
    ]);
  });

  it("binds sets, with a trailing comma or empty", () => {
    expect(only('let s = {"a", "b",}')).toEqual({ kind: "Let", name: id("s"), value: { kind: "Set", elements: [str("a"), str("b")] } });
    expect(only("let s = {}")).toEqual({ kind: "Let", name: id("s"), value: { kind: "Set", elements: [] } });
  });

  it("accepts soft keywords and names with inner dashes as names", () => {
    expect(only("let rule = 1")).toMatchObject({ name: id("rule") });
    expect(only("let dry-run = true")).toMatchObject({ name: id("dry-run") });
  });
});

describe("rule", () => {
  it("parses every clause", () => {
    const rule = only(`
rule review_production:
  approve github.pull_request.open for human
  when args.repo in production_repos
  by 2 of group "sre" and 1 of groups "security", "platform"
  with max_runtime_seconds = 120, mode = "dry"
  because "production repositories need a human reviewer"
  audit notice
`);
    expect(rule).toEqual({
      kind: "Rule",
      id: id("review_production"),
      effect: word("approve"),
      patterns: [pattern(["github", "pull_request", "open"])],
      principal: word("human"),
      condition: { kind: "Compare", op: "in", left: path("args", "repo"), right: path("production_repos") },
      approval: {
        kind: "Approval",
        quorums: [
          { kind: "Quorum", count: num(2), groups: [str("sre")] },
          { kind: "Quorum", count: num(1), groups: [str("security"), str("platform")] },
        ],
      },
      obligations: [
        { kind: "Obligation", key: id("max_runtime_seconds"), value: num(120) },
        { kind: "Obligation", key: id("mode"), value: str("dry") },
      ],
      reason: str("production repositories need a human reviewer"),
      audit: word("notice"),
    });
  });

  it("parses a minimal rule and a one-line rule", () => {
    expect(only("rule open_prs:\n  allow github.pull_request.open")).toEqual({
      kind: "Rule", id: id("open_prs"), effect: word("allow"), patterns: [pattern(["github", "pull_request", "open"])], obligations: [],
    });
    expect(only("rule read_anything: allow aws.* when action.readOnly")).toMatchObject({
      patterns: [pattern(["aws"], true)],
      condition: path("action", "readOnly"),
    });
  });

  it("accepts every effect, principal and audit level", () => {
    for (const effect of ["allow", "approve", "deny"]) expect(only(`rule r: ${effect} a.b`)).toMatchObject({ effect: word(effect) });
    for (const p of ["agent", "human"]) expect(only(`rule r: deny a.b for ${p}`)).toMatchObject({ principal: word(p) });
    for (const level of ["info", "notice", "security"]) expect(only(`rule r: deny a.b audit ${level}`)).toMatchObject({ audit: word(level) });
  });

  it("reads prefix patterns at any depth, and keywords after a dot as segments", () => {
    expect((only("rule r: allow github.pull_request.*") as RuleDecl).patterns).toEqual([pattern(["github", "pull_request"], true)]);
    expect((only("rule r: allow shell.in.rule") as RuleDecl).patterns).toEqual([pattern(["shell", "in", "rule"])]);
  });

  it("gives the same AST whatever the clause order, and for group/groups", () => {
    const a = only('rule r: approve a.b when x by 1 of group "g" because "why" audit security');
    const b = only('rule r: approve a.b audit security because "why" by 1 of groups "g" when x');
    expect(a).toEqual(b);
  });

  it("reads statements written on one line, as the grammar allows", () => {
    const statements = statementsOf("let a = 1 let b = 2 rule r: allow x.y when a == 1 rule s: deny x.z");
    expect(statements.map((s) => s.kind)).toEqual(["Let", "Let", "Rule", "Rule"]);
    expect(only("rule r: allow x.y when a == 1")).toEqual(statements[2]);
  });

  it("splits statements at keywords that start a line, not at soft keywords used as names", () => {
    const statements = statementsOf("rule a: allow x.y when context.rule\nrule b: deny x.z when args.test == rule\n");
    expect(statements).toHaveLength(2);
    expect((statements[1] as RuleDecl).condition).toEqual({ kind: "Compare", op: "==", left: path("args", "test"), right: path("rule") });
  });
});

describe("limit", () => {
  it("parses a rate limit with keys", () => {
    expect(only("limit deploy_rate: 5 per hour per args.service on deploy.*")).toEqual({
      kind: "Limit",
      id: id("deploy_rate"),
      measure: { kind: "Rate", count: num(5) },
      window: { kind: "Window", count: 1, unit: "hour" },
      keys: [path("args", "service")],
      patterns: [pattern(["deploy"], true)],
    });
  });

  it("parses a budget with a unit, several keys and every clause", () => {
    const limit = only(
      'limit daily_spend: budget 500 usd per day per agent, env on aws.* cost args.estimated_cost_usd when env == "prod" otherwise approve by 1 of group "finance" because "spend cap"',
    );
    expect(limit).toEqual({
      kind: "Limit",
      id: id("daily_spend"),
      measure: { kind: "Budget", amount: num(500), unit: id("usd"), cost: path("args", "estimated_cost_usd") },
      window: { kind: "Window", count: 1, unit: "day" },
      keys: [path("agent"), path("env")],
      patterns: [pattern(["aws"], true)],
      condition: { kind: "Compare", op: "==", left: path("env"), right: str("prod") },
      otherwise: { kind: "CapApprove", approval: { kind: "Approval", quorums: [{ kind: "Quorum", count: num(1), groups: [str("finance")] }] } },
      reason: str("spend cap"),
    });
  });

  it("reads window counts and plural units; `per 1 hour` and `per hour` are the same", () => {
    expect((only("limit l: 3 per 10 minutes on a.*") as LimitDecl).window).toEqual({ kind: "Window", count: 10, unit: "minute" });
    expect(only("limit l: 3 per 1 hour on a.*")).toEqual(only("limit l: 3 per hour on a.*"));
    for (const unit of ["second", "minute", "hour", "day", "week", "month"]) {
      expect((only(`limit l: 3 per 2 ${unit}s on a.*`) as LimitDecl).window.unit).toBe(unit);
    }
  });

  it("parses `otherwise deny` and a budget without a unit", () => {
    expect(only("limit l: budget 10 per day on a.* otherwise deny cost args.n")).toMatchObject({
      measure: { kind: "Budget", amount: num(10), cost: path("args", "n") },
      otherwise: { kind: "CapDeny" },
    });
  });
});
