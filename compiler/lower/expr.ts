/**
 * Conditions → IR tests, for one action: `action.*`, constants and enum
 * members fold to literals; comparisons with literals become sym / number /
 * bool slot tests; byte-wise string tests read str slots; string views
 * become view operands the module computes (`strIn` for sets, `under` for
 * paths); globs become DFA runs; quantifiers over literal sets unroll, over
 * arrays loop; uses of named conditions expand in place.
 *
 * In: a `TypedExpr` (checked: well typed, guarded) and a `Scope`.
 * Out: an `IrExpr`, folded (`const` where the answer is known at compile
 * time). Problems (AGP601/602) are pushed to the scope and lower to
 * `false`. Must not change evaluation order: `and` / `or` keep their
 * operands' order, so a guard still comes first.
 */
import { isUnder, normalPath, type LiteralValue, type Type, type TypedExpr } from "../check/index.js";
import type { Span } from "../diagnostics/index.js";
import type { IrCompare, IrExpr, IrNum, IrStr } from "../ir/index.js";
import { compileGlob, escapeGlob, dfaAccepts } from "./glob.js";
import {
  arrayRef, boolRef, enumOrder, numRef, operandOf, splitNull, stateRef, strRef, symRef, unsupported,
  type Binding, type Operand, type Scope,
} from "./operands.js";
import { lowerAggregate, lowerPastTest } from "./session.js";

type Field = Extract<Operand, { k: "field" }>;

const FLIP: Record<IrCompare, IrCompare> = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** Lowers a condition. */
export function lowerCondition(e: TypedExpr, scope: Scope): IrExpr {
  const line = e.node.span.line;
  switch (e.kind) {
    case "Logical":
      return logical(e.op, lowerCondition(e.left, scope), lowerCondition(e.right, scope), line);
    case "Not":
      return not(lowerCondition(e.operand, scope), line);
    case "Has": {
      const o = operandOf(e.path, scope);
      if (o.k !== "field") return constant(metadataPresent(e.path, scope), line);
      return { op: "state", line, ref: stateRef(o, scope), test: "present" };
    }
    case "Quantified":
      return quantified(e, scope);
    case "Compare":
      return compare(e, scope);
    case "Literal":
      return constant(e.value === true, line);
    case "Path": {
      const o = operandOf(e, scope);
      if (o.k === "const") return constant(o.value === true, line);
      if (o.k === "field") return { op: "bool", line, ref: boolRef(o, scope) };
      if (o.k === "cond") return o.expr;
      return constant(false, line);
    }
    case "Call":
      return useCondition(e, scope);
    case "Set":
    case "View":
      return constant(false, line);
    case "Past":
    case "LabelTest":
      if (scope.session === undefined) return constant(false, line);
      return lowerPastTest(e, scope, scope.session);
  }
}

/**
 * A use of a named condition, expanded in place: each argument is lowered
 * in the caller's scope and bound to its parameter, then the body (typed
 * for this use by the checker) is lowered with those bindings after the
 * caller's, so the body's own quantifiers nest below the caller's.
 */
function useCondition(e: Extract<TypedExpr, { kind: "Call" }>, scope: Scope): IrExpr {
  const bindings: Binding[] = e.params.map((name, i) => {
    const arg = e.args[i]!;
    const o = operandOf(arg, scope);
    return { name, kind: "operand", operand: o.k === "expr" ? { k: "cond", expr: lowerCondition(arg, scope) } : o };
  });
  return lowerCondition(e.body, { ...scope, bindings: [...scope.bindings, ...bindings] });
}

/** `has action.<key>…`: whether this action's catalog entry has it (constants and variables are always present). */
function metadataPresent(path: TypedExpr, scope: Scope): boolean {
  if (path.kind !== "Path" || path.resolution.kind !== "field" || path.resolution.root !== "action") return true;
  const [key, ...rest] = path.resolution.fields;
  if (key === undefined) return false;
  let value: unknown = scope.action.metadata.get(key)?.value;
  if (value === undefined && (key === "name" || key === "family")) return rest.length === 0;
  for (const field of rest) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, field)) return false;
    value = (value as Record<string, unknown>)[field];
  }
  return value !== undefined;
}

export function constant(value: boolean, line: number): IrExpr {
  return { op: "const", line, value };
}

