/**
 * Indexing: rules keyed on one sym slot (or on prefixes of one str slot)
 * form an index whose buckets hold exactly the rules a key value can make
 * true, with the key test removed from the indexed copy; rules without a
 * shared key stay always-evaluated.
 */
import { describe, expect, it } from "vitest";
import type { IrExpr, IrRuleUse } from "../../compiler/ir/index.js";
import { indexSide } from "../../compiler/lower/indexing.js";

const sym = (slot: number, ids: number[]): IrExpr => ({ op: "symIn", line: 1, ref: { slot, binding: 0 }, ids });
const other: IrExpr = { op: "num", line: 1, cmp: "<", left: { kind: "slot", ref: { slot: 9, binding: 0 } }, right: { kind: "const", value: 5 } };
const and = (left: IrExpr, right: IrExpr): IrExpr => ({ op: "and", line: 1, left, right });
const use = (rule: number, condition: IrExpr): IrRuleUse => ({ rule, effect: "allow", line: rule, condition });
const prefix = (text: string): IrExpr => ({ op: "str", line: 1, test: "startsWith", left: { kind: "slot", ref: { slot: 3, binding: 0 } }, right: { kind: "const", value: text } });

describe("indexSide", () => {
  it("buckets rules by dictionary id and strips the key test", () => {
    const side = indexSide([use(0, and(sym(1, [0]), other)), use(1, sym(1, [1, 2])), use(2, other), use(3, sym(2, [0]))]);
    expect(side.unindexed.map((u) => u.rule)).toEqual([2, 3]);
    expect(side.indexes).toHaveLength(1);
    const index = side.indexes[0]!;
    expect(index).toMatchObject({ kind: "sym", slot: 1 });
    expect(index.buckets).toEqual([{ id: 0, rules: [0] }, { id: 1, rules: [1] }, { id: 2, rules: [1] }]);
    expect(index.rules[0]!.condition).toEqual(other);
    expect(index.rules[1]!.condition).toEqual({ op: "const", line: 1, value: true });
  });

  it("buckets startsWith rules by prefix", () => {
    const side = indexSide([use(0, prefix("/a/")), use(1, and(other, prefix("/b/"))), use(2, prefix("/a/"))]);
    expect(side.unindexed).toEqual([]);
    expect(side.indexes[0]).toMatchObject({ kind: "prefix", slot: 3 });
    expect(side.indexes[0]!.buckets).toEqual([{ prefix: "/a/", rules: [0, 2] }, { prefix: "/b/", rules: [1] }]);
    expect(side.indexes[0]!.rules[1]!.condition).toEqual(other);
  });

  it("does not index a key inside `or` or `not`", () => {
    const side = indexSide([use(0, { op: "or", line: 1, left: sym(1, [0]), right: other }), use(1, { op: "not", line: 1, operand: sym(1, [0]) })]);
    expect(side.indexes).toEqual([]);
    expect(side.unindexed).toHaveLength(2);
  });
});
