/**
 * Typing of expressions: gives every expression node a type, checks that
 * conditions are booleans, that `has` tests a field, that quantifiers range
 * over bounded collections, and carries guard facts from left to right.
 *
 * In: an AST expression, its env and scope. Out: a `TypedExpr`; problems go
 * to `env.report`: non-boolean conditions (AGP215), `has` on a non-field
 * (AGP218) or an always-present field (AGP306), shadowing variables
 * (AGP220), quantifiers over non-collections (AGP221), unbounded (AGP217)
 * or nullable (AGP227) arrays. Comparisons are typed in compare.ts; paths are resolved in
 * resolve.ts. Must not emit warnings about whole rules (warnings.ts does).
 */
import { diagnostic } from "../diagnostics/index.js";
import type { Expr, HasExpr, Path, QuantifiedExpr, SetLiteral } from "../syntax/index.js";
import { REQUEST_ROOTS, type LiteralValue, type PathResolution, type Type, type TypedExpr } from "./checked.js";
import { requireMaxItems } from "./bounds.js";
import { typeCompare } from "./compare.js";
import { typeBareUse, typeCall } from "./calls.js";
import { actionOwner, pathKey, type ConditionInfo, type Env, type Scope } from "./env.js";
import { assume, guardLookup, whenFalse, whenTrue } from "./guards.js";
import { resolvePath, type ResolveMode } from "./resolve.js";
import { isCount, typeCountCompare, typeLabelTest, typePast } from "./session-typing.js";
import { showExpr } from "./show.js";
import { BOOLEAN_TYPE, describeType, ERROR_TYPE, family, literalType, literalValue, mergeTypes, splitNull } from "./types.js";

/** Types an expression that must be a condition; `what` names it in messages ("the condition of rule `x`"). */
export function typeCondition(expr: Expr, env: Env, scope: Scope, what: string): TypedExpr {
  const typed = typeExpr(expr, env, scope);
  const type = typed.type;
  if (type.kind !== "boolean" && type.kind !== "error") {
    env.report(diagnostic("AGP215", expr.span, { what, expr: showExpr(expr), type: describeType(type) }));
  }
  return typed;
}

export function typeExpr(expr: Expr, env: Env, scope: Scope, mode: ResolveMode = {}): TypedExpr {
  switch (expr.kind) {
    case "Path": {
      const condition = conditionNamed(expr, env, scope);
      if (condition !== undefined) return typeBareUse(expr, condition, env, scope, typeExpr, typeCondition);
      const { type, resolution } = resolvePath(expr, env, scope, mode);
      return { kind: "Path", node: expr, type, resolution };
    }
    case "String":
    case "Number":
    case "Boolean":
    case "Null":
      return { kind: "Literal", node: expr, type: literalType(expr), value: literalValue(expr) };
    case "Set":
      return typeSet(expr);
    case "Logical": {
      const what = `each side of \`${expr.op}\``;
      const left = typeCondition(expr.left, env, scope, what);
      const facts = expr.op === "and" ? whenTrue(expr.left, guardLookup(env, scope)) : whenFalse(expr.left, guardLookup(env, scope));
      const right = typeCondition(expr.right, env, assume(scope, facts), what);
      return { kind: "Logical", node: expr, type: BOOLEAN_TYPE, op: expr.op, left, right };
    }
    case "Not": {
      const operand = typeCondition(expr.operand, env, scope, "the operand of `not`");
      return { kind: "Not", node: expr, type: BOOLEAN_TYPE, operand };
    }
    case "Compare":
      if (isCount(expr.left) || isCount(expr.right)) return typeCountCompare(expr, env, scope, typeExpr);
      return typeCompare(expr, env, scope, typeExpr);
    case "Has":
      return typeHas(expr, env, scope);
    case "Quantified":
      return typeQuantified(expr, env, scope);
    case "Past":
      return typePast(expr, env, scope, typeExpr);
    case "LabelTest":
      return typeLabelTest(expr, env);
    case "Call":
      return typeCall(expr, env, scope, typeExpr, typeCondition);
  }
}

/** The named condition a bare name uses: not a variable or constant, one segment, a condition of the package. */
function conditionNamed(path: Path, env: Env, scope: Scope): ConditionInfo | undefined {
  const name = path.root.name;
  if (path.fields.length > 0 || scope.variables.has(name) || env.constants.has(name)) return undefined;
  return env.conditions.get(name);
}

/** A set literal; mixed element types are a syntax error (AGP117), so the first element's family is the set's. */
export function typeSet(expr: SetLiteral): TypedExpr {
  const values: LiteralValue[] = expr.elements.map(literalValue);
  let element: Type = ERROR_TYPE;
  for (const literal of expr.elements) {
    const type = literalType(literal);
    if (element.kind === "error") element = type;
    else if (family(element) !== family(type)) return { kind: "Set", node: expr, type: ERROR_TYPE, values };
    else element = mergeTypes(element, type);
  }
  return { kind: "Set", node: expr, type: { kind: "set", element, size: expr.elements.length }, values };
}

