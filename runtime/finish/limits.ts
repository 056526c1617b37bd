/**
 * Limit charges: the module says which limits apply and their amounts; the
 * host checks budget amounts, reads the keys from the request, and compares
 * with the runtime state's counters.
 *
 * In: prepared limits, the module's charges, the validated request's view,
 * `state.counters`. Out: charges (by limit index = sorted by id) with
 * whether each passes its cap, or an `evaluation_error` refusal (messages as
 * compiler/interpret/limits.ts). Must not decide effects.
 */
import type { LimitCharge, LimitKeyValue } from "../decision.js";
import { keyValue, type RequestView } from "../encode/view.js";
import { Refused, describe } from "../encode/values.js";
import type { PreparedLimit } from "./prepared.js";

export interface AppliedLimit {
  readonly limit: PreparedLimit;
  readonly charge: LimitCharge;
  readonly capped: boolean;
}

/** Charges for the module's applied limits, in limit order; the first problem as a refusal. */
export function applyLimits(
  limits: readonly PreparedLimit[],
  charges: readonly { readonly limit: number; readonly amount: number }[],
  view: RequestView,
  counters: Readonly<Record<string, number>> | undefined,
): AppliedLimit[] | Refused {
  const applied: AppliedLimit[] = [];
  for (const { limit: index, amount: raw } of charges) {
    const limit = limits[index]!;
    const where = (what: string, message: string): Refused =>
      new Refused({
        code: "evaluation_error",
        message: `cannot evaluate the ${what} of limit \`${limit.id}\` (${limit.file}:${limit.line}): ${message}`,
        path: "",
      });
    let amount = 1;
    if (limit.kind === "budget") {
      if (!Number.isFinite(raw) || raw < 0) return where("cost", `the cost must be a number at least 0, got ${describe(raw)}`);
      amount = raw;
    }
    const key: LimitKeyValue[] = [];
    for (const segments of limit.keys) {
      const value = keyValue(segments, view);
      if (!isScalar(value)) return where("key", `a key must be a string, number, boolean or null, got ${describe(value)}`);
      key.push(value);
    }
    const charge: LimitCharge = { id: limit.id, kind: limit.kind, amount, key, cap: limit.cap, window: limit.window };
    const used = counters?.[limit.id];
    applied.push({ limit, charge, capped: used !== undefined && (used >= limit.cap || used + amount > limit.cap) });
  }
  return applied;
}

function isScalar(value: unknown): value is LimitKeyValue {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}
