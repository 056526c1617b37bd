/**
 * Expression evaluation: the meaning of every operator of the language,
 * straight from the AST.
 *
 * In: an expression and a scope (the validated request, the package's
 * constants, quantifier variables). Out: a value (a boolean for conditions).
 * Throws a `Refusal` ("evaluation_error") for anything it cannot decide: an
 * unguarded absent field, operands of the wrong kind, a malformed glob.
 * Must not combine rules or read runtime state.
 *
 * Evaluation is left to right and `and` / `or` / quantifiers stop as soon as
 * the result is known, so `has args.x and args.x > 1` never reads an absent
 * field. A path's first segment names, in this order (the checker's order):
 * a quantifier variable or a condition's parameter (innermost first), a
 * constant of the rule's package, a named condition of it (alone), a request
 * root (`agent`, `human`, `action`, `args`, `env`, `context`), or else
 * (alone) an enum member. Calls are views (`lower`, `domain`, `normpath`,
 * ./views.ts) or named conditions, evaluated by value (ADR 0027).
 */
import type { CallExpr, CompareExpr, Expr, Path } from "../syntax/index.js";
import type { ActionEntry, CatalogSet, FieldType } from "../catalog/index.js";
import type { Conditions, Constants, ModelCondition } from "./model.js";
import type { ValidRequest } from "./validate.js";
import { glob } from "./glob.js";
import { evaluateSession, type SessionScope } from "./session.js";
import { applyViewByName, underBase } from "./views.js";
import { Refusal, describe, hasKey, isObject, isScalar, type Scalar, type Value } from "./values.js";
import { compareOrdered, enumOrderOf, typeOfPath } from "./types.js";

/** A bound quantifier variable: its value and, when known, its schema type. */
export interface Binding {
  readonly value: Value;
  readonly type?: FieldType;
}

/** Everything an expression can read. */
export interface Scope {
  readonly request: ValidRequest;
  readonly catalogs: CatalogSet;
  readonly constants: Constants;
  /** The package's named conditions; absent: none. */
  readonly conditions?: Conditions;
  readonly variables: ReadonlyMap<string, Binding>;
  /** The session's trace, for session operators (docs/decisions/0024-session-rules.md). */
  readonly session?: SessionScope;
  /** Inside a past call's filter: the current request, which `current.…` reads (`request` is then the past call's). */
  readonly current?: ValidRequest;
  /** The package of the rule being evaluated: session operators match calls of its catalogs only. */
  readonly packageName?: string;
  /** The named conditions being evaluated around this expression, outermost first. */
  readonly calls?: readonly string[];
}

/** How deep named conditions may be evaluated inside one another (the checker allows 32). */
const MAX_CALL_DEPTH = 64;

/** The request roots a path may start with. */
export const ROOTS = ["agent", "human", "action", "args", "env", "context"] as const;

/** Evaluates a condition; anything but a boolean is a refusal. */
export function evaluateCondition(expr: Expr, scope: Scope): boolean {
  return expectBoolean(evaluate(expr, scope), expr, "a condition");
}

/** Evaluates any expression to a value. Sets evaluate to arrays of their members. */
export function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case "String":
    case "Number":
    case "Boolean":
      return expr.value;
    case "Null":
      return null;
    case "Set":
      return expr.elements.map((e) => (e.kind === "Null" ? null : e.value));
    case "Path":
      return readPath(expr, scope);
    case "Has":
      return pathPresent(expr.path, scope);
    case "Not":
      return !expectBoolean(evaluate(expr.operand, scope), expr.operand, "`not`");
    case "Logical": {
      const left = expectBoolean(evaluate(expr.left, scope), expr.left, `\`${expr.op}\``);
      if (expr.op === "and" ? !left : left) return left;
      return expectBoolean(evaluate(expr.right, scope), expr.right, `\`${expr.op}\``);
    }
    case "Quantified": {
      const items = evaluate(expr.collection, scope);
      if (!Array.isArray(items)) {
        throw evalError(`\`${expr.quantifier}\` needs an array or a set to range over, got ${describe(items)}`);
      }
      const itemType = elementType(expr.collection, scope);
      for (const item of items) {
        const variables = new Map(scope.variables);
        variables.set(expr.variable.name, itemType === undefined ? { value: item } : { value: item, type: itemType });
        const holds = expectBoolean(evaluate(expr.body, { ...scope, variables }), expr.body, `the body of \`${expr.quantifier}\``);
        if (expr.quantifier === "all" && !holds) return false;
        if (expr.quantifier === "any" && holds) return true;
      }
      return expr.quantifier === "all";
    }
    case "Compare":
      return compare(expr, scope);
    case "Past":
    case "LabelTest":
      return evaluateSession(expr, scope);
    case "Call":
      return call(expr, scope);
  }
}

