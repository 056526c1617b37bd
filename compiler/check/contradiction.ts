/**
 * Finds conditions that can never be true, for AGP301.
 *
 * In: a typed condition. Out: a reason in the author's words, or undefined.
 * Sound, not complete: it only answers when the conjunction of the tests on
 * one field (==, !=, in, not in, <, <=, >, >= against literals, constants
 * and enum members, boolean fields) leaves no value — counting the field's
 * schema, which every engine enforces before rules run (bounds, lengths,
 * pattern, multipleOf: ADR 0010) — when `a and not a`
 * appear together, when every side of an `or` is impossible, or when the
 * condition is `false`. Must not report anything itself.
 */
import type { Expr } from "../syntax/index.js";
import type { LiteralValue, Type, TypedExpr } from "./checked.js";
import { showExpr } from "./show.js";
import { patternMatches } from "../catalog/index.js";
import { splitNull } from "./types.js";

/** Why the condition can never hold, or undefined if it may. */
export function impossible(condition: TypedExpr): string | undefined {
  if (condition.kind === "Literal" && condition.value === false) return "its condition is `false`";
  if (condition.kind === "Logical" && condition.op === "or") {
    const left = impossible(condition.left);
    return left !== undefined && impossible(condition.right) !== undefined ? "no side of its `or` can be true" : undefined;
  }
  const conjuncts = flatten(condition);
  for (const c of conjuncts) {
    if (c.kind === "Logical" || (c.kind === "Literal" && c.value === false)) {
      const reason = impossible(c);
      if (reason !== undefined) return reason;
    }
  }
  // Keys are built only when there is a `not` to pair: most conditions have none.
  const negated = conjuncts.filter((c) => c.kind === "Not");
  const keys = negated.length === 0 ? new Set<string>() : new Set(conjuncts.map((c) => structuralKey(c.node)));
  for (const c of negated) {
    if (c.kind === "Not" && keys.has(structuralKey(c.operand.node))) {
      return `\`${showExpr(c.operand.node)}\` and \`not ${showExpr(c.operand.node)}\` cannot both hold`;
    }
  }
  return fieldConflict(conjuncts);
}

function flatten(expr: TypedExpr): TypedExpr[] {
  return expr.kind === "Logical" && expr.op === "and" ? [...flatten(expr.left), ...flatten(expr.right)] : [expr];
}

/** Keys already built, by node: the checker asks for one node's key from several warnings. */
const keyCache = new WeakMap<Expr, string>();

/** A span-free identity for syntactic comparison (syntax trees are immutable, so it is cached per node). */
export function structuralKey(node: Expr): string {
  let key = keyCache.get(node);
  if (key === undefined) {
    key = keyText(node);
    keyCache.set(node, key);
  }
  return key;
}

/**
 * JSON-like text of a syntax value without its spans. Written by hand: a
 * `JSON.stringify` replacer calls back for every key and was the checker's
 * largest cost at 10,000 rules. Recursion is bounded (MAX_TREE_DEPTH).
 */
function keyText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `${value.toString()}n`;
    case "object":
      break;
    default:
      return "null";
  }
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + keyText(value[i]);
    return `${text}]`;
  }
  let text = "{";
  for (const name in value) {
    if (name === "span" || name === "keySpan") continue;
    const field = (value as Record<string, unknown>)[name];
    if (field === undefined || typeof field === "function") continue;
    text += `${JSON.stringify(name)}:${keyText(field)},`;
  }
  return `${text}}`;
}

type Op = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

interface Atom {
  readonly key: string;
  readonly type: Type;
  readonly op: Op;
  readonly values: readonly LiteralValue[];
}

const NEGATE: Record<Op, Op> = { "==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<", in: "not in", "not in": "in" };
const FLIP: Partial<Record<Op, Op>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" };