function logical(op: "and" | "or", left: IrExpr, right: IrExpr, line: number): IrExpr {
  if (left.op === "const") return left.value === (op === "and") ? right : left;
  if (right.op === "const" && right.value === (op === "and")) return left;
  return { op, line, left, right };
}

/**
 * `a1 op a2 op … op an` as a balanced tree: a quantifier over a literal set
 * of n members unrolls into a tree of depth log2 n, so no later walk (cost,
 * codegen, printing, hashing, binaryen) recurses n deep. Folding as
 * `logical` does; operand order is kept.
 */
function balanced(op: "and" | "or", operands: readonly IrExpr[], line: number): IrExpr {
  let level = mergeTests(op, operands.filter((x) => !(x.op === "const" && x.value === (op === "and"))), line);
  if (level.some((x) => x.op === "const")) return constant(op === "or", line);
  if (level.length === 0) return constant(op === "and", line);
  while (level.length > 1) {
    const next: IrExpr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? { op, line, left: level[i]!, right: level[i + 1]! } : level[i]!);
    level = next;
  }
  return level[0]!;
}

/**
 * Tests of one slot against literals, joined by the same operator, as one
 * test: `x == a or x == b …` is `x in {a, b, …}` (one lookup), and
 * `x != a and x != b …` is `not (x in {…})`. Each merged test takes the
 * place of the first of its kind; other operands keep their order.
 */
function mergeTests(op: "and" | "or", operands: readonly IrExpr[], line: number): IrExpr[] {
  // Under `and`, the operands merged are negations: `not t1 and not t2` is `not (t1 or t2)`.
  const inner = (x: IrExpr): IrExpr | undefined => (op === "or" ? x : x.op === "not" ? x.operand : undefined);
  const keyOf = (x: IrExpr | undefined): string | undefined => {
    if (x?.op === "symIn") return `sym ${x.ref.slot} ${x.ref.binding}`;
    if (x?.op === "numIn" && x.operand.kind === "slot") return `num ${x.operand.ref.slot} ${x.operand.ref.binding}`;
    if (x?.op === "num" && x.cmp === "==" && x.left.kind === "slot" && x.right.kind === "const") return `num ${x.left.ref.slot} ${x.left.ref.binding}`;
    return undefined;
  };
  const groups = new Map<string, IrExpr[]>();
  for (const x of operands) {
    const key = keyOf(inner(x));
    if (key === undefined) continue;
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [inner(x)!]);
    else members.push(inner(x)!);
  }
  if (![...groups.values()].some((g) => g.length > 1)) return [...operands];
  const out: IrExpr[] = [];
  const placed = new Set<string>();
  for (const x of operands) {
    const key = keyOf(inner(x));
    const members = key === undefined ? undefined : groups.get(key)!;
    if (key === undefined || members === undefined || members.length < 2) {
      out.push(x);
      continue;
    }
    if (placed.has(key)) continue;
    placed.add(key);
    const test = joined(members, line);
    out.push(op === "or" ? test : not(test, line));
  }
  return out;
}

/** Several `symIn` tests of one sym ref, or number equalities of one slot, as one test. */
function joined(members: readonly IrExpr[], line: number): IrExpr {
  const first = members[0]!;
  if (first.op === "symIn") {
    const ids = [...new Set(members.flatMap((m) => (m.op === "symIn" ? m.ids : [])))].sort((a, b) => a - b);
    return { op: "symIn", line, ref: first.ref, ids };
  }
  const values = members.flatMap((m) => (m.op === "numIn" ? m.values : m.op === "num" && m.right.kind === "const" ? [m.right.value] : []));
  const operand = first.op === "numIn" ? first.operand : first.op === "num" ? first.left : undefined;
  if (operand === undefined) throw new Error("internal error: joining tests of no slot");
  return { op: "numIn", line, operand, values: [...new Set(values.map((v) => (v === 0 ? 0 : v)))].sort((a, b) => a - b) };
}

function not(operand: IrExpr, line: number): IrExpr {
  if (operand.op === "const") return constant(!operand.value, line);
  if (operand.op === "not") return operand.operand;
  return { op: "not", line, operand };
}

