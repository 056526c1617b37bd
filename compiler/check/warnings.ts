/**
 * Whole-policy warnings (AGP3xx): rules and limits that can never match
 * (AGP301), allow/approve rules a deny makes pointless (AGP303), unused
 * constants and conditions (AGP304), and catalog actions no rule mentions
 * (AGP305; not when a statement failed to parse).
 *
 * In: the checked rules and limits, the packages' constants, every loaded
 * catalog. Out: warnings. Only runs once the policy set has no errors, so a
 * warning never stands on a wrong type. Must stay sound: a warning here is
 * a proof, never a guess.
 */
import type { CatalogSet, SchemaLocation } from "../catalog/index.js";
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";
import type { Span } from "../syntax/index.js";
import type { CheckedLimit, CheckedRule, TypedExpr } from "./checked.js";
import { impossible, structuralKey } from "./contradiction.js";
import type { ConditionInfo, ConstantInfo } from "./env.js";

export function neverMatching(rules: readonly CheckedRule[], limits: readonly CheckedLimit[], report: (d: Diagnostic) => void): void {
  for (const rule of rules) {
    if (rule.condition === undefined || rule.actions.length === 0) continue;
    const reason = impossible(rule.condition);
    if (reason !== undefined) report(diagnostic("AGP301", rule.decl.condition!.span, { kind: "rule", id: rule.id, reason }));
  }
  for (const limit of limits) {
    if (limit.condition === undefined || limit.actions.length === 0) continue;
    const reason = impossible(limit.condition);
    if (reason !== undefined) report(diagnostic("AGP301", limit.decl.condition!.span, { kind: "limit", id: limit.id, reason }));
  }
}

/**
 * An allow/approve rule is pointless when a deny rule of the same package and
 * principal matches every action it matches, and the deny's condition is
 * absent or a subset of its `and`-ed tests (compared as written).
 */
export function pointless(rules: readonly CheckedRule[], report: (d: Diagnostic) => void): void {
  // Index the denies by package, principal and first test, so 10,000 rules stay fast.
  const unconditional = new Map<string, { rule: CheckedRule; actions: Set<string> }[]>();
  const byFirstTest = new Map<string, { rule: CheckedRule; actions: Set<string>; tests: string[] }[]>();
  for (const deny of rules) {
    if (deny.effect !== "deny") continue;
    const group = `${deny.package}\u0000${deny.principal}`;
    const tests = conjuncts(deny.condition).map((c) => structuralKey(c.node));
    const entry = { rule: deny, actions: new Set(deny.actions), tests };
    // Lists grow by push: copying them per deny made this quadratic in the denies sharing a first test.
    const key = tests.length === 0 ? group : `${group}\u0000${tests[0]!}`;
    const into = tests.length === 0 ? unconditional : byFirstTest;
    const list = into.get(key);
    if (list === undefined) into.set(key, [entry]);
    else list.push(entry);
  }
  for (const rule of rules) {
    if (rule.effect === "deny" || rule.actions.length === 0) continue;
    const group = `${rule.package}\u0000${rule.principal}`;
    const tests = new Set(conjuncts(rule.condition).map((c) => structuralKey(c.node)));
    const covers = (deny: { actions: Set<string> }) => rule.actions.every((a) => deny.actions.has(a));
    let covering = (unconditional.get(group) ?? []).find(covers)?.rule;
    for (const test of tests) {
      if (covering !== undefined) break;
      covering = (byFirstTest.get(`${group}\u0000${test}`) ?? []).find((d) => covers(d) && d.tests.every((t) => tests.has(t)))?.rule;
    }
    if (covering === undefined) continue;
    report(
      diagnostic("AGP303", rule.decl.id.span, { id: rule.id, deny: covering.id }, {
        related: [{ span: covering.decl.id.span, message: `\`${covering.id}\` is defined here` }],
      }),
    );
  }
}

function conjuncts(expr: TypedExpr | undefined): TypedExpr[] {
  if (expr === undefined) return [];
  return expr.kind === "Logical" && expr.op === "and" ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

export function unusedConstants(constants: Iterable<ConstantInfo>, conditions: Iterable<ConditionInfo>, report: (d: Diagnostic) => void): void {
  for (const constant of constants) {
    if (!constant.used) report(diagnostic("AGP304", constant.decl.name.span, { what: "constant", name: constant.name }));
  }
  for (const condition of conditions) {
    if (!condition.used) report(diagnostic("AGP304", condition.decl.name.span, { what: "condition", name: condition.name }));
  }
}

/** AGP305: reported only (never promoted by --strict); placed on the action's entry in its catalog. */
export function unmentionedActions(
  catalogs: CatalogSet,
  rules: readonly CheckedRule[],
  report: (d: Diagnostic) => void,
  locate?: (location: SchemaLocation) => Span | undefined,
): void {
  const mentioned = new Set(rules.flatMap((r) => r.actions));
  for (const catalog of catalogs.catalogs) {
    for (const action of catalog.actions) {
      if (mentioned.has(action.name)) continue;
      const span = locate?.(action.location) ?? fileSpan(action.location.file);
      report(diagnostic("AGP305", span, { action: action.name }));
    }
  }
}
