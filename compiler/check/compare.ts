/**
 * Typing of comparisons: `== != < <= > >= in not in startsWith endsWith
 * contains matches under`.
 *
 * In: a `CompareExpr`, its env and scope, and the expression typer (passed in
 * to keep the import graph acyclic). Out: a typed comparison (boolean).
 * Reports mismatched operands (AGP211), enum membership (AGP212), ordering of
 * unordered enums (AGP213), null tests on non-nullable fields (AGP214),
 * non-collections after `in` (AGP221), non-constant globs (AGP222), nullable
 * operands without a null check (AGP227), literals a view never produces
 * (AGP271), bad or non-constant bases of `under` (AGP272, AGP273), enum
 * fields ordered by different lists (AGP274), fields of several kinds
 * (AGP275), globs the compiler would refuse (AGP276) and, through
 * bounds.ts, unbounded strings and arrays — everything the compiler would
 * otherwise refuse (ADR 0029). Must not resolve names itself.
 */
import { diagnostic, didYouMean } from "../diagnostics/index.js";
import type { CompareExpr, Expr } from "../syntax/index.js";
import { REQUEST_ROOTS, type LiteralValue, type Type, type TypedExpr } from "./checked.js";
import { requireMaxItems, requireMaxLength } from "./bounds.js";
import { actionOwner, pathKey, type Env, type Scope } from "./env.js";
import type { ResolveMode } from "./resolve.js";
import { compileGlob } from "../lower/index.js";
import { showExpr } from "./show.js";
import { BOOLEAN_TYPE, describeType, family, splitNull } from "./types.js";
import { badBase, outsideView, suggestedLiteral } from "./views.js";

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
    case "under":
      checkUnder(expr, left, right, env, scope);
      break;
  }
  return typed;
}

function isBareName(expr: Expr, env: Env, scope: Scope): boolean {
  if (expr.kind !== "Path" || expr.fields.length > 0) return false;
  const name = expr.root.name;
  return (
    !scope.variables.has(name) && !env.constants.has(name) && !env.conditions.has(name) && !(REQUEST_ROOTS as readonly string[]).includes(name)
  );
}

function checkEquality(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env): void {
  if (left.node.kind === "Null" || right.node.kind === "Null") {
    const other = left.node.kind === "Null" ? right : left;
    if (other.type.kind !== "null" && !splitNull(other.type).nullable) {
      env.report(diagnostic("AGP214", expr.span, { path: showExpr(other.node) }));
    }
    return;
  }
  if (oneKind(left, expr.op, env) || oneKind(right, expr.op, env)) return;
  if (!sameFamily(left.type, right.type)) {
    const set = left.type.kind === "set" || right.type.kind === "set";
    return mismatch(expr, left, right, env, set ? "to test membership in a set, use `in`" : undefined);
  }
  checkMember(left, right, env) || checkMember(right, left, env);
  checkViewValues(left, right, env) || checkViewValues(right, left, env);
  // Two strings read from the request are compared byte by byte.
  if (family(left.type) === "string" && isRead(left) && isRead(right)) {
    requireMaxLength(env, left.type, expr.left, expr.op);
    requireMaxLength(env, right.type, expr.right, expr.op);
  }
}

/** A field or a view of one: a string the engines read from the request (not a literal, constant or enum member). */
function isRead(side: TypedExpr): boolean {
  if (side.kind === "View") return true;
  return side.kind === "Path" && (side.resolution.kind === "field" || side.resolution.kind === "variable") && !(side.resolution.kind === "field" && side.resolution.root === "action");
}

/**
 * A field whose value may be of several kinds (a union of a string and a
 * number, or any value) cannot be compared: which test applies depends on
 * the value (AGP275). Returns true when reported.
 */
