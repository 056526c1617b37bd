/**
 * Indexing (ADR 0033): which rules join which index, with which key and
 * residual. A rule's entries must cover every way its condition holds
 * (disjunctions: one entry per disjunct), the key test leaves the residual,
 * the most selective field is chosen, ranges on one slot merge into one
 * interval, `any` over a request array indexes per item, globs give their
 * most selective literal, and a group that does not beat evaluating its
 * rules directly is not formed.
 */
import { describe, expect, it } from "vitest";
import type { IrExpr, IrRead, IrRuleUse } from "../../compiler/ir/index.js";
import { globLiteral, indexOptions } from "../../compiler/lower/index-keys.js";
import { indexSide } from "../../compiler/lower/indexing.js";

const read = (kind: IrRead["kind"], extra: Partial<IrRead> = {}): IrRead => ({ kind, path: ["x"], parent: -1, offset: 0, ...extra });
/** Slots: 0 sym (100 ids), 1 sym, 2 num, 3 str ≤ 64 bytes, 4 array of 5 items ≤ 8, 5 str item of 4, 6 sym item of 4, 7 num. */
const reads: IrRead[] = [
  read("sym", { dictionarySize: 100 }),
  read("sym", { dictionarySize: 100 }),
  read("num"),
  read("str", { maxBytes: 64 }),
  read("array", { maxItems: 8, itemsOffset: 16, stride: 8 }),
  read("str", { parent: 4, maxBytes: 64 }),
  read("sym", { parent: 4, dictionarySize: 100 }),
  read("num"),
];
const context = { reads, globPattern: (g: number) => ["*-critical-*", "a*b", "report-*", "*.log"][g]! };

const sym = (slot: number, ids: number[], binding = 0): IrExpr => ({ op: "symIn", line: 1, ref: { slot, binding }, ids });
const num = (cmp: "==" | "<" | "<=" | ">" | ">=", slot: number, value: number): IrExpr => ({ op: "num", line: 1, cmp, left: { kind: "slot", ref: { slot, binding: 0 } }, right: { kind: "const", value } });
const str = (test: "startsWith" | "endsWith" | "contains", slot: number, text: string, binding = 0): IrExpr => ({ op: "str", line: 1, test, left: { kind: "slot", ref: { slot, binding } }, right: { kind: "const", value: text } });
const glob = (slot: number, g: number): IrExpr => ({ op: "glob", line: 1, operand: { kind: "slot", ref: { slot, binding: 0 } }, glob: g });
const and = (left: IrExpr, right: IrExpr): IrExpr => ({ op: "and", line: 1, left, right });
const or = (left: IrExpr, right: IrExpr): IrExpr => ({ op: "or", line: 1, left, right });
const not = (operand: IrExpr): IrExpr => ({ op: "not", line: 1, operand });
const any = (body: IrExpr): IrExpr => ({ op: "quantifier", line: 1, quantifier: "any", array: { slot: 4, binding: 0 }, depth: 1, body });
const TRUE: IrExpr = { op: "const", line: 0, value: true };
const use = (rule: number, condition: IrExpr): IrRuleUse => ({ rule, effect: "allow", line: rule, condition });
const many = (n: number, condition: (i: number) => IrExpr): IrRuleUse[] => Array.from({ length: n }, (_, i) => use(i, condition(i)));

