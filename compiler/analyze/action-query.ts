/**
 * The queries about one action: the symbolic request and state shared by
 * every policy set under comparison, each set's decision encoded over them,
 * and the way from a model back to an example (request + state).
 *
 * In: one or two checked policy sets, the catalog set requests are
 * validated against, an action. Out: an `ActionQuery`.
 * Must not call the solver.
 */
import type { CatalogSet } from "../catalog/index.js";
import type { CheckedPolicySet, TypedExpr } from "../check/index.js";
import { Encoding } from "./encoding.js";
import { encodePolicy, quorumsOn, type PolicyEncoding } from "./encode-policy.js";
import { RequestLayout, type ModelReader } from "./layout.js";
import { slotCounts } from "./slots.js";
import { StateLayout } from "./state.js";

/** Approver slots beyond which a query is marked approximate. */
const MAX_APPROVERS = 8;

export interface ActionQuery {
  readonly action: string;
  readonly enc: Encoding;
  readonly layout: RequestLayout;
  readonly state: StateLayout;
  readonly policies: readonly PolicyEncoding[];
  /** The request and state a model describes. */
  example(model: ModelReader): { request: Record<string, unknown>; state?: Record<string, unknown> };
}

/** Encodes `policies` on `action` over one symbolic request. */
export function actionQuery(policies: readonly CheckedPolicySet[], catalogs: CatalogSet, action: string): ActionQuery {
  const entry = catalogs.actions.get(action);
  if (entry === undefined) throw new Error(`internal error: no action ${action} in the catalogs`);
  const enc = new Encoding();
  const expressions: (TypedExpr | undefined)[] = [];
  for (const policy of policies) {
    for (const rule of policy.rules) if (rule.actions.includes(action)) expressions.push(rule.condition);
    for (const limit of policy.limits) if (limit.actions.includes(action)) expressions.push(limit.condition, limit.cost);
  }
  const layout = new RequestLayout(enc, catalogs, entry, slotCounts(expressions));
  const quorums = policies.flatMap((p) => quorumsOn(p, action));
  const groups = [...new Set(quorums.flatMap((q) => q.groups))].sort();
  const needed = quorums.reduce((n, q) => n + q.count, 0);
  if (needed > MAX_APPROVERS) enc.approximate("under", `at most ${MAX_APPROVERS} given approvers are considered`);
  const state = new StateLayout(enc, groups, Math.min(needed, MAX_APPROVERS));
  const encoded = policies.map((p, i) => encodePolicy(p, action, layout, state, enc, policies.length === 1 ? "p" : i === 0 ? "old" : "new"));
  return {
    action,
    enc,
    layout,
    state,
    policies: encoded,
    example(model) {
      const request = layout.concretize(model);
      const ids = [idOf(request.agent), idOf(request.human)].filter((x): x is string => x !== undefined);
      const given = state.toJson(model, ids);
      return Object.keys(given).length > 0 ? { request, state: given } : { request };
    },
  };
}

function idOf(part: unknown): string | undefined {
  return typeof part === "object" && part !== null && typeof (part as { id?: unknown }).id === "string" ? (part as { id: string }).id : undefined;
}
