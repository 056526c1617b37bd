/**
 * The explainer: the value of every sub-expression of a rule's condition on
 * one request, computed by the interpreter's own evaluation functions, so the
 * values shown are exactly the oracle's (`agp test` prints them for failing
 * cases and derives branch coverage from them).
 *
 * In: a `PolicyModel`, an untrusted request, optional runtime state, and
 * optionally which rules to explain (default: every rule covering the
 * request's action, both principals). Out: an `Explanation`: either the
 * fail-closed refusal of the request (validation, state), or one
 * `RuleExplanation` per rule with the condition's tree of values.
 * Must not change how anything is decided: it only calls `evaluate` and
 * mirrors its order (left to right, `and` / `or` / `all` / `any` stop once
 * the result is known; operands never reached are `skipped`).
 */
import type { Expr } from "../syntax/index.js";
import type { FieldType } from "../catalog/index.js";
import type { RuntimeState } from "../../runtime/request.js";
import type { ModelRule, PolicyModel } from "./model.js";
import { evaluate, ROOTS, type Binding, type Scope } from "./evaluate.js";
import { covers } from "./match.js";
import { validateState } from "./state.js";
import { prepareSession, type SessionInput } from "./session.js";
import { readHostValue } from "./read.js";
import { validateRequest, validateValue, type ValidRequest } from "./validate.js";
import { typeOfPath } from "./types.js";
import { Refusal } from "./values.js";

/** What evaluating one sub-expression gave. */
export type ExplainedOutcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "error"; readonly message: string }
  /** Not evaluated: an earlier operand already decided (`and`, `or`, `all`, `any`). */
  | { readonly kind: "skipped" };

/** One evaluation of a quantifier's body, for one item of its collection. */
export interface ExplainedIteration {
  readonly variable: string;
  readonly item: unknown;
  readonly body: ExplainedNode;
}

/** A sub-expression with its value and, below it, its operands'. */
export interface ExplainedNode {
  readonly expr: Expr;
  readonly outcome: ExplainedOutcome;
  /** Operands in source order (a quantifier's collection; its body is in `iterations`). */
  readonly children: readonly ExplainedNode[];
  /** Quantifiers only: the body, once per item evaluated, in order. */
  readonly iterations?: readonly ExplainedIteration[];
}

/** One rule on one request. */
export interface RuleExplanation {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly effect: ModelRule["effect"];
  readonly principal: ModelRule["principal"];
  /** Whether the rule's pattern (and package catalogs) cover the action. */
  readonly covers: boolean;
  /** Absent when the rule has no `when`. */
  readonly condition?: ExplainedNode;
  /** The condition's value (true without one); undefined when it could not be evaluated or the rule does not cover the action. */
  readonly holds?: boolean;
}

/** Either why the request is refused before any rule runs, or each rule explained. */
export type Explanation =
  | { readonly kind: "refused"; readonly message: string }
  | { readonly kind: "explained"; readonly action: string; readonly rules: readonly RuleExplanation[] };

/**
 * Explains rules on a request. `ruleIds` picks rules (in the given order,
 * unknown ids skipped); without it, every rule covering the action.
 */
export function explainRequest(
  model: PolicyModel,
  request: unknown,
  state?: RuntimeState,
  ruleIds?: readonly string[],
  session?: SessionInput,
): Explanation {
  let valid: ValidRequest;
  let prepared;
  try {
    // Read once into plain data, as `decide` does (./read.ts), so an explanation is of the value decided.
    const read = state === undefined ? undefined : (readHostValue(state, model.bounds, "state") as RuntimeState);
    validateState(read);
    valid = withTrust(validateRequest(readHostValue(request, model.bounds, ""), model.catalogs), read, model);
    prepared = prepareSession(model, session ?? { now: 0, trace: [] });
  } catch (error) {
    if (error instanceof Refusal) return { kind: "refused", message: error.message };
    throw error;
  }
  const action = valid.action.name;
  const rules =
    ruleIds === undefined
      ? model.rules.filter((r) => covers(r, action) && (r.principal === "agent" || valid.human !== undefined))
      : ruleIds.flatMap((id) => model.rules.filter((r) => r.id === id));
  const scope: Scope = { request: valid, catalogs: model.catalogs, constants: new Map(), variables: new Map(), ...(prepared === undefined ? {} : { session: prepared }) };
  return { kind: "explained", action, rules: rules.map((rule) => explainRule(rule, action, scope)) };
}

function explainRule(rule: ModelRule, action: string, scope: Scope): RuleExplanation {
  const head = { id: rule.id, file: rule.file, line: rule.line, effect: rule.effect, principal: rule.principal };
  const covered = covers(rule, action);
  if (rule.condition === undefined) return { ...head, covers: covered, ...(covered ? { holds: true } : {}) };
  const condition = explainExpr(rule.condition, { ...scope, constants: rule.constants, conditions: rule.conditions, packageName: rule.packageName });
  const value = condition.outcome.kind === "value" ? condition.outcome.value : undefined;
  return { ...head, covers: covered, condition, ...(covered && typeof value === "boolean" ? { holds: value } : {}) };
}