function atomOf(expr: TypedExpr, negated = false): Atom | undefined {
  if (expr.kind === "Not") return atomOf(expr.operand, !negated);
  if (expr.kind === "Path" && expr.resolution.kind === "field" && expr.type.kind === "boolean") {
    return { key: showExpr(expr.node), type: expr.type, op: "==", values: [!negated] };
  }
  if (expr.kind !== "Compare") return undefined;
  let op = expr.op as Op;
  if (!(op in NEGATE)) return undefined;
  let field = expr.left;
  let other = expr.right;
  if (!isField(field)) {
    const flipped = FLIP[op];
    if (flipped === undefined || !isField(other)) return undefined;
    [field, other] = [other, field];
    op = flipped;
  }
  const values = constantValues(other);
  if (values === undefined) return undefined;
  if ((op === "in" || op === "not in") !== (other.type.kind === "set")) return undefined;
  if (negated) {
    // Negating an ordering is only exact when the field cannot be null.
    if ((op === "<" || op === "<=" || op === ">" || op === ">=") && splitNull(field.type).nullable) return undefined;
    op = NEGATE[op];
  }
  return { key: showExpr(field.node), type: field.type, op, values };
}

function isField(expr: TypedExpr): boolean {
  return expr.kind === "Path" && expr.resolution.kind === "field";
}

function constantValues(expr: TypedExpr): readonly LiteralValue[] | undefined {
  if (expr.kind === "Literal") return [expr.value];
  if (expr.kind === "Set") return expr.values;
  if (expr.kind === "Path") {
    const r = expr.resolution;
    if (r.kind === "enumMember") return [r.value];
    if (r.kind === "constant") return r.value.kind === "literal" ? [r.value.value] : r.value.values;
  }
  return undefined;
}

