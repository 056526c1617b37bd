/**
 * Dispatch on a small integer with one `br_table`: the action id in
 * `agp_decide`, a residual's arm in a residual function (./index-runtime.ts).
 *
 * In: the selector expression and one arm per value. Out: a block that runs
 * exactly the selected arm (or `otherwise` when the value is out of range).
 * Must not nest more blocks than arms: callers keep arms ≤ 64 per function,
 * since binaryen's passes grow faster than linearly with the nesting.
 */
import type { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";

/**
 * A br_table: `index` selects one of `arms` (each ends by leaving the whole
 * dispatch), anything else runs `otherwise`. Nested blocks, innermost holds
 * the br_table; arm k follows block k.
 */
export function dispatch(m: PolicyModule, fn: FunctionBuilder, index: Expr, arms: readonly Expr[], otherwise: Expr): Expr {
  const c = m.code;
  if (arms.length === 0) return c.block(null, [c.drop(index), otherwise]);
  const end = fn.label("end");
  const fallback = fn.label("default");
  const labels = arms.map(() => fn.label("case"));
  // Every label is a target of the br_table (and `end` of each arm's br), so
  // the blocks are built as branch targets: linear, where c.block's type
  // inference walked every inner block again at each level.
  let current = c.branchTarget(labels[0] ?? fallback, [c.switch(labels, fallback, index)]);
  for (let k = 0; k < arms.length; k++) {
    const next = k + 1 < arms.length ? labels[k + 1]! : fallback;
    current = c.branchTarget(next, [current, arms[k]!, c.br(end)]);
  }
  return c.branchTarget(end, [current, otherwise]);
}