/**
 * `name(args…)`: a built-in view of a string, or a named condition. A
 * condition's arguments are evaluated first, left to right, in the caller's
 * scope; its body then sees its parameters, the package's constants and
 * conditions and the request, never the caller's quantifier variables.
 */
function call(expr: CallExpr, scope: Scope): Value {
  const name = expr.callee.name;
  const args = expr.args.map((arg) => evaluate(arg, scope));
  if (!scope.variables.has(name) && !scope.constants.has(name)) {
    const condition = scope.conditions?.get(name);
    if (condition !== undefined) return useCondition(name, condition, expr.args, args, scope);
  }
  if (args.length !== 1) throw evalError(`\`${name}\` is not a named condition or a built-in function of one argument`);
  const arg = args[0]!;
  if (typeof arg !== "string") throw evalError(`\`${name}\` needs a string, got ${describe(arg)}`);
  const viewed = applyViewByName(name, arg);
  if (viewed === undefined) throw evalError(`\`${name}\` is not a named condition or a built-in function`);
  return viewed;
}

function useCondition(name: string, condition: ModelCondition, argExprs: readonly Expr[], args: readonly Value[], scope: Scope): boolean {
  const calls = scope.calls ?? [];
  if (calls.includes(name)) throw evalError(`condition \`${name}\` uses itself`);
  if (calls.length >= MAX_CALL_DEPTH) throw evalError(`conditions are nested more than ${MAX_CALL_DEPTH} deep`);
  if (args.length !== condition.params.length) {
    throw evalError(`\`${name}\` takes ${condition.params.length} arguments, got ${args.length}`);
  }
  const variables = new Map<string, Binding>();
  condition.params.forEach((param, i) => {
    const type = staticType(argExprs[i]!, scope);
    variables.set(param, type === undefined ? { value: args[i] } : { value: args[i], type });
  });
  return evaluateCondition(condition.body, { ...scope, variables, calls: [...calls, name] });
}

function compare(expr: CompareExpr, scope: Scope): boolean {
  const left = evaluate(expr.left, scope);
  const right = evaluate(expr.right, scope);
  const op = expr.op;
  switch (op) {
    case "==":
      return scalarEquals(left, right, op);
    case "!=":
      return !scalarEquals(left, right, op);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const order = compareOrder(left, right, expr, scope);
      return op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : order >= 0;
    }
    case "in":
    case "not in": {
      if (!Array.isArray(right)) throw evalError(`\`${op}\` needs an array or a set on its right, got ${describe(right)}`);
      const found = right.some((member) => scalarEquals(left, member, op));
      return op === "in" ? found : !found;
    }
    case "contains":
      if (Array.isArray(left)) return left.some((member) => scalarEquals(right, member, op));
      return stringTest(left, right, op, (s, t) => s.includes(t));
    case "startsWith":
      return stringTest(left, right, op, (s, t) => s.startsWith(t));
    case "endsWith":
      return stringTest(left, right, op, (s, t) => s.endsWith(t));
    case "matches": {
      if (typeof left !== "string" || typeof right !== "string") {
        throw evalError(`\`matches\` needs a string and a glob, got ${describe(left)} and ${describe(right)}`);
      }
      const result = glob(right, left);
      if (typeof result !== "boolean") throw evalError(`the glob ${JSON.stringify(right)} is malformed: ${result.malformed}`);
      return result;
    }
    case "under": {
      const bases = Array.isArray(right) ? right : [right];
      if (typeof left !== "string" || !bases.every((b) => typeof b === "string")) {
        throw evalError(`\`under\` needs a path and a base path (or a set of them), got ${describe(left)} and ${describe(right)}`);
      }
      return bases.some((base) => underBase(left, base as string));
    }
  }
}

