/**
 * The cost bound of one action: the worst-case abstract steps of one
 * decision (ADR 0007, ADR 0033): always-evaluated rules, plus per index its
 * probe and the most residual work one request can select (./index-cost.ts),
 * plus limits. A step is one slot test; byte-wise tests and DFA runs count
 * one step per byte of the string's bound (`maxLength` × 4 UTF-8 bytes),
 * string views a pass (two for `normpath`) over theirs, quantifiers their
 * body per item (`maxItems`), hashed number sets their probe bound. An index
 * entry whose residual is `true` costs no step: it names a rule that
 * matches, and writing the rules a decision reports is the size of the
 * answer, not a search (ADR 0033, "What the bound counts").
 *
 * In: an action's sides, limits and reads. Out: a number. Must not depend
 * on rules of other actions, and must not recurse deeper than the
 * expressions it is given (lowering keeps them shallow: ./expr.ts).
 */
import type { IrActionSession, IrExpr, IrIndex, IrKeyPart, IrLimitUse, IrRead, IrSide, IrStr } from "../ir/index.js";
import { TARGET_MAX_PROBE } from "./hash-set.js";
import { indexWork } from "./index-cost.js";

/** Worst-case steps of one decision for an action. */
export function actionCost(
  sides: readonly IrSide[],
  limits: readonly IrLimitUse[],
  reads: readonly IrRead[],
  session?: IrActionSession,
  monitorScan: (monitor: number) => number = () => 1,
): number {
  scan = monitorScan;
  let total = 8; // dispatch, combining table, result header
  for (const side of sides) {
    for (const use of side.unindexed) total += 1 + exprCost(use.condition, reads);
    for (const index of side.indexes) total += indexCost(index, reads);
  }
  for (const limit of limits) total += 2 + exprCost(limit.condition, reads);
  if (session !== undefined) total += sessionCost(session, reads);
  return total;
}

/**
 * The session's part of a decision and of recording it: overflow checks,
 * and per watch its condition, its key's hashing (per item for an array,
 * with the pairwise test for repeated items) and a scan of the monitor's
 * entries. Entries are bounded by capacity, so the bound does not grow with
 * the session. Queries are counted where they stand (`exprCost`).
 */
function sessionCost(session: IrActionSession, reads: readonly IrRead[]): number {
  let total = 4 + session.checks.length * 2;
  for (const watch of [...session.record, ...session.outcome]) {
    const items = itemsOf(watch.keys, reads);
    total += 2 + exprCost(watch.condition, reads) + items * (keyCost(watch.keys, reads) + items + scan(watch.monitor)) + 4;
  }
  return total;
}

/** Steps of walking one monitor: its entries (capacity), its ring or its buckets. Set per action by `actionCost`. */
let scan: (monitor: number) => number = () => 1;

function itemsOf(keys: readonly IrKeyPart[] | undefined, reads: readonly IrRead[]): number {
  const item = keys?.find((k) => k.from === "item");
  return item === undefined || item.from !== "item" ? 1 : Math.max(1, reads[item.array]?.maxItems ?? 1);
}

/** Hashing a key: its bytes (SipHash costs about one step per 8 bytes, plus finalization). */
function keyCost(keys: readonly IrKeyPart[] | undefined, reads: readonly IrRead[]): number {
  if (keys === undefined || keys.length === 0) return 0;
  const bytes = keys.reduce((n, k) => n + 1 + (k.kind === "str" ? 4 + (reads[k.from === "slot" ? k.ref.slot : k.item]?.maxBytes ?? 0) : k.kind === "num" ? 8 : 1), 0);
  return 4 + Math.ceil(bytes / 8);
}

/** Probe plus candidates of one index. */
export function indexCost(index: IrIndex, reads: readonly IrRead[]): number {
  const weights = index.entries.map((e) => (e.residual.op === "const" && e.residual.value ? 0 : 1 + exprCost(e.residual, reads)));
  const maxBytes = reads[index.slot]?.maxBytes ?? 0;
  const bounds = index.array === undefined ? { maxBytes } : { maxBytes, maxItems: reads[index.array]?.maxItems ?? 0 };
  const work = indexWork(index.kind, index.entries.map((e) => e.key), weights, bounds);
  return work.probe + work.candidates;
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
    case "session": {
      // Unkeyed reads are a load or a ring / bucket walk; keyed ones hash the key and scan the entries (charged by the monitor's bound at codegen).
      const key = "key" in e.query ? keyCost(e.query.key, reads) : 0;
      return 2 + key + scan(e.monitor);
    }
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