function quantified(e: Extract<TypedExpr, { kind: "Quantified" }>, scope: Scope): IrExpr {
  const line = e.node.span.line;
  const all = e.quantifier === "all";
  const collection = operandOf(e.collection, scope);
  if (collection.k === "set" || collection.k === "const") {
    const values = collection.k === "set" ? collection.values : [];
    const bodies = values.map((value) => lowerCondition(e.body, { ...scope, bindings: [...scope.bindings, { name: e.variable, kind: "const", value }] }));
    return balanced(all ? "and" : "or", bodies, line);
  }
  if (collection.k !== "field") return constant(false, line);
  const array = arrayRef(collection, scope, e.collection.node.span);
  if (array === undefined) return constant(false, line);
  const depth = scope.bindings.filter((b) => b.kind === "item").length + 1;
  const body = lowerCondition(e.body, { ...scope, bindings: [...scope.bindings, { name: e.variable, kind: "item", depth, array: array.slot }] });
  if (body.op === "const") {
    // The answer does not depend on the item: all → body or empty, any → body and non-empty.
    if (body.value === all) return constant(all, line);
  }
  return { op: "quantifier", line, quantifier: e.quantifier, array, depth, body };
}

function compare(e: Extract<TypedExpr, { kind: "Compare" }>, scope: Scope): IrExpr {
  const line = e.node.span.line;
  const span = e.node.span;
  const aggregate = e.left.kind === "Past" ? "left" : e.right.kind === "Past" ? "right" : undefined;
  if (aggregate !== undefined && scope.session !== undefined && (e.op === "==" || e.op === "!=" || e.op === "<" || e.op === "<=" || e.op === ">" || e.op === ">=")) {
    // `count … >= 5`, `sum … <= 1000` (or written the other way round).
    const past = (aggregate === "left" ? e.left : e.right) as Extract<TypedExpr, { kind: "Past" }>;
    const other = operandOf(aggregate === "left" ? e.right : e.left, scope);
    const cmp = aggregate === "left" ? e.op : FLIP[e.op];
    return lowerAggregate(past, cmp, other, scope, scope.session, line);
  }
  const left = operandOf(e.left, scope);
  const right = operandOf(e.right, scope);
  switch (e.op) {
    case "==":
      return equal(left, right, scope, line, span);
    case "!=":
      return not(equal(left, right, scope, line, span), line);
    case "in":
    case "not in": {
      const found = member(left, right, scope, line, span);
      return e.op === "in" ? found : not(found, line);
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return ordered(e.op, left, right, enumOrder(e.left.type) ?? enumOrder(e.right.type), scope, line, span);
    case "contains":
      if (left.k === "field" && splitNull(left.type).base.kind === "array") return anyItem(left, (item) => equal(item, right, scope, line, span), scope, line, span);
      if (left.k === "set") return member(right, left, scope, line, span);
      return stringTest("contains", left, right, scope, line, span);
    case "startsWith":
    case "endsWith":
      return stringTest(e.op, left, right, scope, line, span);
    case "matches": {
      if (right.k !== "const" || typeof right.value !== "string") {
        if (left.k === "field") unsupported(scope, span, left.text, "a glob must be a literal");
        return constant(false, line);
      }
      if (left.k === "const") return constant(typeof left.value === "string" && globFolds(right.value, left.value), line);
      const operand = strOperand(left, scope, span);
      const glob = scope.glob(right.value, e.right.node.span);
      if (operand === undefined || glob === undefined) return constant(false, line);
      return { op: "glob", line, operand, glob };
    }
    case "under":
      return under(left, right, scope, line, span);
  }
}

/** `path under base` (or a set of bases): the module normalises the path once and tests each base. */
function under(left: Operand, right: Operand, scope: Scope, line: number, span: Span): IrExpr {
  const written = right.k === "set" ? right.values : right.k === "const" ? [right.value] : [];
  const bases = [...new Set(written.filter((b): b is string => typeof b === "string").map(normalPath).filter((b) => b !== ""))].sort();
  if (bases.length === 0) return constant(false, line);
  if (left.k === "const") return constant(typeof left.value === "string" && bases.some((b) => isUnder(left.value as string, b)), line);
  const raw = strOperand(left, scope, span);
  if (raw === undefined) return constant(false, line);
  // The module tests the normal form: normalise once here (a `normpath(…)` operand already is).
  const operand: IrStr =
    raw.kind === "view" && raw.view === "normpath" ? raw : { kind: "view", view: "normpath", operand: raw, maxBytes: raw.kind === "view" ? raw.maxBytes : strBound(left) };
  return { op: "under", line, operand, bases };
}

/** `left == right` (scalar equality: same JSON type and value). */
function equal(left: Operand, right: Operand, scope: Scope, line: number, span: Span): IrExpr {
  if (left.k === "const" && right.k === "const") return constant(sameScalar(left.value, right.value), line);
  if (left.k === "view" || right.k === "view") return viewEquals(left, right, scope, line, span);
  if (left.k === "field" && right.k === "const") return fieldEquals(left, right.value, scope, line, span);
  if (left.k === "const" && right.k === "field") return fieldEquals(right, left.value, scope, line, span);
  if (left.k === "field" && right.k === "field") return fieldsEqual(left, right, scope, line, span);
  return constant(false, line);
}

function fieldEquals(f: Field, value: LiteralValue, scope: Scope, line: number, span: Span): IrExpr {
  const { base, nullable } = splitNull(f.type);
  if (value === null) return nullable ? { op: "state", line, ref: stateRef(f, scope), test: "null" } : constant(false, line);
  const kind = typeof value;
  if (base.kind === "union" || base.kind === "any") {
    unsupported(scope, span, f.text, "its type has more than one kind of value");
    return constant(false, line);
  }
  if (kind === "string") {
    if (base.kind !== "string") return constant(false, line);
    const ref = symRef(f, scope);
    return { op: "symIn", line, ref, ids: [scope.slots.intern(ref.slot, value as string)] };
  }
  const guard = (test: IrExpr): IrExpr => (nullable ? logical("and", { op: "state", line, ref: stateRef(f, scope), test: "value" }, test, line) : test);
  if (kind === "number") {
    if (base.kind !== "number") return constant(false, line);
    return guard({ op: "num", line, cmp: "==", left: { kind: "slot", ref: numRef(f, scope) }, right: { kind: "const", value: value as number } });
  }
  if (base.kind !== "boolean") return constant(false, line);
  const read: IrExpr = { op: "bool", line, ref: boolRef(f, scope) };
  return guard(value === true ? read : not(read, line));
}

function fieldsEqual(a: Field, b: Field, scope: Scope, line: number, span: Span): IrExpr {
  const sa = splitNull(a.type);
  const sb = splitNull(b.type);
  const bothNull: IrExpr =
    sa.nullable && sb.nullable
      ? logical("and", { op: "state", line, ref: stateRef(a, scope), test: "null" }, { op: "state", line, ref: stateRef(b, scope), test: "null" }, line)
      : constant(false, line);
  if (sa.base.kind !== sb.base.kind || sa.base.kind === "null") return bothNull;
  let same: IrExpr;
  switch (sa.base.kind) {
    case "string": {
      const left = strRef(a, scope, span);
      const right = left === undefined ? undefined : strRef(b, scope, span);
      if (left === undefined || right === undefined) return constant(false, line);
      same = { op: "str", line, test: "eq", left: { kind: "slot", ref: left }, right: { kind: "slot", ref: right } };
      break;
    }
    case "number":
      same = { op: "num", line, cmp: "==", left: { kind: "slot", ref: numRef(a, scope) }, right: { kind: "slot", ref: numRef(b, scope) } };
      break;
    case "boolean": {
      const x: IrExpr = { op: "bool", line, ref: boolRef(a, scope) };
      const y: IrExpr = { op: "bool", line, ref: boolRef(b, scope) };
      same = logical("or", logical("and", x, y, line), logical("and", not(x, line), not(y, line), line), line);
      break;
    }
    default:
      unsupported(scope, span, a.text, "its type has more than one kind of value");
      return constant(false, line);
  }
  if (!sa.nullable && !sb.nullable) return same;
  const values = logical(
    "and",
    sa.nullable ? { op: "state", line, ref: stateRef(a, scope), test: "value" } : constant(true, line),
    sb.nullable ? { op: "state", line, ref: stateRef(b, scope), test: "value" } : constant(true, line),
    line,
  );
  return logical("or", bothNull, logical("and", values, same, line), line);
}

/** A view compared with a string (a literal, a field or another view): byte equality of the computed string. */
function viewEquals(left: Operand, right: Operand, scope: Scope, line: number, span: Span): IrExpr {
  const isString = (o: Operand) => o.k === "view" || (o.k === "const" && typeof o.value === "string") || (o.k === "field" && splitNull(o.type).base.kind === "string");
  if (!isString(left) || !isString(right)) return constant(false, line);
  const l = strOperand(left, scope, span);
  const r = strOperand(right, scope, span);
  if (l === undefined || r === undefined) return constant(false, line);
  const test: IrExpr = { op: "str", line, test: "eq", left: l, right: r };
  // A nullable field equals a view only when it holds a string.
  const guard = (o: Operand): IrExpr =>
    o.k === "field" && splitNull(o.type).nullable ? { op: "state", line, ref: stateRef(o, scope), test: "value" } : constant(true, line);
  return logical("and", logical("and", guard(left), guard(right), line), test, line);
}

/** `left in right`: a literal set, or an array field. */
function member(left: Operand, right: Operand, scope: Scope, line: number, span: Span): IrExpr {
  if (right.k === "field") return anyItem(right, (item) => equal(item, left, scope, line, span), scope, line, span);
  if (right.k !== "set") return constant(false, line);
  if (left.k === "const") return constant(right.values.some((v) => sameScalar(v, left.value)), line);
  if (left.k === "view") {
    const values = [...new Set(right.values.filter((v): v is string => typeof v === "string"))].sort();
    const operand = strOperand(left, scope, span);
    if (values.length === 0 || operand === undefined) return constant(false, line);
    return { op: "strIn", line, operand, values };
  }
  if (left.k !== "field") return constant(false, line);
  const { base } = splitNull(left.type);
  const strings = right.values.filter((v): v is string => typeof v === "string");
  const numbers = right.values.filter((v): v is number => typeof v === "number");
  let result = constant(false, line);
  if (strings.length > 0 && base.kind === "string") {
    const ref = symRef(left, scope);
    const ids = [...new Set(strings.map((s) => scope.slots.intern(ref.slot, s)))].sort((x, y) => x - y);
    result = { op: "symIn", line, ref, ids };
  }
  if (numbers.length > 0 && base.kind === "number") {
    const test: IrExpr = numbers.length === 1
      ? { op: "num", line, cmp: "==", left: { kind: "slot", ref: numRef(left, scope) }, right: { kind: "const", value: numbers[0]! } }
      : { op: "numIn", line, operand: { kind: "slot", ref: numRef(left, scope) }, values: [...new Set(numbers.map((n) => (n === 0 ? 0 : n)))].sort((x, y) => x - y) };
    result = logical("or", result, splitNull(left.type).nullable ? logical("and", { op: "state", line, ref: stateRef(left, scope), test: "value" }, test, line) : test, line);
  }
  for (const other of right.values.filter((v) => typeof v !== "string" && typeof v !== "number")) {
    result = logical("or", result, fieldEquals(left, other, scope, line, span), line);
  }
  return result;
}

/** `any item of the array field: test(item)`. */
function anyItem(array: Field, test: (item: Operand) => IrExpr, scope: Scope, line: number, span: Span): IrExpr {
  const ref = arrayRef(array, scope, span);
  if (ref === undefined) return constant(false, line);
  const base = splitNull(array.type).base;
  const itemType: Type = base.kind === "array" ? base.items : { kind: "any" };
  const depth = scope.bindings.filter((b) => b.kind === "item").length + 1;
  const item: Operand = { k: "field", binding: depth, parent: ref.slot, path: [], type: itemType, text: `${array.text}[]` };
  const body = test(item);
  if (body.op === "const" && !body.value) return body;
  return { op: "quantifier", line, quantifier: "any", array: ref, depth, body };
}

function ordered(cmp: IrCompare, left: Operand, right: Operand, order: readonly string[] | undefined, scope: Scope, line: number, span: Span): IrExpr {
  if (left.k === "const" && right.k === "const") {
    const a = left.value;
    const b = right.value;
    if (typeof a === "number" && typeof b === "number") return constant(holds(cmp, a - b), line);
    if (typeof a === "string" && typeof b === "string" && order !== undefined) return constant(holds(cmp, order.indexOf(a) - order.indexOf(b)), line);
    return constant(false, line);
  }
  const kindOf = (o: Operand): string => (o.k === "const" ? typeof o.value : o.k === "field" ? splitNull(o.type).base.kind : "none");
  if (kindOf(left) === "number" && kindOf(right) === "number") {
    const num = (o: Operand): IrNum | undefined =>
      o.k === "const" ? { kind: "const", value: o.value as number } : o.k === "field" ? { kind: "slot", ref: numRef(o, scope) } : undefined;
    const l = num(left);
    const r = num(right);
    if (l === undefined || r === undefined) return constant(false, line);
    return { op: "num", line, cmp, left: l, right: r };
  }
  if (order === undefined) return constant(false, line);
  if (left.k === "field" && right.k === "const") return symOrdered(cmp, left, right.value, order, scope, line, span);
  if (left.k === "const" && right.k === "field") return symOrdered(flip(cmp), right, left.value, order, scope, line, span);
  if (left.k === "field" && right.k === "field") {
    const a = symRef(left, scope);
    const b = symRef(right, scope);
    const sameOrder = (f: Field) => JSON.stringify(enumOrder(f.type)) === JSON.stringify(order);
    if (!sameOrder(left) || !sameOrder(right)) {
      unsupported(scope, span, left.text, "it is ordered against a field of another enum");
      return constant(false, line);
    }
    return { op: "symCmpSlot", line, cmp, left: a, right: b };
  }
  return constant(false, line);
}

function symOrdered(cmp: IrCompare, f: Field, value: LiteralValue, order: readonly string[], scope: Scope, line: number, span: Span): IrExpr {
  if (JSON.stringify(enumOrder(f.type)) !== JSON.stringify(order)) {
    unsupported(scope, span, f.text, "it is ordered by another field's enum");
    return constant(false, line);
  }
  const position = typeof value === "string" ? order.indexOf(value) : -1;
  if (position < 0) return constant(false, line);
  return { op: "symCmp", line, cmp, ref: symRef(f, scope), id: position };
}

function stringTest(test: "startsWith" | "endsWith" | "contains", left: Operand, right: Operand, scope: Scope, line: number, span: Span): IrExpr {
  if (left.k === "const" && right.k === "const") {
    const s = left.value;
    const t = right.value;
    if (typeof s !== "string" || typeof t !== "string") return constant(false, line);
    return constant(test === "startsWith" ? s.startsWith(t) : test === "endsWith" ? s.endsWith(t) : s.includes(t), line);
  }
  if (test === "contains" && (left.k === "field" || left.k === "view") && right.k === "const" && typeof right.value === "string") {
    if (right.value === "") return constant(true, line);
    const operand = strOperand(left, scope, span);
    const glob = compileGlob(`*${escapeGlob(right.value)}*`).ok ? scope.glob(`*${escapeGlob(right.value)}*`, span) : undefined;
    if (operand !== undefined && glob !== undefined) return { op: "glob", line, operand, glob };
  }
  const l = strOperand(left, scope, span);
  const r = strOperand(right, scope, span);
  if (l === undefined || r === undefined) return constant(false, line);
  return { op: "str", line, test, left: l, right: r };
}

function strOperand(o: Operand, scope: Scope, span: Span): IrStr | undefined {
  if (o.k === "const") return typeof o.value === "string" ? { kind: "const", value: o.value } : undefined;
  if (o.k === "view") {
    const inner = strOperand(o.of, scope, span);
    if (inner === undefined) return undefined;
    return { kind: "view", view: o.view, operand: inner, maxBytes: inner.kind === "view" ? inner.maxBytes : strBound(o.of) };
  }
  if (o.k !== "field") return undefined;
  const ref = strRef(o, scope, span);
  return ref === undefined ? undefined : { kind: "slot", ref };
}

/** The most UTF-8 bytes a string field's value takes (its str slot's bound). */
function strBound(o: Operand): number {
  if (o.k !== "field") return 0;
  const base = splitNull(o.type).base;
  return base.kind === "string" && base.maxLength !== undefined ? 4 * base.maxLength : 0;
}

function sameScalar(a: LiteralValue, b: LiteralValue): boolean {
  return typeof a === typeof b && a === b;
}

function holds(cmp: IrCompare, order: number): boolean {
  switch (cmp) {
    case "==": return order === 0;
    case "!=": return order !== 0;
    case "<": return order < 0;
    case "<=": return order <= 0;
    case ">": return order > 0;
    case ">=": return order >= 0;
  }
}

function flip(cmp: IrCompare): IrCompare {
  return cmp === "<" ? ">" : cmp === ">" ? "<" : cmp === "<=" ? ">=" : cmp === ">=" ? "<=" : cmp;
}

function globFolds(pattern: string, text: string): boolean {
  const compiled = compileGlob(pattern);
  if (!compiled.ok) return false;
  return dfaAccepts(compiled.dfa, new TextEncoder().encode(text));
}