/**
 * `startsWith`, `endsWith`, `contains` on strings. JS compares UTF-16 code
 * units; on well-formed strings (validation guarantees it) that gives the
 * same answer as comparing UTF-8 bytes, which is what the language promises.
 */
function stringTest(left: Value, right: Value, op: string, test: (s: string, t: string) => boolean): boolean {
  if (typeof left !== "string" || typeof right !== "string") {
    throw evalError(`\`${op}\` needs two strings, got ${describe(left)} and ${describe(right)}`);
  }
  return test(left, right);
}

/**
 * Equality of scalars: same JSON type and same value. Arrays and objects are
 * refused, except against `null`: `p == null` is true exactly when `p` is
 * null, whatever else `p` may be, so `p != null` guards a nullable array or
 * object as the checker's AGP227 help says (ADR 0006, "Equality").
 */
export function scalarEquals(left: Value, right: Value, op: string): boolean {
  if (left === null || right === null) return left === right;
  if (!isScalar(left) || !isScalar(right)) {
    throw evalError(`\`${op}\` compares strings, numbers, booleans and null, got ${describe(left)} and ${describe(right)}`);
  }
  return sameScalar(left, right);
}

function sameScalar(a: Scalar, b: Scalar): boolean {
  return typeof a === typeof b && a === b;
}

/** Negative, zero or positive: numbers by value, strings by position in an ordered enum. */
function compareOrder(left: Value, right: Value, expr: CompareExpr, scope: Scope): number {
  if (typeof left === "number" && typeof right === "number") return left - right;
  if (typeof left === "string" && typeof right === "string") {
    const order = enumOrderOf(staticType(expr.left, scope)) ?? enumOrderOf(staticType(expr.right, scope));
    if (order === undefined) {
      throw evalError(`\`${expr.op}\` compares numbers or members of an ordered enum, got ${describe(left)} and ${describe(right)}`);
    }
    const result = compareOrdered(order, left, right);
    if (typeof result === "string") throw evalError(result);
    return result;
  }
  throw evalError(`\`${expr.op}\` compares numbers or members of an ordered enum, got ${describe(left)} and ${describe(right)}`);
}

// ---------------------------------------------------------------- paths

/** How a single-segment name resolves (see the header for the order). */
function resolveName(name: string, scope: Scope): "variable" | "root" | "constant" | "condition" | "enumMember" {
  if (scope.variables.has(name)) return "variable";
  if (scope.constants.has(name)) return "constant";
  if (scope.conditions?.has(name) === true) return "condition";
  if ((ROOTS as readonly string[]).includes(name)) return "root";
  return "enumMember";
}

/** Reads a path's value; an absent step is a refusal naming the path. A bare condition's name is its value. */
function readPath(path: Path, scope: Scope): Value {
  const root = path.root.name;
  if (path.fields.length === 0 && resolveName(root, scope) === "condition") {
    return useCondition(root, scope.conditions!.get(root)!, [], [], scope);
  }
  const result = walkPath(path, scope);
  if (result.present) return result.value;
  throw evalError(result.why);
}

/** True when every step of the path is present (`has`). */
function pathPresent(path: Path, scope: Scope): boolean {
  return walkPath(path, scope).present;
}

type Walk = { readonly present: true; readonly value: Value } | { readonly present: false; readonly why: string };

function walkPath(path: Path, scope: Scope): Walk {
  const root = path.root.name;
  const fields = path.fields.map((f) => f.name);
  if (root === "current" && scope.current !== undefined && !scope.variables.has(root) && !scope.constants.has(root)) {
    // `current.args.x` in a filter: the current request's field.
    const [first, ...rest] = fields;
    if (first === undefined || !(ROOTS as readonly string[]).includes(first)) return { present: false, why: "`current` reads a field of the current request, such as `current.args.path`" };
    return walkRoot(first as (typeof ROOTS)[number], rest, { ...scope, request: scope.current });
  }
  switch (resolveName(root, scope)) {
    case "variable":
      return walkFields(scope.variables.get(root)!.value, root, fields);
    case "constant":
      return walkFields(scope.constants.get(root), root, fields);
    case "condition":
      return { present: false, why: `\`${root}\` is a named condition; it has no fields and no presence to test` };
    case "enumMember":
      if (fields.length > 0) return { present: false, why: `\`${root}\` is not a request root, constant or variable` };
      return { present: true, value: root };
    case "root":
      return walkRoot(root as (typeof ROOTS)[number], fields, scope);
  }
}

