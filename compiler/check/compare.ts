/**
 * Typing of comparisons: `== != < <= > >= in not in startsWith endsWith
 * contains matches`.
 *
 * In: a `CompareExpr`, its env and scope, and the expression typer (passed in
 * to keep the import graph acyclic). Out: a typed comparison (boolean).
 * Reports mismatched operands (AGP211), enum membership (AGP212), ordering of
 * unordered enums (AGP213), null tests on non-nullable fields (AGP214),
 * non-collections after `in` (AGP221), non-constant globs (AGP222), nullable
 * operands without a null check (AGP227) and, through bounds.ts, unbounded
 * strings and arrays. Must not resolve names itself.
 */
import { diagnostic, didYouMean } from "../diagnostics/index.js";
import type { CompareExpr, Expr } from "../syntax/index.js";
import { REQUEST_ROOTS, type LiteralValue, type Type, type TypedExpr } from "./checked.js";
import { requireMaxItems, requireMaxLength } from "./bounds.js";
import { actionOwner, pathKey, type Env, type Scope } from "./env.js";
import type { ResolveMode } from "./resolve.js";
import { showExpr } from "./show.js";
import { BOOLEAN_TYPE, describeType, family, splitNull } from "./types.js";

type Typer = (expr: Expr, env: Env, scope: Scope, mode?: ResolveMode) => TypedExpr;

export function typeCompare(expr: CompareExpr, env: Env, scope: Scope, typeExpr: Typer): TypedExpr {
  let left: TypedExpr;
  let right: TypedExpr;
  // A bare name that is not a constant, variable or root may be an enum member of the other side.
  if (isBareName(expr.left, env, scope) && !isBareName(expr.right, env, scope)) {
    right = typeExpr(expr.right, env, scope);
    left = typeExpr(expr.left, env, scope, { expected: right.type, expectedText: showExpr(expr.right) });
  } else {
    left = typeExpr(expr.left, env, scope);
    right = typeExpr(expr.right, env, scope, { expected: left.type, expectedText: showExpr(expr.left) });
  }
  const typed: TypedExpr = { kind: "Compare", node: expr, type: BOOLEAN_TYPE, op: expr.op, left, right };
  if (left.type.kind === "error" || right.type.kind === "error") return typed;
  switch (expr.op) {
    case "==":
    case "!=":
      checkEquality(expr, left, right, env);
      break;
    case "<":
    case "<=":
    case ">":
    case ">=":
      checkOrdering(expr, left, right, env, scope);
      break;
    case "in":
    case "not in":
      checkIn(expr, left, right, env);
      break;
    case "startsWith":
    case "endsWith":
      checkStrings(expr, left, right, env, scope);
      break;
    case "contains":
      if (splitNull(left.type).base.kind === "array") checkArrayContains(expr, left, right, env, scope);
      else checkStrings(expr, left, right, env, scope);
      break;
    case "matches":
      checkMatches(expr, left, right, env, scope);
      break;
  }
  return typed;
}

function isBareName(expr: Expr, env: Env, scope: Scope): boolean {
  if (expr.kind !== "Path" || expr.fields.length > 0) return false;
  const name = expr.root.name;
  return !scope.variables.has(name) && !env.constants.has(name) && !(REQUEST_ROOTS as readonly string[]).includes(name);
}

function checkEquality(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env): void {
  if (left.node.kind === "Null" || right.node.kind === "Null") {
    const other = left.node.kind === "Null" ? right : left;
    if (other.type.kind !== "null" && !splitNull(other.type).nullable) {
      env.report(diagnostic("AGP214", expr.span, { path: showExpr(other.node) }));
    }
    return;
  }
  if (!sameFamily(left.type, right.type)) {
    const set = left.type.kind === "set" || right.type.kind === "set";
    return mismatch(expr, left, right, env, set ? "to test membership in a set, use `in`" : undefined);
  }
  checkMember(left, right, env) || checkMember(right, left, env);
}

function checkOrdering(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  if (needsValue(left, env, scope, expr.op) || needsValue(right, env, scope, expr.op)) return;
  const l = splitNull(left.type).base;
  const r = splitNull(right.type).base;
  if (l.kind === "number" && r.kind === "number") return;
  if (l.kind === "string" && r.kind === "string" && (l.enum !== undefined || r.enum !== undefined)) {
    const enumSide = l.enum !== undefined && left.kind === "Path" ? left : r.enum !== undefined ? right : left;
    const enumType = splitNull(enumSide.type).base;
    if (enumType.kind === "string" && enumType.ordered !== true) {
      env.report(
        diagnostic("AGP213", expr.span, {
          op: expr.op,
          path: showExpr(enumSide.node),
          file: enumType.location?.file ?? "the catalog",
          pointer: enumType.location?.pointer ?? "/",
        }),
      );
      return;
    }
    checkMember(left, right, env) || checkMember(right, left, env);
    return;
  }
  mismatch(expr, left, right, env, "`<`, `<=`, `>` and `>=` compare numbers, or members of an ordered enum");
}