function oneKind(side: TypedExpr, op: string, env: Env): boolean {
  if (side.kind !== "Path" || (side.resolution.kind !== "field" && side.resolution.kind !== "variable")) return false;
  const { base } = splitNull(side.type);
  if (base.kind !== "union" && base.kind !== "any") return false;
  const resolution = side.resolution;
  const owner =
    resolution.kind === "field" && (resolution.root === "args" || resolution.root === "action") && resolution.perAction[0] !== undefined
      ? actionOwner(env, resolution.perAction[0].action)
      : "its schema";
  env.report(diagnostic("AGP275", side.node.span, { path: showExpr(side.node), type: describeType(side.type), owner, op }));
  return true;
}

/**
 * A literal compared with a view must be a value the view can produce
 * (`lower(x) == "Acme"` never holds): AGP271. Returns true when `view` is a view.
 */
function checkViewValues(view: TypedExpr, other: TypedExpr, env: Env, affix = false): boolean {
  if (view.kind !== "View") return false;
  const values = stringValues(other);
  for (const { value, span } of values) {
    const why = affix ? (view.view === "normpath" || !/[A-Z]/.test(value) ? undefined : `it has upper-case letters, which \`${view.view}\` never returns`) : outsideView(view.view, value);
    if (why === undefined) continue;
    const fixed = affix ? value.toLowerCase() : suggestedLiteral(view.view, value);
    env.report(
      diagnostic("AGP271", span, { value, view: showExpr(view.node), why }, fixed === undefined || fixed === value ? {} : { help: `write \`${JSON.stringify(fixed)}\`` }),
    );
  }
  return true;
}

/** The strings a literal, a set, or a constant of either holds, with where to report each. */
function stringValues(side: TypedExpr): { value: string; span: Expr["span"] }[] {
  if (side.kind === "Literal") return typeof side.value === "string" ? [{ value: side.value, span: side.node.span }] : [];
  if (side.kind === "Set") {
    return side.node.elements.flatMap((e, i) => (typeof side.values[i] === "string" ? [{ value: side.values[i] as string, span: e.span }] : []));
  }
  if (side.kind === "Path" && side.resolution.kind === "constant") {
    const v = side.resolution.value;
    const all = v.kind === "literal" ? [v.value] : v.values;
    return all.flatMap((value) => (typeof value === "string" ? [{ value, span: side.node.span }] : []));
  }
  return [];
}

function checkOrdering(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  if (needsValue(left, env, scope, expr.op) || needsValue(right, env, scope, expr.op)) return;
  if (oneKind(left, expr.op, env) || oneKind(right, expr.op, env)) return;
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
    checkOneOrder(expr, left, right, env);
    return;
  }
  mismatch(expr, left, right, env, "`<`, `<=`, `>` and `>=` compare numbers, or members of an ordered enum");
}

/**
 * Ordering needs one order: the members, in order, of every enum involved,
 * under every matched action. Two fields whose enums differ, or one field
 * whose enum differs between the actions a pattern matches, would be
 * ordered by different lists (AGP274).
 */
function checkOneOrder(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env): void {
  const orders = (side: TypedExpr): { text: string; members: readonly string[] }[] => {
    if (side.kind !== "Path" || (side.resolution.kind !== "field" && side.resolution.kind !== "variable")) return [];
    const types = side.resolution.kind === "field" && side.resolution.perAction.length > 0 ? side.resolution.perAction.map((a) => a.type) : [side.type];
    return types.flatMap((t) => {
      const base = splitNull(t).base;
      return base.kind === "string" && base.enum !== undefined ? [{ text: showExpr(side.node), members: base.enum }] : [];
    });
  };
  const all = [...orders(left), ...orders(right)];
  const first = all[0];
  const other = all.find((o) => o.members.join("\u0000") !== first?.members.join("\u0000"));
  if (first === undefined || other === undefined) return;
  const list = (m: readonly string[]) => m.map((x) => `\`${x}\``).join(", ");
  env.report(
    diagnostic("AGP274", expr.span, {
      op: expr.op,
      left: first.text,
      right: other.text,
      leftMembers: list(first.members),
      rightMembers: list(other.members),
      example: `${first.text} >= ${first.members[first.members.length - 1] ?? "…"}`,
    }),
  );
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
  if (oneKind(left, expr.op, env)) return;
  if (!sameFamily(left.type, element)) return mismatch(expr, left, right, env);
  if (right.type.kind === "set") checkViewValues(left, right, env);
  // A string read from the request searched for among an array's strings: both are compared byte by byte.
  if (base.kind === "array" && family(element) === "string" && isRead(left)) {
    requireMaxLength(env, left.type, expr.left, expr.op);
    requireMaxLength(env, element, expr.right, expr.op);
  }
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
  if (left.kind !== "Literal" && !isConstant(left)) requireMaxLength(env, left.type, expr.left, expr.op);
  if ((right.kind === "Path" && right.resolution.kind !== "constant") || right.kind === "View") requireMaxLength(env, right.type, expr.right, expr.op);
  checkViewValues(left, right, env, true);
}

