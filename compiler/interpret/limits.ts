/**
 * Limits: which limits a request counts against, how much, under which key,
 * and whether the runtime state's counters say a cap is reached.
 *
 * In: the model's limits, a scope, the counters from the runtime state.
 * Out: the charges (sorted by id) and the limits whose cap the charge would
 * pass. Throws a `Refusal` when a condition, cost or key cannot be
 * evaluated, or a cost is not a non-negative number. Must not combine rules.
 *
 * A limit applies when it covers the action (./match.ts) and its `when` holds.
 * A rate charges 1; a budget charges its cost expression's value. Keys:
 * `agent` is `agent.id`, `human` is `human.id`; a key the request lacks (no
 * human, an absent optional field) is `null`. A cap is reached when
 * `counters[id] >= cap` (even for a charge of 0: an exhausted budget is
 * closed) or passed when `counters[id] + amount > cap` (without a counter,
 * nothing is known to be used). ADR 0012.
 */
import type { LimitCharge, LimitKeyValue } from "../../runtime/decision.js";
import type { Expr, Path } from "../syntax/index.js";
import type { ModelLimit } from "./model.js";
import { covers } from "./match.js";
import { evaluate, evaluateCondition, type Scope } from "./evaluate.js";
import { Refusal, describe, isScalar } from "./values.js";
import { spanlessPath } from "./paths.js";

/** A limit with what this request would charge it. */
export interface AppliedLimit {
  readonly limit: ModelLimit;
  readonly charge: LimitCharge;
  /** True when the counters say this charge would pass the cap. */
  readonly capped: boolean;
}

/** Every limit that applies to the request, sorted by id. */
export function applyLimits(
  limits: readonly ModelLimit[],
  scope: Scope,
  counters: Readonly<Record<string, number>> | undefined,
): AppliedLimit[] {
  const applied: AppliedLimit[] = [];
  for (const limit of [...limits].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!covers(limit, scope.request.action.name)) continue;
    const limitScope: Scope = { ...scope, constants: limit.constants, conditions: limit.conditions };
    const within = <T>(what: string, run: () => T): T => {
      try {
        return run();
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        throw new Refusal(error.code, `cannot evaluate the ${what} of limit \`${limit.id}\` (${limit.file}:${limit.line}): ${error.message}`, error.path);
      }
    };
    if (limit.condition !== undefined && !within("condition", () => evaluateCondition(limit.condition!, limitScope))) continue;
    const amount = limit.kind === "rate" ? 1 : within("cost", () => cost(limit.cost, limitScope));
    const key = limit.keys.map((segments) => within("key", () => keyValue(segments, limitScope)));
    const charge: LimitCharge = { id: limit.id, kind: limit.kind, amount, key, cap: limit.cap, window: limit.window };
    const used = counters?.[limit.id];
    applied.push({ limit, charge, capped: used !== undefined && (used >= limit.cap || used + amount > limit.cap) });
  }
  return applied;
}

function cost(expr: Expr | undefined, scope: Scope): number {
  if (expr === undefined) throw new Refusal("evaluation_error", "a budget needs a `cost` expression", "");
  const value = evaluate(expr, scope);
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Refusal("evaluation_error", `the cost must be a number at least 0, got ${describe(value)}`, "");
  }
  return value;
}

/** A key's value; `agent` / `human` alone read their `id`; anything absent is null. */
function keyValue(segments: readonly string[], scope: Scope): LimitKeyValue {
  const [root, ...rest] = segments;
  const full = (root === "agent" || root === "human") && rest.length === 0 ? [root, "id"] : segments;
  if (full[0] === "human" && scope.request.human === undefined) return null;
  const path: Path = spanlessPath(full);
  const present = evaluate({ kind: "Has", path, span: path.span }, scope);
  if (present !== true) return null;
  const value = evaluate(path, scope);
  if (!isScalar(value)) throw new Refusal("evaluation_error", `a key must be a string, number, boolean or null, got ${describe(value)}`, "");
  return value;
}