describe("indexSide", () => {
  it("buckets rules by dictionary id and strips the key test", () => {
    const side = indexSide([use(0, and(sym(1, [0]), num("<", 2, 5))), use(1, sym(1, [1, 2])), use(2, num("<", 2, 5)), use(3, sym(0, [0]))], context);
    expect(side.unindexed.map((u) => u.rule)).toEqual([2, 3]);
    expect(side.indexed.map((u) => u.rule)).toEqual([0, 1]);
    expect(side.indexes).toEqual([
      {
        kind: "sym",
        slot: 1,
        entries: [
          { rule: 0, key: { ids: [0] }, residual: num("<", 2, 5) },
          { rule: 1, key: { ids: [1, 2] }, residual: TRUE },
        ],
      },
    ]);
  });

  it("gives a disjunction one entry per disjunct, across slots, and merges key sets with the same residual", () => {
    const rules = many(6, (i) => or(sym(0, [i]), sym(1, [i])));
    rules.push(use(6, or(sym(0, [7]), sym(0, [8]))));
    const side = indexSide(rules, context);
    expect(side.unindexed).toEqual([]);
    expect(side.indexes.map((x) => [x.kind, x.slot, x.entries.length])).toEqual([
      ["sym", 0, 7],
      ["sym", 1, 6],
    ]);
    expect(side.indexes[0]!.entries.at(-1)).toEqual({ rule: 6, key: { ids: [7, 8] }, residual: TRUE });
  });

  it("does not index a rule one of whose ways to hold has no key", () => {
    const side = indexSide([...many(4, (i) => sym(0, [i])), use(4, or(sym(0, [9]), not(sym(1, [2])))), use(5, not(sym(0, [1])))], context);
    expect(side.unindexed.map((u) => u.rule)).toEqual([4, 5]);
  });

  it("indexes on the most selective field and checks the rest", () => {
    // Every rule names env (slot 1, 2 values) and a distinct key (slot 0): the key wins.
    const side = indexSide(many(20, (i) => and(sym(1, [i % 2]), sym(0, [i]))), context);
    expect(side.indexes.map((x) => x.slot)).toEqual([0]);
    expect(side.indexes[0]!.entries[3]).toEqual({ rule: 3, key: { ids: [3] }, residual: sym(1, [1]) });
  });

  it("merges the bounds on one number into one interval", () => {
    const side = indexSide(many(5, (i) => and(num(">=", 2, 10 * i), and(sym(1, [0]), num("<", 2, 10 * i + 10)))), context);
    const range = side.indexes.find((x) => x.kind === "range")!;
    expect(range.entries[2]).toEqual({ rule: 2, key: { lo: 20, loOpen: false, hi: 30, hiOpen: true }, residual: sym(1, [0]) });
  });

  it("hashes numbers compared for equality", () => {
    const side = indexSide(many(5, (i) => num("==", 2, i)), context);
    expect(side.indexes[0]).toMatchObject({ kind: "num", slot: 2 });
    expect(side.indexes[0]!.entries[4]).toEqual({ rule: 4, key: { values: [4] }, residual: TRUE });
  });

  it("indexes `any` over a request array per item, and a request key inside the body at the top", () => {
    const perItem = indexSide(many(4, (i) => any(str("startsWith", 5, `p-${i}`, 1))), context);
    expect(perItem.indexes[0]).toMatchObject({ kind: "prefix", slot: 5, array: 4 });
    const outer = indexSide(many(4, (i) => any(and(sym(0, [i]), sym(6, [0], 1)))), context);
    const top = outer.indexes.find((x) => x.array === undefined)!;
    expect(top.kind).toBe("sym");
    expect(top.entries[0]!.residual).toEqual(any(sym(6, [0], 1)));
  });

  it("keys globs on their most selective literal, with the glob as residual unless it means no more", () => {
    const side = indexSide([...many(40, () => glob(3, 0)), ...many(4, () => glob(3, 2))], context);
    expect(side.indexes.map((x) => [x.kind, x.entries[0]!.key, x.entries[0]!.residual.op])).toEqual([
      ["infix", { text: "-critical-" }, "const"],
      ["prefix", { text: "report-" }, "const"],
    ]);
    expect(indexOptions(glob(3, 1), context.globPattern)).toEqual([[{ key: { kind: "prefix", slot: 3, key: { text: "a" } }, residual: glob(3, 1) }]]);
  });

  it("leaves a lone rule, or an automaton that costs more than its rules, unindexed", () => {
    expect(indexSide([use(0, sym(0, [1]))], context).indexes).toEqual([]);
    // Two `contains` over 64 bytes: two DFA runs are cheaper than an automaton run.
    expect(indexSide(many(2, (i) => str("contains", 3, `w${i}`)), context).indexes).toEqual([]);
    expect(indexSide(many(40, (i) => str("contains", 3, `w${i}`)), context).indexes.map((x) => x.kind)).toEqual(["infix"]);
  });
});

describe("globLiteral", () => {
  it("finds the leading, trailing or longest literal run and says when the glob is exactly it", () => {
    expect(globLiteral("report-*")).toEqual({ kind: "prefix", text: "report-", exact: true });
    expect(globLiteral("*.log")).toEqual({ kind: "suffix", text: ".log", exact: true });
    expect(globLiteral("*/m-1/*")).toEqual({ kind: "infix", text: "/m-1/", exact: true });
    expect(globLiteral("*/m-1/*.log")).toEqual({ kind: "infix", text: "/m-1/", exact: false });
    expect(globLiteral("abc")).toEqual({ kind: "prefix", text: "abc", exact: false });
    expect(globLiteral("a?c*d")).toEqual({ kind: "prefix", text: "a", exact: false });
    expect(globLiteral("*")).toBeUndefined();
    expect(globLiteral("[ab]*")).toBeUndefined();
    expect(globLiteral("\\**")).toEqual({ kind: "prefix", text: "*", exact: true });
  });
});
