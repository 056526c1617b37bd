/**
 * Builds the interpreter's `PolicyModel` from the checker's output.
 *
 * In: a `CheckedPolicySet` (compiler/check, free of errors) and the
 * `CatalogSet` it was checked against. Out: a `PolicyModel`.
 * Must not re-check anything. What it takes from the checker: the rules and
 * limits with their packages and files, each package's delegation mode,
 * constants and named conditions, and the actions each rule and limit covers (patterns match only
 * the actions of their package's catalogs). Conditions are read from the AST
 * (`decl`), not from the typed mirror: the interpreter resolves names itself,
 * so it stays an independent oracle for the checker as well.
 */
import { DEFAULT_REQUEST_BOUNDS } from "../../runtime/manifest.js";
import type { CatalogSet } from "../catalog/index.js";
import type { CheckedPolicySet, ConstantValue as CheckedConstantValue } from "../check/index.js";
import type { DelegationMode } from "../syntax/index.js";
import type { ConstantValue, ModelCondition, ModelLabel, PolicyModel } from "./model.js";
import { modelCondition, modelLimit, modelRule, type ModelOptions } from "./from-ast.js";

/** Builds a model from a checked policy set. */
export function modelFromChecked(checked: CheckedPolicySet, catalogs: CatalogSet, options: ModelOptions = {}): PolicyModel {
  const constants = new Map<string, Map<string, ConstantValue>>();
  const delegation = new Map<string, DelegationMode>();
  for (const pkg of checked.packages) {
    constants.set(pkg.name, new Map());
    delegation.set(pkg.name, pkg.delegation);
  }
  for (const constant of checked.constants) {
    const forPackage = constants.get(constant.package) ?? new Map<string, ConstantValue>();
    constants.set(constant.package, forPackage);
    forPackage.set(constant.name, constantValue(constant.value));
  }
  const conditions = new Map<string, Map<string, ModelCondition>>();
  for (const condition of checked.conditions) {
    const forPackage = conditions.get(condition.package) ?? new Map<string, ModelCondition>();
    conditions.set(condition.package, forPackage);
    forPackage.set(condition.name, modelCondition(condition.decl));
  }
  const scopeOf = (pkg: string) => ({
    constants: constants.get(pkg) ?? new Map<string, ConstantValue>(),
    conditions: conditions.get(pkg) ?? new Map<string, ModelCondition>(),
  });
  const rules = checked.rules.map((rule) => ({
    ...modelRule(rule.decl, rule.file, rule.package, scopeOf(rule.package)),
    actions: new Set(rule.actions),
  }));
  const limits = checked.limits.map((limit) => ({
    ...modelLimit(limit.decl, limit.file, limit.package, scopeOf(limit.package)),
    actions: new Set(limit.actions),
  }));
  const labels: ModelLabel[] = checked.labels.map((label) => ({
    name: label.name,
    actions: new Set(label.actions),
    ...(label.decl?.condition === undefined ? {} : { condition: label.decl.condition }),
    packageName: label.package,
    ...scopeOf(label.package),
  }));
  const packageActions = new Map<string, ReadonlySet<string>>();
  for (const pkg of checked.packages) {
    const files = new Set(pkg.catalogs);
    packageActions.set(pkg.name, new Set(catalogs.catalogs.filter((c) => files.has(c.file)).flatMap((c) => c.actions.map((a) => a.name))));
  }
  const session = checked.session === undefined
    ? undefined
    : { key: checked.session.key, tracks: new Map(checked.session.packages.flatMap((p) => (p.track === undefined ? [] : [[p.name, p.track] as const]))) };
  return {
    rules,
    limits,
    labels,
    ...(session === undefined ? {} : { session }),
    packageActions,
    delegation,
    catalogs,
    policy: options.policy ?? { hash: "", version: "" },
    bounds: options.bounds ?? DEFAULT_REQUEST_BOUNDS,
  };
}

function constantValue(value: CheckedConstantValue): ConstantValue {
  return value.kind === "set" ? value.values : value.value;
}
