/**
 * Rule matching for one principal: which rules' patterns cover the action,
 * which conditions hold, and what those rules say on their own.
 *
 * In: the model's rules, a principal, a scope. Out: a `SideResult` (the
 * principal's own combined answer: deny > approve > allow > default deny).
 * Throws a `Refusal` when a condition cannot be evaluated, naming the rule.
 * Must not combine principals (./delegation.ts) or apply limits and state.
 */
import type { Effect } from "../syntax/index.js";
import type { ModelPattern, ModelRule } from "./model.js";
import { evaluateCondition, type Scope } from "./evaluate.js";
import { Refusal } from "./values.js";

/** Whether a pattern covers an action name: exact, `prefix.*` for names under the prefix, `*` for every name. */
export function patternMatches(pattern: ModelPattern, action: string): boolean {
  const prefix = pattern.segments.join(".");
  if (!pattern.wildcard) return action === prefix;
  return prefix === "" || action.startsWith(`${prefix}.`);
}

/** One principal's answer, before delegation combines it with the other's. */
export interface SideResult {
  readonly principal: "agent" | "human";
  readonly effect: Effect;
  /** True when no rule allowed or approved and none denied: "no rule allows …". */
  readonly defaulted: boolean;
  /** The matching rules of `effect` (empty when defaulted), sorted by file and line. */
  readonly deciding: readonly ModelRule[];
  /** Every matching allow and approve rule: the source of obligations. */
  readonly permitting: readonly ModelRule[];
}

/** Whether a rule or limit covers an action: one of its patterns matches and, when known, its package's catalogs hold the action. */
export function covers(item: { readonly patterns: readonly ModelPattern[]; readonly actions?: ReadonlySet<string> }, action: string): boolean {
  return item.patterns.some((p) => patternMatches(p, action)) && (item.actions === undefined || item.actions.has(action));
}

/** The rules of `principal` that cover `action`, sorted by file and line. */
export function rulesCovering(rules: readonly ModelRule[], principal: "agent" | "human", action: string): ModelRule[] {
  return rules.filter((r) => r.principal === principal && covers(r, action)).sort(bySource);
}

/** Evaluates the covering rules of one principal and combines them on their own. */
export function decideSide(covering: readonly ModelRule[], principal: "agent" | "human", scope: Scope): SideResult {
  const matching = covering.filter((rule) => conditionHolds(rule, scope));
  const of = (effect: Effect): ModelRule[] => matching.filter((r) => r.effect === effect);
  const permitting = matching.filter((r) => r.effect !== "deny");
  for (const effect of ["deny", "approve", "allow"] as const) {
    const deciding = of(effect);
    if (deciding.length > 0) return { principal, effect, defaulted: false, deciding, permitting };
  }
  return { principal, effect: "deny", defaulted: true, deciding: [], permitting: [] };
}

/** A rule's condition (true without one); a refusal names the rule and where it is. */
function conditionHolds(rule: ModelRule, scope: Scope): boolean {
  if (rule.condition === undefined) return true;
  const ruleScope: Scope = { ...scope, constants: rule.constants, conditions: rule.conditions, packageName: rule.packageName };
  try {
    return evaluateCondition(rule.condition, ruleScope);
  } catch (error) {
    if (error instanceof Refusal) {
      throw new Refusal(error.code, `cannot evaluate rule \`${rule.id}\` (${rule.file}:${rule.line}): ${error.message}`, error.path);
    }
    throw error;
  }
}

/** Source order: file, then line, then id. Used wherever lists of rules are reported. */
export function bySource(a: { file: string; line: number; id: string }, b: { file: string; line: number; id: string }): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