function typeHas(expr: HasExpr, env: Env, scope: Scope): TypedExpr {
  const path = expr.path;
  const root = path.root.name;
  const isRoot = (REQUEST_ROOTS as readonly string[]).includes(root) && !scope.variables.has(root) && !env.constants.has(root);
  const known = isRoot || scope.variables.has(root) || env.constants.has(root) || env.conditions.has(root);
  if (known && !isRoot && (path.fields.length === 0 || !scope.variables.has(root))) {
    const what = scope.variables.has(root)
      ? "a quantifier variable"
      : env.constants.has(root)
        ? "a constant"
        : "a named condition";
    if (env.conditions.has(root) && !scope.variables.has(root)) env.conditions.get(root)!.used = true;
    if (env.constants.has(root)) env.constants.get(root)!.used = true;
    env.report(diagnostic("AGP218", path.span, { path: showExpr(path), what }));
    return { kind: "Has", node: expr, type: BOOLEAN_TYPE, path: { kind: "Path", node: path, type: ERROR_TYPE, resolution: { kind: "error" } } };
  }
  const resolved = resolvePath(path, env, scope, { guard: true });
  const typedPath: TypedExpr = { kind: "Path", node: path, type: resolved.type, resolution: resolved.resolution };
  const why = alwaysPresent(expr, env, scope, resolved.resolution);
  if (why !== undefined) env.report(diagnostic("AGP306", expr.span, { path: showExpr(path), why }));
  return { kind: "Has", node: expr, type: BOOLEAN_TYPE, path: typedPath };
}

/** Why `has p` cannot be false, or undefined when it can. */
function alwaysPresent(expr: HasExpr, env: Env, scope: Scope, resolution: PathResolution): string | undefined {
  const path = expr.path;
  const root = path.root.name;
  if (resolution.kind === "variable") {
    return undefined;
  }
  if (resolution.kind !== "field") return undefined;
  if (root === "human") {
    if (!env.humanPresent) return undefined;
    if (path.fields.length === 0) return "rules for the human run only when a human is present";
  } else if (path.fields.length === 0) {
    return `every request has \`${root}\``;
  }
  if (resolution.perAction.length === 0) return undefined;
  if (!resolution.perAction.every((a) => a.required)) return undefined;
  const key = pathKey(path);
  if (scope.present.has(key)) return undefined;
  if (root === "args" || root === "action") {
    return `\`${key}\` is required in ${actionOwner(env, resolution.perAction[0]!.action)}`;
  }
  return `\`${key}\` is always in the request's \`${root}\``;
}

function typeQuantified(expr: QuantifiedExpr, env: Env, scope: Scope): TypedExpr {
  const name = expr.variable.name;
  const shadowed = env.constants.has(name)
    ? `the constant \`${name}\``
    : env.conditions.has(name)
      ? `the condition \`${name}\``
    : scope.variables.has(name)
      ? `the variable \`${name}\` of an enclosing quantifier`
      : (REQUEST_ROOTS as readonly string[]).includes(name)
        ? `the request's \`${name}\``
        : undefined;
  if (shadowed !== undefined) env.report(diagnostic("AGP220", expr.variable.span, { name, what: shadowed }));
  const collection = typeExpr(expr.collection, env, scope);
  let element: Type = ERROR_TYPE;
  const { base, nullable } = splitNull(collection.type);
  if (collection.type.kind === "set") element = collection.type.element;
  else if (base.kind === "array") {
    if (nullable && !scope.nonNull.has(showExpr(expr.collection))) {
      env.report(
        diagnostic("AGP227", expr.collection.span, {
          path: showExpr(expr.collection),
          owner: "its schema",
          op: expr.quantifier,
        }),
      );
    }
    requireMaxItems(env, base, expr.collection, `\`${expr.quantifier}\` iterates over`);
    element = base.items;
  } else if (collection.type.kind !== "error") {
    env.report(
      diagnostic("AGP221", expr.collection.span, {
        use: `\`${expr.quantifier}\``,
        expr: showExpr(expr.collection),
        type: describeType(collection.type),
      }),
    );
  }
  const variables = new Map(scope.variables);
  variables.set(name, element);
  const body = typeCondition(expr.body, env, { ...scope, variables }, `the body of \`${expr.quantifier}\``);
  return {
    kind: "Quantified",
    node: expr,
    type: BOOLEAN_TYPE,
    quantifier: expr.quantifier,
    variable: name,
    collection,
    body,
  };
}
