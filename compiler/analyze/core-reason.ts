/**
 * Why a condition can never hold, in the author's words, from an unsat core:
 * the tests of the condition (its `and`-ed parts) that cannot hold together
 * on any request the catalog accepts.
 *
 * In: the parts in the core, the whole condition. Out: one phrase.
 * Must not decide anything.
 */
import { showExpr, type TypedExpr } from "../check/index.js";

/** `` `a` and `b` cannot both hold ``, or `` `a` can never hold for a valid request ``. */
export function coreReason(core: readonly TypedExpr[], condition: TypedExpr): string {
  const shown = core.map((c) => `\`${showExpr(c.node)}\``);
  if (shown.length === 0) return `\`${showExpr(condition.node)}\` is false for every request the catalog accepts`;
  if (shown.length === 1) return `${shown[0]} is false for every request the catalog accepts`;
  if (shown.length === 2) return `${shown[0]} and ${shown[1]} cannot both hold`;
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]} cannot all hold`;
}
