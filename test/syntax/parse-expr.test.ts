/**
 * Parse tests for conditions: every operator, precedence (or < and < not <
 * comparison), greedy quantifier bodies, parentheses, soft and hard keywords.
 */
import { describe, expect, it } from "vitest";
import { condition, messages } from "./helpers.js";

describe("operators", () => {
  it("parses every comparison operator", () => {
    for (const op of ["==", "!=", "<", "<=", ">", ">=", "in", "startsWith", "endsWith", "contains", "matches"]) {
      expect(condition(`a ${op} b`)).toBe(`(${op} a b)`);
    }
    expect(condition("a not in b")).toBe("(not in a b)");
  });

  it("parses literals, sets, has and paths as operands", () => {
    expect(condition('args.x == "s"')).toBe('(== args.x "s")');
    expect(condition("args.n >= -0.5")).toBe("(>= args.n -0.5)");
    expect(condition("x == true or y == null or z != false")).toBe("(or (or (== x true) (== y null)) (!= z false))");
    expect(condition('env in {"dev", "staging",}')).toBe('(in env {"dev" "staging"})');
    expect(condition("has args.labels")).toBe("(has args.labels)");
  });

  it("reads quantifiers over fields and sets", () => {
    expect(condition('all p in args.paths: p startsWith "/w"')).toBe('(all p args.paths (startsWith p "/w"))');
    expect(condition("any g in {1, 2}: g == args.n")).toBe("(any g {1 2} (== g args.n))");
  });
});

describe("precedence", () => {
  it("binds and tighter than or, both left-associative", () => {
    expect(condition("a or b and c")).toBe("(or a (and b c))");
    expect(condition("a and b or c")).toBe("(or (and a b) c)");
    expect(condition("a or b or c")).toBe("(or (or a b) c)");
    expect(condition("a and b and c")).toBe("(and (and a b) c)");
  });

  it("binds not looser than comparisons and tighter than and", () => {
    expect(condition("not a == b")).toBe("(not (== a b))");
    expect(condition("not a and b")).toBe("(and (not a) b)");
    expect(condition("not not a")).toBe("(not (not a))");
    expect(condition("a == 1 and not b in c or d")).toBe("(or (and (== a 1) (not (in b c))) d)");
  });

  it("lets parentheses regroup, and leaves no trace of them", () => {
    expect(condition("(a or b) and c")).toBe("(and (or a b) c)");
    expect(condition("((a))")).toBe("a");
  });

  it("extends a quantifier body as far right as it can", () => {
    expect(condition("all p in xs: p == 1 and q or r")).toBe("(all p xs (or (and (== p 1) q) r))");
    expect(condition("(all p in xs: p == 1) and q")).toBe("(and (all p xs (== p 1)) q)");
    expect(condition("a and any p in xs: p")).toBe("(and a (any p xs p))");
  });
});

describe("keywords in conditions", () => {
  it("reads any word after a dot as a field name", () => {
    expect(condition("args.in == context.when")).toBe("(== args.in context.when)");
    expect(condition("args.all and args.rule and args.not")).toBe("(and (and args.all args.rule) args.not)");
  });

  it("accepts soft keywords as names", () => {
    expect(condition("rule == limit")).toBe("(== rule limit)");
    expect(condition("all test in args.tests: test")).toBe("(all test args.tests test)");
  });

  it("reads a clause word followed by a string, number or name as that clause, not as a name", () => {
    expect(condition("because == 1 and audit")).toBe("(and (== because 1) audit)");
    expect(messages('rule r: allow a.b when because "x"')).toEqual([
      "AGP123 1:24 expected a condition after `rule r: allow a.b when`, found `because`",
    ]);
  });

  it("never accepts a hard keyword as a name", () => {
    expect(messages("rule r: allow a.b when all in in xs: in")[0]).toBe(
      "AGP109 1:28 `in` is a reserved word and cannot be used as a variable name",
    );
  });

  it("reports chained comparisons and `=` as comparison", () => {
    expect(messages("rule r: allow a.b when a < b < c")).toEqual(["AGP130 1:30 comparisons do not chain"]);
    expect(messages("rule r: allow a.b when a = b")).toEqual(["AGP134 1:26 `=` does not compare values"]);
  });
});
