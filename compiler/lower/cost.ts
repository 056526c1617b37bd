/**
 * The cost bound of one action: the worst-case abstract steps of one
 * decision (ADR 0007): always-evaluated rules, plus per index one lookup and
 * its largest bucket, plus limits. A step is one slot test; byte-wise tests
 * and DFA runs count one step per byte of the string's bound (`maxLength`
 * × 4 UTF-8 bytes), string views a pass (two for `normpath`) over theirs,
 * quantifiers their body per item (`maxItems`), hashed sets their probe bound.
 *
 * In: an action's sides, limits and reads. Out: a number. Must not depend
 * on rules of other actions.
 */
import type { IrExpr, IrIndex, IrLimitUse, IrRead, IrSide, IrStr } from "../ir/index.js";
import { TARGET_MAX_PROBE } from "./hash-set.js";

/** Worst-case steps of one decision for an action. */
export function actionCost(sides: readonly IrSide[], limits: readonly IrLimitUse[], reads: readonly IrRead[]): number {
  let total = 8; // dispatch, combining table, result header
  for (const side of sides) {
    for (const use of side.unindexed) total += 1 + exprCost(use.condition, reads);
    for (const index of side.indexes) total += indexCost(index, reads);
  }
  for (const limit of limits) total += 2 + exprCost(limit.condition, reads);
  return total;
}

function indexCost(index: IrIndex, reads: readonly IrRead[]): number {
  const bucketCosts = index.buckets.map((b) => b.rules.reduce((sum, position) => sum + 1 + exprCost(index.rules[position]!.condition, reads), 0));
  const largest = Math.max(0, ...bucketCosts);
  if (index.kind === "sym") return 2 + largest;
  const lengths = new Set(index.buckets.map((b) => new TextEncoder().encode(b.prefix).length));
  const hashing = [...lengths].reduce((sum, n) => sum + n + TARGET_MAX_PROBE, 0);
  return 2 + hashing + largest;
}

/** Steps of one evaluation of an expression. */
export function exprCost(e: IrExpr, reads: readonly IrRead[]): number {
  switch (e.op) {
    case "const":
      return 0;
    case "and":
    case "or":
      return 1 + exprCost(e.left, reads) + exprCost(e.right, reads);
    case "not":
      return 1 + exprCost(e.operand, reads);
    case "numIn":
      return 1 + TARGET_MAX_PROBE;
    case "str": {
      const n = strBytes(e.left, reads);
      const m = strBytes(e.right, reads);
      return 1 + viewCost(e.left, reads) + viewCost(e.right, reads) + (e.test === "contains" ? n * Math.max(1, m) : Math.min(n, m) || n);
    }
    case "strIn": {
      const n = strBytes(e.operand, reads);
      // Few values: one comparison each; many: one hash of the string and the probe bound.
      return 1 + viewCost(e.operand, reads) + (e.values.length <= 4 ? e.values.length * n : 2 * n + TARGET_MAX_PROBE);
    }
    case "under": {
      const n = strBytes(e.operand, reads);
      // The normalisation (the operand's view), then an equality and a prefix test per base.
      return 1 + viewCost(e.operand, reads) + e.bases.length * 2 * n;
    }
    case "glob":
      return 1 + viewCost(e.operand, reads) + strBytes(e.operand, reads);
    case "quantifier":
      return 2 + (reads[e.array.slot]?.maxItems ?? 0) * (2 + exprCost(e.body, reads));
    default:
      return 1;
  }
}

/** The most UTF-8 bytes a string operand takes. */
function strBytes(s: IrStr, reads: readonly IrRead[]): number {
  if (s.kind === "const") return new TextEncoder().encode(s.value).length;
  if (s.kind === "view") return s.maxBytes;
  return reads[s.ref.slot]?.maxBytes ?? 0;
}

/** Steps to compute a view (one pass over its operand's bytes, a second for `normpath`), nested views included. */
function viewCost(s: IrStr, reads: readonly IrRead[]): number {
  if (s.kind !== "view") return 0;
  return viewCost(s.operand, reads) + (s.view === "normpath" ? 2 : 1) * strBytes(s.operand, reads);
}
