/**
 * The encoder degrades honestly: an expression kind it does not know (the
 * language grows while the analysis stays) or a value it cannot model
 * becomes an unconstrained variable and an `over` approximation — never a
 * crash, never a silent exact claim; caps on modelled items are `under`
 * approximations, after which an unsat answer proves nothing.
 */
import { describe, expect, it } from "vitest";
import { actionQuery } from "../../compiler/analyze/action-query.js";
import type { CheckedPolicySet, TypedExpr } from "../../compiler/check/index.js";
import { checked } from "./harness.js";

describe("encoding", () => {
  it("marks an unknown expression kind as approximate instead of failing", () => {
    const set = checked(`rule r:\n  allow demo.ticket.open\n  when args.draft\n`);
    const rule = set.checked.rules[0]!;
    const future = { ...rule.condition!, kind: "Future" } as unknown as TypedExpr;
    const mutated: CheckedPolicySet = { ...set.checked, rules: [{ ...rule, condition: future }] };
    const query = actionQuery([mutated], set.catalogs, "demo.ticket.open");
    expect(query.enc.approximations).toEqual([{ kind: "over", what: "an expression of kind `Future` is not encoded" }]);
    expect(query.enc.unsatIsProof).toBe(true);
  });

  it("marks more approvers than it models as an under-approximation", () => {
    const set = checked(`rule r:\n  approve demo.ticket.open\n  by 5 of group "a" and 5 of group "b"\n`);
    const query = actionQuery([set.checked], set.catalogs, "demo.ticket.open");
    expect(query.enc.approximations).toEqual([{ kind: "under", what: "at most 8 given approvers are considered" }]);
    expect(query.enc.unsatIsProof).toBe(false);
  });
});