function walkRoot(root: (typeof ROOTS)[number], fields: readonly string[], scope: Scope): Walk {
  const request = scope.request;
  switch (root) {
    case "agent":
      return walkFields(request.agent, "agent", fields);
    case "human":
      if (request.human === undefined) {
        return { present: false, why: `\`${["human", ...fields].join(".")}\` is absent: the request names no human` };
      }
      return walkFields(request.human, "human", fields);
    case "args":
      return walkFields(request.args, "args", fields);
    case "env":
      return walkFields(request.env, "env", fields);
    case "context":
      return walkFields(request.context, "context", fields);
    case "action": {
      const [key, ...rest] = fields;
      if (key === undefined) return { present: false, why: "`action` alone is not a value; read a field such as `action.name`" };
      const value = metadataValue(request.action, key);
      if (value === undefined) return { present: false, why: `\`action.${key}\` is absent for the action \`${request.action.name}\`` };
      return walkFields(value, `action.${key}`, rest);
    }
  }
}

/** `action.<key>`: catalog metadata, with `name` and `family` always available. */
function metadataValue(action: ActionEntry, key: string): Value {
  const declared = action.metadata.get(key);
  if (declared !== undefined) return declared.value;
  if (key === "name") return action.name;
  if (key === "family") return action.family;
  return undefined;
}

function walkFields(start: Value, startText: string, fields: readonly string[]): Walk {
  let value = start;
  let text = startText;
  for (const field of fields) {
    if (!isObject(value)) {
      return { present: false, why: `\`${text}\` is ${describe(value)}, which has no field \`${field}\`` };
    }
    text = `${text}.${field}`;
    if (!hasKey(value, field)) return { present: false, why: `\`${text}\` is absent (guard it with \`has ${text}\`)` };
    value = value[field];
  }
  return { present: true, value };
}

// ---------------------------------------------------------------- static types

/** The schema type of an expression when it is a request path or a typed variable; else undefined. */
function staticType(expr: Expr, scope: Scope): FieldType | undefined {
  if (expr.kind !== "Path") return undefined;
  const root = expr.root.name;
  const fields = expr.fields.map((f) => f.name);
  const kind = resolveName(root, scope);
  if (kind === "variable") return typeOfPath(scope.variables.get(root)!.type, fields);
  if (kind !== "root") return undefined;
  return typeOfPath(rootType(root, scope, fields), root === "action" ? fields.slice(1) : fields);
}

function rootType(root: string, scope: Scope, fields: readonly string[]): FieldType | undefined {
  const shape = scope.catalogs.request;
  switch (root) {
    case "agent":
      return shape.agent;
    case "human":
      return shape.human;
    case "args":
      return scope.request.action.args;
    case "env":
      return shape.env;
    case "context":
      return shape.context;
    case "action": {
      const key = fields[0];
      if (key === undefined) return undefined;
      return scope.request.action.metadata.get(key)?.type ?? metadataTypeOf(scope.catalogs, key);
    }
    default:
      return undefined;
  }
}

function metadataTypeOf(catalogs: CatalogSet, key: string): FieldType | undefined {
  for (const catalog of catalogs.catalogs) {
    const type = catalog.metadataTypes.get(key);
    if (type !== undefined) return type;
  }
  return undefined;
}

/** The element type of a quantifier's collection, when it is an array-typed path. */
function elementType(collection: Expr, scope: Scope): FieldType | undefined {
  const type = staticType(collection, scope);
  return type?.kind === "array" ? type.items : undefined;
}

function expectBoolean(value: Value, _expr: Expr, what: string): boolean {
  if (typeof value !== "boolean") throw evalError(`${what} must be a boolean, got ${describe(value)}`);
  return value;
}

function evalError(message: string): Refusal {
  return new Refusal("evaluation_error", message, "");
}
