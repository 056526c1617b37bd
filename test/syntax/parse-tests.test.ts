/**
 * Parse tests for the test syntax: defaults, fixture, test with every clause
 * (request with a placeholder action, given clauses, expect with every
 * clause, where tables), test data (objects, arrays, `name with {…}`).
 */
import { describe, expect, it } from "vitest";
import type { FixtureDecl, TestDecl } from "../../compiler/syntax/index.js";
import { messages, only, statementsOf } from "./helpers.js";

const word = (value: string) => ({ kind: "Word", value });
const id = (name: string) => ({ kind: "Identifier", name });
const str = (value: string) => ({ kind: "String", value });
const num = (value: number) => ({ kind: "Number", value });
const name = (n: string) => ({ kind: "Name", name: n });
const ph = (n: string) => ({ kind: "Placeholder", name: n });
const obj = (entries: Record<string, unknown>) => ({
  kind: "Object",
  entries: Object.entries(entries).map(([key, value]) => ({ kind: "Entry", key, value })),
});

describe("defaults and fixtures", () => {
  it("parses a defaults block with every request part", () => {
    expect(
      only(`defaults:
  agent { id: "ci-fixer", groups: ["coding-bots"], trust: 2 }
  human null
  env "production"
  context { session: "s-1" }
  state { trust: 1 }
`),
    ).toEqual({
      kind: "Defaults",
      clauses: [
        { kind: "Given", part: word("agent"), value: obj({ id: str("ci-fixer"), groups: { kind: "Array", items: [str("coding-bots")] }, trust: num(2) }) },
        { kind: "Given", part: word("human"), value: { kind: "Null" } },
        { kind: "Given", part: word("env"), value: str("production") },
        { kind: "Given", part: word("context"), value: obj({ session: str("s-1") }) },
        { kind: "Given", part: word("state"), value: obj({ trust: num(1) }) },
      ],
    });
  });

  it("parses fixtures: objects with quoted keys and trailing commas, arrays, merges", () => {
    expect(only('fixture pr = { repo: "acme/payments", "the number": 7, tags: [1, "x", true, null,], }')).toEqual({
      kind: "Fixture",
      name: id("pr"),
      value: obj({
        repo: str("acme/payments"),
        "the number": num(7),
        tags: { kind: "Array", items: [num(1), str("x"), { kind: "Boolean", value: true }, { kind: "Null" }] },
      }),
    });
    expect((only("fixture pr2 = pr with { number: 8 }") as FixtureDecl).value).toEqual({
      kind: "Merge",
      base: name("pr"),
      overrides: obj({ number: num(8) }),
    });
    expect((only("fixture empty = { nested: {}, list: [] }") as FixtureDecl).value).toEqual(
      obj({ nested: { kind: "Object", entries: [] }, list: { kind: "Array", items: [] } }),
    );
  });
});

describe("test", () => {
  it("parses request, given clauses and an expect with every clause", () => {
    const test = only(`test "a deployer asks the bot":
  request deploy.service { service: "api" }
  human { id: "alice" }
  state { counters: { deploy_rate: 4 }, approvals: [{ id: "bob", groups: ["sre"] }] }
  expect approve from prod_needs_sres, other because "needs SRE" by 2 of group "sre" with max_runtime_seconds = 60, mode = base with { x: 1 } charge deploy_rate, daily_spend = 120 blocked by human
`) as TestDecl;
    expect(test.name).toEqual(str("a deployer asks the bot"));
    expect(test.request).toEqual({
      kind: "Request",
      action: { kind: "ActionName", segments: ["deploy", "service"] },
      args: obj({ service: str("api") }),
    });
    expect(test.given.map((g) => g.part.value)).toEqual(["human", "state"]);
    expect(test.expect).toEqual({
      kind: "Expect",
      effect: word("approve"),
      rules: [id("prod_needs_sres"), id("other")],
      reason: str("needs SRE"),
      obligations: [
        { kind: "ExpectedObligation", key: id("max_runtime_seconds"), value: num(60) },
        { kind: "ExpectedObligation", key: id("mode"), value: { kind: "Merge", base: name("base"), overrides: obj({ x: num(1) }) } },
      ],
      approval: { kind: "Approval", quorums: [{ kind: "Quorum", count: num(2), groups: [str("sre")] }] },
      charges: [
        { kind: "Charge", limit: id("deploy_rate") },
        { kind: "Charge", limit: id("daily_spend"), amount: num(120) },
      ],
      blockedBy: word("human"),
    });
  });

  it("parses a request naming a fixture, and one without arguments followed by clauses", () => {
    const [a, b] = statementsOf(`test "one":
  request github.pull_request.merge payments_pr
  expect deny from never_merge

test "two":
  request github.pull_request.merge
  agent { trust: 0 }
  expect deny
`) as TestDecl[];
    expect(a!.request!.args).toEqual(name("payments_pr"));
    expect(b!.request).toEqual({ kind: "Request", action: { kind: "ActionName", segments: ["github", "pull_request", "merge"] } });
    expect(b!.given).toHaveLength(1);
  });

  it("parses where tables and placeholders anywhere in the test", () => {
    const test = only(`test "table":
  request $action { account: $account }
  expect $effect from $rule because $reason
  where
    | action        | account     | effect | rule    | reason |
    | "aws.x"       | "sandbox-1" | allow  | sandbox | "ok"   |
`);
    expect(messages('test "t":\n  request a.b\n  expect allow\n  where\n    | a |\n    | 1 |\n')).toEqual([]);
    const t = test as TestDecl;
    expect(t.request!.action).toEqual(ph("action"));
    expect(t.expect!.effect).toEqual(ph("effect"));
    expect(t.expect!.rules).toEqual([ph("rule")]);
    expect(t.expect!.reason).toEqual(ph("reason"));
    expect(t.examples!.columns).toEqual(["action", "account", "effect", "rule", "reason"].map(id));
    expect(t.examples!.rows).toHaveLength(1);
    expect(t.examples!.rows[0]!.cells[1]).toEqual(str("sandbox-1"));
  });

  it("gives the same AST whatever the order of test and expect clauses", () => {
    const a = only('test "t":\n  request a.b\n  env "prod"\n  expect deny from r because "x"\n');
    const b = only('test "t":\n  env "prod"\n  expect deny because "x" from r\n  request a.b\n');
    expect(a).toEqual(b);
  });

  it("accepts keywords as object keys and fixture names where a name goes", () => {
    expect((only("fixture rule = { when: 1, test: rule }") as FixtureDecl).value).toEqual(obj({ when: num(1), test: name("rule") }));
  });
});
