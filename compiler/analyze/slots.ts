/**
 * How many slots each array needs so that a query over at most that many
 * items is exact.
 *
 * In: the typed conditions, costs and keys one query reads. Out: slot
 * counts per array path key (`args.write_paths`, `args.items[].tags`),
 * which ./layout.ts adds to the array's `minItems` (capped by `maxItems`).
 * Must not encode anything.
 *
 * Why this is enough: every test of an array is a search (`in`,
 * `contains`, `any`) or its dual (`not in`, `all`); a search that holds
 * needs one witness item and a dual that fails needs one counterexample, so
 * if some array makes a formula true, the items that are witnesses (one per
 * occurrence, times the items of every enclosing quantifier) plus `minItems`
 * others make it true too; the rest can be dropped.
 */
import type { Type, TypedExpr } from "../check/index.js";

/** Bound used for an enclosing array without `maxItems` (the checker refuses to quantify over one). */
const UNBOUNDED_OUTER = 8;

/** Counts searches per array path key over every expression of a query. */
export function slotCounts(expressions: readonly (TypedExpr | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const expr of expressions) if (expr !== undefined) walk(expr, new Map(), 1, counts);
  return counts;
}

function walk(expr: TypedExpr, variables: ReadonlyMap<string, string | undefined>, weight: number, counts: Map<string, number>): void {
  const bump = (collection: TypedExpr): void => {
    const key = keyOf(collection, variables);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + weight);
  };
  switch (expr.kind) {
    case "Logical":
      walk(expr.left, variables, weight, counts);
      walk(expr.right, variables, weight, counts);
      return;
    case "Not":
      walk(expr.operand, variables, weight, counts);
      return;
    case "Compare":
      if (expr.op === "in" || expr.op === "not in") bump(expr.right);
      if (expr.op === "contains") bump(expr.left);
      walk(expr.left, variables, weight, counts);
      walk(expr.right, variables, weight, counts);
      return;
    case "Quantified": {
      bump(expr.collection);
      const key = keyOf(expr.collection, variables);
      const inner = new Map(variables);
      inner.set(expr.variable, key === undefined ? undefined : `${key}[]`);
      walk(expr.body, inner, weight * sizeBound(expr.collection.type), counts);
      return;
    }
    case "Call": {
      // A named condition's body reads through its parameters: an array argument is searched there.
      for (const arg of expr.args) walk(arg, variables, weight, counts);
      const inner = new Map<string, string | undefined>();
      expr.params.forEach((param, i) => inner.set(param, keyOf(expr.args[i]!, variables)));
      walk(expr.body, inner, weight, counts);
      return;
    }
    case "View":
      walk(expr.arg, variables, weight, counts);
      return;
    default:
      return;
  }
}

/** The slot key of an array-valued path, or undefined for sets and constants. */
function keyOf(expr: TypedExpr, variables: ReadonlyMap<string, string | undefined>): string | undefined {
  if (expr.kind !== "Path") return undefined;
  const r = expr.resolution;
  if (r.kind === "field") return [r.root, ...r.fields].join(".");
  if (r.kind === "variable") {
    const base = variables.get(r.name);
    return base === undefined ? undefined : [base, ...r.fields].join(".");
  }
  return undefined;
}

function sizeBound(type: Type): number {
  if (type.kind === "set") return Math.max(1, type.size);
  if (type.kind === "array") return Math.max(1, type.maxItems ?? UNBOUNDED_OUTER);
  if (type.kind === "union") return Math.max(1, ...type.options.map(sizeBound));
  return 1;
}
