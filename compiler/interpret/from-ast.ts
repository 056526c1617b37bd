/**
 * Builds the interpreter's `PolicyModel` from parsed files and a catalog set.
 *
 * In: `PolicyFile`s (assumed to have passed the checker, or built by hand in
 * tests) and the `CatalogSet` they name. Out: a `PolicyModel`. Must not
 * report diagnostics: malformed input here is a bug in the caller, and what
 * cannot be used is simply left out (a rule without a pattern cannot exist).
 *
 * Packages: a file's `package` statement names its package (`""` without
 * one); constants, named conditions and the delegation mode are per package.
 */
import { DEFAULT_REQUEST_BOUNDS, type RequestBounds } from "../../runtime/manifest.js";
import type {
  ActionPattern,
  ApprovalRequirement,
  ConditionDecl,
  DelegationMode,
  LetDecl,
  LimitDecl,
  Obligation,
  PolicyFile,
  RuleDecl,
} from "../syntax/index.js";
import type { CatalogSet } from "../catalog/index.js";
import { patternMatches } from "./match.js";
import type {
  Conditions, Constants, ConstantValue, ModelApproval, ModelCondition, ModelLabel, ModelLimit, ModelObligationValue, ModelPattern, ModelRule, PolicyModel,
} from "./model.js";

/** Options shared by every way of building a model. */
export interface ModelOptions {
  /** The bundle's content hash and version, reported in every decision; `""` when not from a bundle. */
  readonly policy?: { readonly hash: string; readonly version: string };
  /** The request bounds (ADR 0008); default DEFAULT_REQUEST_BOUNDS, as `agp compile` without options. */
  readonly bounds?: RequestBounds;
}

/** Builds a model from parsed files. */
export function modelFromFiles(files: readonly PolicyFile[], catalogs: CatalogSet, options: ModelOptions = {}): PolicyModel {
  const packageOf = new Map<PolicyFile, string>();
  const constants = new Map<string, Map<string, ConstantValue>>();
  const conditions = new Map<string, Map<string, ModelCondition>>();
  const delegation = new Map<string, DelegationMode>();
  for (const file of files) {
    const pkg = file.statements.find((s) => s.kind === "Package");
    const name = pkg?.kind === "Package" ? pkg.name.parts.join(".") : "";
    packageOf.set(file, name);
    if (!constants.has(name)) constants.set(name, new Map());
    if (!conditions.has(name)) conditions.set(name, new Map());
    for (const statement of file.statements) {
      if (statement.kind === "Let") constants.get(name)!.set(statement.name.name, constantValue(statement));
      if (statement.kind === "Condition") conditions.get(name)!.set(statement.name.name, modelCondition(statement));
      if (statement.kind === "Delegation") delegation.set(name, statement.mode.value);
    }
  }
  const rules: ModelRule[] = [];
  const limits: ModelLimit[] = [];
  const labels: ModelLabel[] = [];
  let key: readonly string[] | undefined;
  const tracks = new Map<string, number>();
  for (const file of files) {
    const name = packageOf.get(file)!;
    const scope = { constants: constants.get(name)!, conditions: conditions.get(name)! };
    for (const statement of file.statements) {
      if (statement.kind === "Rule") rules.push(modelRule(statement, file.file, name, scope));
      if (statement.kind === "Limit") limits.push(modelLimit(statement, file.file, name, scope));
      if (statement.kind === "Label") {
        const actions = new Set([...catalogs.actions.keys()].filter((a) => statement.patterns.some((p) => patternMatches(modelPattern(p), a))));
        labels.push({ name: statement.name.name, actions, ...(statement.condition === undefined ? {} : { condition: statement.condition }), packageName: name, ...scope });
      }
      if (statement.kind === "Session") {
        if (statement.key !== undefined) key = [statement.key.root.name, ...statement.key.fields.map((f) => f.name)];
        if (statement.track !== undefined) tracks.set(name, statement.track.value);
      }
    }
  }
  for (const action of catalogs.actions.values()) {
    for (const label of action.labels ?? []) labels.push({ name: label, actions: new Set([action.name]), packageName: "", constants: new Map() });
  }
  return {
    rules,
    limits,
    labels,
    session: { key: key ?? ["context", "session"], tracks },
    delegation,
    catalogs,
    policy: options.policy ?? { hash: "", version: "" },
    bounds: options.bounds ?? DEFAULT_REQUEST_BOUNDS,
  };
}