function isConstant(side: TypedExpr): boolean {
  return side.kind === "Path" && (side.resolution.kind === "constant" || side.resolution.kind === "enumMember");
}

function checkArrayContains(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  if (needsValue(left, env, scope, expr.op)) return;
  const array = splitNull(left.type).base;
  if (array.kind !== "array") return;
  requireMaxItems(env, array, expr.left, "`contains` searches");
  if (!sameFamily(array.items, right.type)) return mismatch(expr, left, right, env);
  if (family(array.items) === "string" && isRead(right)) {
    requireMaxLength(env, array.items, expr.left, expr.op);
    requireMaxLength(env, right.type, expr.right, expr.op);
  }
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
  const glob = right.kind === "Literal" ? right.value : right.kind === "Path" && right.resolution.kind === "constant" && right.resolution.value.kind === "literal" ? right.resolution.value.value : undefined;
  if (typeof glob === "string") checkGlob(glob, expr.right, env);
  if (needsValue(left, env, scope, expr.op)) return;
  if (left.kind !== "Literal" && !isConstant(left)) requireMaxLength(env, left.type, expr.left, expr.op);
}

/**
 * A glob is compiled to an automaton ahead of time: a malformed one, or one
 * whose automaton is too large, is refused here rather than by the compiler
 * (AGP276), with the compiler's own message and help.
 */
function checkGlob(glob: string, at: Expr, env: Env): void {
  const compiled = compileGlob(glob);
  if (compiled.ok) return;
  const error = compiled.error;
  const span =
    error.kind === "syntax" && at.kind === "String" && at.span.line === at.span.endLine && at.span.endOffset - at.span.offset === JSON.stringify(glob).length
      ? { ...at.span, column: at.span.column + 1 + error.offset, offset: at.span.offset + 1 + error.offset, endColumn: at.span.column + 1 + error.offset + Math.max(1, error.length), endOffset: at.span.offset + 1 + error.offset + Math.max(1, error.length) }
      : at.span;
  env.report(diagnostic("AGP276", span, { message: error.message }, { help: error.help }));
}

/**
 * `path under base`: a string read from the request (or a view of one), and
 * an absolute base path known ahead of time, or a set of them.
 */
function checkUnder(expr: CompareExpr, left: TypedExpr, right: TypedExpr, env: Env, scope: Scope): void {
  const bases = right.type.kind === "set" ? right.type.element : right.type;
  if (family(left.type) !== "string" || (family(bases) !== "string" && bases.kind !== "error")) {
    return mismatch(expr, left, right, env, "`under` tests a path against a base path, such as `args.path under \"/workspace\"`");
  }
  const known = right.kind === "Literal" || right.kind === "Set" || (right.kind === "Path" && right.resolution.kind === "constant");
  if (!known) {
    env.report(diagnostic("AGP273", expr.right.span));
    return;
  }
  for (const { value, span } of stringValues(right)) {
    const why = badBase(value);
    if (why !== undefined) env.report(diagnostic("AGP272", span, { base: value, why }));
  }
  if (needsValue(left, env, scope, expr.op)) return;
  if (left.kind !== "Literal" && !isConstant(left)) requireMaxLength(env, left.type, expr.left, expr.op);
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