function checkIn(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env): void {
  const { base } = splitNull(right.type);
  let element: Type;
  if (right.type.kind === "set") element = right.type.element;
  else if (base.kind === "array") {
    requireMaxItems(env, base, expr.right, `\`${expr.op}\` searches`);
    element = base.items;
  } else {
    env.report(
      diagnostic("AGP221", expr.right.span, { use: `\`${expr.op}\``, expr: showExpr(expr.right), type: describeType(right.type) }),
    );
    return;
  }
  if (element.kind === "error") return;
  if (!sameFamily(left.type, element)) return mismatch(expr, left, right, env);
  const enumType = splitNull(left.type).base;
  if (enumType.kind === "string" && enumType.enum !== undefined && left.kind === "Path") {
    const members = enumType.enum;
    if (right.kind === "Set") {
      right.node.elements.forEach((literal, i) => {
        const value = right.values[i];
        if (typeof value === "string" && !members.includes(value)) reportMember(env, literal.span, value, left, members);
      });
    } else if (right.kind === "Path" && right.resolution.kind === "constant" && right.resolution.value.kind === "set") {
      const missing = right.resolution.value.values.find((v) => typeof v === "string" && !members.includes(v));
      if (typeof missing === "string") reportMember(env, right.node.span, missing, left, members);
    }
  }
}

function checkStrings(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  if (family(left.type) !== "string" || family(right.type) !== "string") {
    const help =
      expr.op === "contains"
        ? "`contains` tests a string for a substring, or an array for a member"
        : `\`${expr.op}\` compares two strings`;
    return mismatch(expr, left, right, env, help);
  }
  if (needsValue(left, env, scope, expr.op) || needsValue(right, env, scope, expr.op)) return;
  if (left.kind !== "Literal") requireMaxLength(env, left.type, expr.left, expr.op);
  if (right.kind === "Path" && right.resolution.kind !== "constant") requireMaxLength(env, right.type, expr.right, expr.op);
}

function checkArrayContains(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  if (needsValue(left, env, scope, expr.op)) return;
  const array = splitNull(left.type).base;
  if (array.kind !== "array") return;
  requireMaxItems(env, array, expr.left, "`contains` searches");
  if (!sameFamily(array.items, right.type)) return mismatch(expr, left, right, env);
  const items = splitNull(array.items).base;
  if (items.kind === "string" && items.enum !== undefined) checkMember({ ...left, type: items }, right, env);
}

function checkMatches(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  const constantGlob =
    right.kind === "Literal" ||
    (right.kind === "Path" && right.resolution.kind === "constant" && right.resolution.value.kind === "literal");
  if (family(left.type) !== "string" || family(right.type) !== "string") {
    return mismatch(expr, left, right, env, "`matches` tests a string against a glob");
  }
  if (!constantGlob) {
    env.report(diagnostic("AGP222", expr.right.span));
    return;
  }
  if (needsValue(left, env, scope, expr.op)) return;
  if (left.kind !== "Literal") requireMaxLength(env, left.type, expr.left, expr.op);
}

function sameFamily(a: Type, b: Type): boolean {
  const fa = family(a);
  return fa !== "other" && fa === family(b);
}

function mismatch(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, help?: string): void {
  const side = (t: TypedExpr) => `\`${showExpr(t.node)}\` (${describeType(t.type)})`;
  env.report(diagnostic("AGP211", expr.span, { op: expr.op, left: side(left), right: side(right) }, help === undefined ? {} : { help }));
}

/**
 * An enum-typed side compared with a literal (or literal constant): the
 * literal must be a member. Returns true when `enumSide` is an enum.
 */
function checkMember(enumSide: TypedExpr, valueSide: TypedExpr, env: Env): boolean {
  const type = splitNull(enumSide.type).base;
  if (enumSide.kind !== "Path" || enumSide.resolution.kind === "enumMember") return false;
  if (type.kind === "number" && type.enum !== undefined) {
    const members = type.enum;
    const value = literalOf(valueSide);
    if (typeof value === "number" && !members.includes(value)) {
      env.report(
        diagnostic("AGP212", valueSide.node.span, { value: String(value), path: showExpr(enumSide.node) }, {
          help: `the members are ${members.map((m) => `\`${m}\``).join(", ")}`,
        }),
      );
    }
    return true;
  }
  if (type.kind !== "string" || type.enum === undefined) return false;
  const value = literalOf(valueSide);
  if (typeof value === "string" && !type.enum.includes(value)) reportMember(env, valueSide.node.span, value, enumSide, type.enum);
  return true;
}

/** The value of a literal or a literal constant. */
function literalOf(side: TypedExpr): LiteralValue | undefined {
  if (side.kind === "Literal") return side.value;
  if (side.kind === "Path" && side.resolution.kind === "constant" && side.resolution.value.kind === "literal") {
    return side.resolution.value.value;
  }
  return undefined;
}

function reportMember(env: Env, span: CompareExpr["span"], value: string, enumSide: TypedExpr, members: readonly string[]): void {
  const help = didYouMean(value, members) ?? `the members are ${members.map((m) => `\`${m}\``).join(", ")}`;
  env.report(diagnostic("AGP212", span, { value, path: showExpr(enumSide.node) }, { help }));
}

/** A nullable path used where a value is needed, without a `!= null` check: AGP227. Returns true if reported. */
function needsValue(side: TypedExpr, env: Env, scope: Scope, op: string): boolean {
  if (side.kind !== "Path" || !splitNull(side.type).nullable) return false;
  const key = pathKey(side.node);
  if (scope.nonNull.has(key)) return false;
  const resolution = side.resolution;
  let owner = "its schema";
  if (resolution.kind === "field") {
    const first = resolution.perAction.find((a) => splitNull(a.type).nullable);
    owner =
      resolution.root === "args" || resolution.root === "action"
        ? first === undefined
          ? "its schema"
          : actionOwner(env, first.action)
        : `the request's \`${resolution.root}\``;
  }
  env.report(diagnostic("AGP227", side.node.span, { path: key, owner, op }));
  return true;
}