/** A `let`'s value. */
export function constantValue(decl: LetDecl): ConstantValue {
  const value = decl.value;
  if (value.kind === "Set") return value.elements.map((e) => (e.kind === "Null" ? null : e.value));
  return value.kind === "Null" ? null : value.value;
}

/** A named condition as the interpreter reads it. */
export function modelCondition(decl: ConditionDecl): ModelCondition {
  return { params: decl.params.map((p) => p.name), body: decl.body };
}

/** What a package's rules and limits read besides the request. */
export interface PackageScope {
  readonly constants: Constants;
  readonly conditions: Conditions;
}

/** A rule as the interpreter reads it. */
export function modelRule(rule: RuleDecl, file: string, packageName: string, scope: PackageScope): ModelRule {
  return {
    id: rule.id.name,
    file,
    line: rule.span.line,
    effect: rule.effect.value,
    patterns: rule.patterns.map(modelPattern),
    principal: rule.principal?.value ?? "agent",
    ...(rule.condition === undefined ? {} : { condition: rule.condition }),
    approval: modelApproval(rule.approval, rule.binds?.paths.map((p) => [p.root.name, ...p.fields.map((f) => f.name)].join(".")) ?? []),
    obligations: rule.obligations.map((o) => ({ key: o.key.name, value: obligationValue(o, scope.constants) })),
    ...(rule.reason === undefined ? {} : { reason: rule.reason.value }),
    audit: rule.audit?.value ?? "info",
    packageName,
    constants: scope.constants,
    conditions: scope.conditions,
  };
}

/**
 * An obligation's value: a literal, a set of strings (sorted, distinct), or
 * the constant it names (a set constant is a set). A name that is no
 * constant sets nothing (the checker refuses it, AGP264).
 */
function obligationValue(obligation: Obligation, constants: Constants): ModelObligationValue {
  const value = obligation.value;
  const asSet = (members: readonly unknown[]): readonly string[] => [...new Set(members.filter((m): m is string => typeof m === "string"))].sort();
  switch (value.kind) {
    case "Null":
      return null;
    case "Set":
      return asSet(value.elements.map((e) => (e.kind === "Null" ? null : e.value)));
    case "Path": {
      const constant = constants.get(value.root.name);
      if (constant === undefined) return null;
      return Array.isArray(constant) ? asSet(constant) : (constant as string | number | boolean | null);
    }
    default:
      return value.value;
  }
}

/** A limit as the interpreter reads it. */
export function modelLimit(limit: LimitDecl, file: string, packageName: string, scope: PackageScope): ModelLimit {
  const measure = limit.measure;
  const otherwise = limit.otherwise;
  return {
    id: limit.id.name,
    file,
    line: limit.span.line,
    kind: measure.kind === "Rate" ? "rate" : "budget",
    cap: measure.kind === "Rate" ? measure.count.value : measure.amount.value,
    ...(measure.kind === "Budget" && measure.unit !== undefined ? { unit: measure.unit.name } : {}),
    window: { count: limit.window.count, unit: limit.window.unit },
    keys: limit.keys.map((k) => [k.root.name, ...k.fields.map((f) => f.name)]),
    patterns: limit.patterns.map(modelPattern),
    ...(limit.condition === undefined ? {} : { condition: limit.condition }),
    ...(measure.kind === "Budget" ? { cost: measure.cost } : {}),
    otherwise: otherwise?.kind === "CapApprove" ? { kind: "approve", approval: modelApproval(otherwise.approval, []) } : { kind: "deny" },
    ...(limit.reason === undefined ? {} : { reason: limit.reason.value }),
    packageName,
    constants: scope.constants,
    conditions: scope.conditions,
  };
}

function modelPattern(pattern: ActionPattern): ModelPattern {
  return { segments: pattern.segments, wildcard: pattern.wildcard };
}

function modelApproval(approval: ApprovalRequirement | undefined, binds: readonly string[]): ModelApproval {
  return {
    quorums: approval === undefined ? [] : approval.quorums.map((q) => ({ count: q.count.value, groups: q.groups.map((g) => g.value) })),
    requester: approval?.requester !== undefined,
    samePerson: approval?.samePerson !== undefined,
    binds,
  };
}