function fieldConflict(conjuncts: readonly TypedExpr[]): string | undefined {
  const byKey = new Map<string, Atom[]>();
  for (const c of conjuncts) {
    const atom = atomOf(c);
    if (atom === undefined) continue;
    byKey.set(atom.key, [...(byKey.get(atom.key) ?? []), atom]);
  }
  for (const [key, atoms] of byKey) {
    const reason = conflict(key, atoms);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function conflict(key: string, atoms: readonly Atom[]): string | undefined {
  const eq = atoms.filter((a) => a.op === "==").map((a) => a.values[0]!);
  const distinct = [...new Set(eq)];
  if (distinct.length > 1) return `\`${key}\` cannot be both ${show(distinct[0]!)} and ${show(distinct[1]!)}`;
  const { base, nullable } = splitNull(atoms[0]!.type);
  const order = base.kind === "string" && base.ordered === true && base.enum !== undefined ? base.enum : undefined;
  // The finite set of values still possible, when some test makes it finite.
  let domain: LiteralValue[] | undefined = distinct.length === 1 ? distinct : undefined;
  // Without a null, a boolean or an enum field has a finite set of values.
  if (domain === undefined && !nullable && base.kind === "boolean") domain = [true, false];
  if (domain === undefined && !nullable && base.kind === "string" && base.enum !== undefined) domain = [...base.enum];
  for (const a of atoms.filter((x) => x.op === "in")) {
    const allowed = new Set(a.values);
    domain = domain === undefined ? [...allowed] : domain.filter((v) => allowed.has(v));
  }
  const excluded = new Set(atoms.filter((a) => a.op === "!=" || a.op === "not in").flatMap((a) => a.values));
  const ranges = atoms.filter((a) => a.op === "<" || a.op === "<=" || a.op === ">" || a.op === ">=");
  const rank = (v: LiteralValue): number | undefined =>
    typeof v === "number" ? v : order !== undefined && typeof v === "string" && order.includes(v) ? order.indexOf(v) : undefined;
  const inRange = (v: LiteralValue): boolean =>
    ranges.every((r) => {
      const x = rank(v);
      const bound = rank(r.values[0]!);
      if (x === undefined || bound === undefined) return true;
      return r.op === "<" ? x < bound : r.op === "<=" ? x <= bound : r.op === ">" ? x > bound : x >= bound;
    });
  if (domain !== undefined) {
    const left = domain.filter((v) => !excluded.has(v) && inRange(v));
    if (left.length === 0) return `no value of \`${key}\` passes every test on it`;
    // Values the field's schema refuses never reach a rule (every engine validates first).
    const refusals = left.map((v) => schemaRefuses(base, v));
    if (refusals.every((r) => r !== undefined)) {
      return left.length === 1 ? `\`${key}\` is never ${show(left[0]!)}: its schema's ${refusals[0]!}` : `no value of \`${key}\` these tests allow passes its schema`;
    }
    return undefined;
  }
  // An infinite domain: only numeric ranges can be empty.
  let lo = -Infinity;
  let loStrict = false;
  let hi = Infinity;
  let hiStrict = false;
  for (const r of ranges) {
    const bound = rank(r.values[0]!);
    if (bound === undefined) continue;
    if ((r.op === ">" || r.op === ">=") && (bound > lo || (bound === lo && r.op === ">"))) {
      lo = bound;
      loStrict = r.op === ">";
    }
    if ((r.op === "<" || r.op === "<=") && (bound < hi || (bound === hi && r.op === "<"))) {
      hi = bound;
      hiStrict = r.op === "<";
    }
  }
  if (lo > hi || (lo === hi && (loStrict || hiStrict))) {
    return `\`${key}\` cannot be ${loStrict ? "above" : "at least"} ${lo} and ${hiStrict ? "below" : "at most"} ${hi}`;
  }
  // The schema's own bounds hold for every value that reaches a rule.
  if (base.kind === "number" && order === undefined) {
    const schemaLo = base.minimum ?? base.exclusiveMinimum;
    const schemaLoStrict = base.exclusiveMinimum !== undefined;
    if (schemaLo !== undefined && (hi < schemaLo || (hi === schemaLo && (hiStrict || schemaLoStrict)))) {
      return `\`${key}\` cannot be ${hiStrict ? "below" : "at most"} ${hi}: its schema's ${schemaLoStrict ? "exclusiveMinimum" : "minimum"} is ${schemaLo}`;
    }
    const schemaHi = base.maximum ?? base.exclusiveMaximum;
    const schemaHiStrict = base.exclusiveMaximum !== undefined;
    if (schemaHi !== undefined && (lo > schemaHi || (lo === schemaHi && (loStrict || schemaHiStrict)))) {
      return `\`${key}\` cannot be ${loStrict ? "above" : "at least"} ${lo}: its schema's ${schemaHiStrict ? "exclusiveMaximum" : "maximum"} is ${schemaHi}`;
    }
  }
  return undefined;
}

/** The schema constraint that refuses `value` for a field of type `base` (e.g. "minLength is 3"), or undefined. */
function schemaRefuses(base: Type, value: LiteralValue): string | undefined {
  if (base.kind === "string" && typeof value === "string") {
    const length = [...value].length;
    if (base.maxLength !== undefined && length > base.maxLength) return `maxLength is ${base.maxLength}`;
    if (base.minLength !== undefined && length < base.minLength) return `minLength is ${base.minLength}`;
    if (base.pattern !== undefined && !patternMatches(base.pattern, value)) return `pattern ${JSON.stringify(base.pattern.source)} refuses it`;
  }
  if (base.kind === "number" && typeof value === "number") {
    if (base.integer && !Number.isInteger(value)) return "type is integer";
    if (base.minimum !== undefined && value < base.minimum) return `minimum is ${base.minimum}`;
    if (base.exclusiveMinimum !== undefined && value <= base.exclusiveMinimum) return `exclusiveMinimum is ${base.exclusiveMinimum}`;
    if (base.maximum !== undefined && value > base.maximum) return `maximum is ${base.maximum}`;
    if (base.exclusiveMaximum !== undefined && value >= base.exclusiveMaximum) return `exclusiveMaximum is ${base.exclusiveMaximum}`;
    if (base.multipleOf !== undefined && !Number.isInteger(value / base.multipleOf)) return `multipleOf is ${base.multipleOf}`;
  }
  return undefined;
}

function show(value: LiteralValue): string {
  return `\`${JSON.stringify(value)}\``;
}