/** Explains one expression in a scope (exported for tests of single expressions). */
export function explainExpr(expr: Expr, scope: Scope): ExplainedNode {
  const outcome = outcomeOf(expr, scope);
  switch (expr.kind) {
    case "Logical": {
      const left = explainExpr(expr.left, scope);
      const leftValue = left.outcome.kind === "value" ? left.outcome.value : undefined;
      const decided = left.outcome.kind === "error" || (expr.op === "and" ? leftValue === false : leftValue === true);
      const right = decided ? skippedTree(expr.right) : explainExpr(expr.right, scope);
      return { expr, outcome, children: [left, right] };
    }
    case "Not":
      return { expr, outcome, children: [explainExpr(expr.operand, scope)] };
    case "Compare": {
      const left = explainExpr(expr.left, scope);
      const right = left.outcome.kind === "error" ? skippedTree(expr.right) : explainExpr(expr.right, scope);
      return { expr, outcome, children: [left, right] };
    }
    case "Has":
      return { expr, outcome, children: [] };
    case "Quantified": {
      const collection = explainExpr(expr.collection, scope);
      const items = collection.outcome.kind === "value" ? collection.outcome.value : undefined;
      const iterations: ExplainedIteration[] = [];
      if (Array.isArray(items)) {
        const type = elementType(expr.collection, scope);
        for (const item of items) {
          const variables = new Map<string, Binding>(scope.variables);
          variables.set(expr.variable.name, type === undefined ? { value: item } : { value: item, type });
          const body = explainExpr(expr.body, { ...scope, variables });
          iterations.push({ variable: expr.variable.name, item, body });
          const holds = body.outcome.kind === "value" ? body.outcome.value : undefined;
          if (body.outcome.kind === "error") break;
          if (expr.quantifier === "all" && holds === false) break;
          if (expr.quantifier === "any" && holds === true) break;
        }
      }
      return { expr, outcome, children: [collection], iterations };
    }
    case "Call":
      // The arguments' values; a named condition's body is the definition's, shown by its result.
      return { expr, outcome, children: expr.args.map((arg) => explainExpr(arg, scope)) };
    default:
      return { expr, outcome, children: [] };
  }
}

function outcomeOf(expr: Expr, scope: Scope): ExplainedOutcome {
  try {
    return { kind: "value", value: evaluate(expr, scope) };
  } catch (error) {
    if (error instanceof Refusal) return { kind: "error", message: error.message };
    throw error;
  }
}

/** A tree of `skipped` nodes: operands the evaluator never reaches. */
function skippedTree(expr: Expr): ExplainedNode {
  const skipped: ExplainedOutcome = { kind: "skipped" };
  switch (expr.kind) {
    case "Logical":
    case "Compare":
      return { expr, outcome: skipped, children: [skippedTree(expr.left), skippedTree(expr.right)] };
    case "Not":
      return { expr, outcome: skipped, children: [skippedTree(expr.operand)] };
    case "Quantified":
      return { expr, outcome: skipped, children: [skippedTree(expr.collection)], iterations: [] };
    case "Call":
      return { expr, outcome: skipped, children: expr.args.map(skippedTree) };
    default:
      return { expr, outcome: skipped, children: [] };
  }
}

function withTrust(request: ValidRequest, state: RuntimeState | undefined, model: PolicyModel): ValidRequest {
  if (state?.trust === undefined) return request;
  const trustField = model.catalogs.request.agent.fields.get("trust");
  if (trustField !== undefined) validateValue(state.trust, trustField.type, "state.trust");
  return { ...request, agent: { ...request.agent, trust: state.trust } };
}

/**
 * The element type of a quantifier's collection when it is an array-typed
 * request path or variable: the same lookup evaluate.ts does, so ordered-enum
 * comparisons inside the body see the same types.
 */
function elementType(collection: Expr, scope: Scope): FieldType | undefined {
  if (collection.kind !== "Path") return undefined;
  const root = collection.root.name;
  const fields = collection.fields.map((f) => f.name);
  let type: FieldType | undefined;
  if (scope.variables.has(root)) type = typeOfPath(scope.variables.get(root)!.type, fields);
  else if (scope.constants.has(root) || !(ROOTS as readonly string[]).includes(root)) type = undefined;
  else if (root === "args") type = typeOfPath(scope.request.action.args, fields);
  else if (root === "agent" || root === "human" || root === "env" || root === "context") {
    type = typeOfPath(scope.catalogs.request[root], fields);
  } else if (root === "action" && fields[0] !== undefined) {
    type = typeOfPath(scope.request.action.metadata.get(fields[0])?.type, fields.slice(1));
  }
  return type?.kind === "array" ? type.items : undefined;
}
