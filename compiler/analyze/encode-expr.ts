/**
 * Conditions as SMT terms: the meaning of every operator of the language
 * (ADR 0006, "Evaluation") over the symbolic request of one action.
 *
 * In: a typed expression (compiler/check's mirror of the AST, with every
 * path resolved) and a scope (layout, encoding, quantifier variables).
 * Out: a Boolean term for a condition, a `Sym` for any expression.
 * Must not read rules or decide anything.
 *
 * The checker guarantees that no well-typed request makes a condition fail
 * to evaluate, so evaluation errors are not modelled. Anything this file
 * does not know (an expression kind added to the language later, a value of
 * type `any`, a glob that is not a literal) becomes a fresh unconstrained
 * variable and the query is marked approximate: it then over-approximates,
 * so "never" answers stay proofs and examples are confirmed before use.
 * Session operators are such variables too (a count or a sum compared with
 * a number is one Boolean): the analysis decides one request, whatever the
 * history; `carries L` reads only the request and is encoded exactly
 * through `ExprScope.carries`.
 */
import { applyView, isUnder, normalPath, showExpr, type Type, type TypedExpr } from "../check/index.js";
import { parseGlob } from "../interpret/index.js";
import type { Encoding, Sym } from "./encoding.js";
import type { RequestLayout } from "./layout.js";
import { and, cmp, eq, FALSE, int, ite, not, or, real, str, TRUE, type Term } from "./smt.js";
import { affixLanguage, globLanguage, inLanguage, literalLanguage, unionLanguage, type Language } from "./strings.js";

/** What an expression can read. */
export interface ExprScope {
  readonly layout: RequestLayout;
  readonly enc: Encoding;
  readonly variables: ReadonlyMap<string, Sym>;
  /** `carries L` on this action: the disjunction of the conditions of L's declarations covering it (absent: not modelled). */
  readonly carries?: (label: string) => Term;
}

/** A condition as a Boolean term. */
export function encodeCondition(expr: TypedExpr, scope: ExprScope): Term {
  return toBool(encodeValue(expr, scope), scope);
}

/** Any expression as a symbolic value. */
export function encodeValue(expr: TypedExpr, scope: ExprScope): Sym {
  switch (expr.kind) {
    case "Literal":
      return { kind: "lit", value: expr.value };
    case "Set":
      return { kind: "set", values: expr.values };
    case "Path":
      return pathValue(expr, scope);
    case "Has":
      return { kind: "bool", term: presence(expr.path, scope) };
    case "Not":
      return { kind: "bool", term: not(encodeCondition(expr.operand, scope)) };
    case "Logical": {
      const left = encodeCondition(expr.left, scope);
      const right = encodeCondition(expr.right, scope);
      return { kind: "bool", term: expr.op === "and" ? and(left, right) : or(left, right) };
    }
    case "Compare":
      return { kind: "bool", term: compare(expr, scope) };
    case "Quantified":
      return { kind: "bool", term: quantified(expr, scope) };
    case "Call": {
      // A named condition: its body, with each parameter bound to its argument's value.
      const variables = new Map(scope.variables);
      expr.params.forEach((param, i) => variables.set(param, encodeValue(expr.args[i]!, scope)));
      return { kind: "bool", term: encodeCondition(expr.body, { ...scope, variables }) };
    }
    case "View": {
      const arg = encodeValue(expr.arg, scope);
      if (arg.kind === "lit" && typeof arg.value === "string") return { kind: "lit", value: applyView(expr.view, arg.value) };
      return opaque(scope, `\`${expr.view}(…)\` compared this way is not encoded`);
    }
    case "LabelTest":
      // `carries` reads only the request: exact. `exposed` reads the session's history: a free Boolean.
      if (expr.node.op === "carries" && scope.carries !== undefined) return { kind: "bool", term: scope.carries(expr.label) };
      return opaque(scope, history(expr));
    case "Past":
      return opaque(scope, history(expr));
    default:
      return opaque(scope, `an expression of kind \`${(expr as { kind: string }).kind}\` is not encoded`);
  }
}

/** Why a session operator is approximated: the analysis sees one request, not the session's history. */
function history(expr: TypedExpr): string {
  return `\`${showExpr(expr.node as Parameters<typeof showExpr>[0])}\` reads the session's history, which the analysis takes as unknown (either way)`;
}

function opaque(scope: ExprScope, why: string): Sym {
  scope.enc.approximate("over", why);
  return { kind: "opaque", why };
}

function pathValue(expr: Extract<TypedExpr, { kind: "Path" }>, scope: ExprScope): Sym {
  const r = expr.resolution;
  switch (r.kind) {
    case "field":
      return r.root === "human" && r.fields.length === 0 ? opaque(scope, "`human` read as a whole value") : scope.layout.read(r.root, r.fields);
    case "constant":
      return r.value.kind === "literal" ? { kind: "lit", value: r.value.value } : { kind: "set", values: r.value.values };
    case "enumMember":
      return { kind: "lit", value: r.value };
    case "variable": {
      let sym: Sym | undefined = scope.variables.get(r.name);
      if (sym === undefined) return opaque(scope, `the variable \`${r.name}\` is not bound`);
      for (const f of r.fields) {
        const field: { value: Sym; present: Term } | undefined = sym.kind === "object" ? sym.node.field(f) : undefined;
        if (field === undefined) return opaque(scope, `\`${[r.name, ...r.fields].join(".")}\` cannot be read`);
        sym = field.value;
      }
      return sym;
    }
    default:
      return opaque(scope, "a name the checker could not resolve");
  }
}

/** `has p`. */
function presence(path: TypedExpr, scope: ExprScope): Term {
  if (path.kind !== "Path") return toBool(opaque(scope, "`has` on something that is not a path"), scope);
  const r = path.resolution;
  if (r.kind === "field") return scope.layout.present(r.root, r.fields);
  if (r.kind === "variable") {
    let sym: Sym | undefined = scope.variables.get(r.name);
    const terms: Term[] = [];
    for (const f of r.fields) {
      const field: { value: Sym; present: Term } | undefined = sym?.kind === "object" ? sym.node.field(f) : undefined;
      if (field === undefined) return FALSE;
      terms.push(field.present);
      sym = field.value;
    }
    return and(...terms);
  }
  return toBool(opaque(scope, "`has` on a constant"), scope);
}

/** A value used as a condition. */
export function toBool(sym: Sym, scope: ExprScope): Term {
  switch (sym.kind) {
    case "lit":
      return sym.value === true ? TRUE : FALSE;
    case "bool":
      return sym.term;
    case "union":
      return or(...sym.options.map((o, i) => and(eq(sym.tag, int(i)), toBool(o, scope))));
    case "opaque":
      return scope.enc.fresh("unknown", "Bool");
    default:
      return FALSE;
  }
}

// ---------------------------------------------------------------- comparisons

function compare(expr: Extract<TypedExpr, { kind: "Compare" }>, scope: ExprScope): Term {
  const viewed = viewCompare(expr, scope);
  if (viewed !== undefined) return viewed;
  const left = encodeValue(expr.left, scope);
  const right = encodeValue(expr.right, scope);
  switch (expr.op) {
    case "==":
      return equals(left, right, scope);
    case "!=":
      return not(equals(left, right, scope));
    case "<":
    case "<=":
    case ">":
    case ">=":
      return ordering(expr.op, left, right, expr.left.type, expr.right.type, scope);
    case "in":
      return member(left, right, scope);
    case "not in":
      return not(member(left, right, scope));
    case "contains":
      return left.kind === "array" || left.kind === "set" ? member(right, left, scope) : stringTest("contains", left, right, scope);
    case "startsWith":
    case "endsWith":
      return stringTest(expr.op, left, right, scope);
    case "matches":
      return matches(left, right, scope);
    default:
      return toBool(opaque(scope, `the operator \`${String(expr.op)}\` is not encoded`), scope);
  }
}

/** `x in collection`: a set literal, a set constant or an array. */
function member(item: Sym, collection: Sym, scope: ExprScope): Term {
  if (collection.kind === "set") return or(...collection.values.map((v) => equals(item, { kind: "lit", value: v }, scope)));
  if (collection.kind === "array") {
    return or(...collection.slots.map((slot, i) => and(cmp("<", int(i), collection.length), equals(item, slot, scope))));
  }
  if (collection.kind === "union") return or(...collection.options.map((o, i) => and(eq(collection.tag, int(i)), member(item, o, scope))));
  return toBool(opaque(scope, "`in` over something that is not a set or an array"), scope);
}

/** Equality of scalars: the same JSON type and the same value (`1 == 1.0`). */
export function equals(a: Sym, b: Sym, scope: ExprScope): Term {
  if (a.kind === "opaque" || b.kind === "opaque") return toBool({ kind: "opaque", why: "" }, scope);
  if (a.kind === "union") return or(...a.options.map((o, i) => and(eq(a.tag, int(i)), equals(o, b, scope))));
  if (b.kind === "union") return equals(b, a, scope);
  if (b.kind === "lit" && a.kind !== "lit") return equalsLiteral(a, b.value, scope);
  if (a.kind === "lit") return b.kind === "lit" ? (sameScalar(a.value, b.value) ? TRUE : FALSE) : equalsLiteral(b, a.value, scope);
  if (a.kind === "bool" && b.kind === "bool") return eq(a.term, b.term);
  if (a.kind === "num" && b.kind === "num") {
    const [x, y] = numbers(a, b);
    return eq(x, y);
  }
  if (isStringy(a) && isStringy(b)) {
    if (a.kind === "enum" && b.kind === "enum") {
      const pairs: Term[] = [];
      a.members.forEach((m, i) => b.members.forEach((n, j) => m === n && pairs.push(and(eq(a.term, int(i)), eq(b.term, int(j))))));
      return or(...pairs);
    }
    return eq(smtString(a, scope), smtString(b, scope));
  }
  if ((a.kind === "array" || a.kind === "set" || a.kind === "object") || (b.kind === "array" || b.kind === "set" || b.kind === "object")) {
    return toBool(opaque(scope, "`==` on an array or object (an evaluation error the checker refuses)"), scope);
  }
  return FALSE;
}

function equalsLiteral(a: Sym, value: string | number | boolean | null, scope: ExprScope): Term {
  switch (a.kind) {
    case "bool":
      return typeof value === "boolean" ? (value ? a.term : not(a.term)) : FALSE;
    case "num":
      if (typeof value !== "number") return FALSE;
      if (a.int) return Number.isInteger(value) ? eq(a.term, int(value)) : FALSE;
      return eq(a.term, real(value));
    case "str":
      return typeof value === "string" ? scope.enc.stringAtom(a.id, literalLanguage(value)) : FALSE;
    case "enum": {
      if (typeof value !== "string") return FALSE;
      const i = a.members.indexOf(value);
      return i < 0 ? FALSE : eq(a.term, int(i));
    }
    case "union":
      return or(...a.options.map((o, i) => and(eq(a.tag, int(i)), equalsLiteral(o, value, scope))));
    case "opaque":
      return toBool(a, scope);
    default:
      return FALSE;
  }
}

function sameScalar(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && a === b;
}

function isStringy(s: Sym): s is Extract<Sym, { kind: "str" | "enum" }> {
  return s.kind === "str" || s.kind === "enum";
}

/** Two numbers as terms of one sort (Int when both are integers, else Real). */
function numbers(a: Extract<Sym, { kind: "num" }>, b: Extract<Sym, { kind: "num" }>): [Term, Term] {
  if (a.int && b.int) return [a.term, b.term];
  return [a.int ? `(to_real ${a.term})` : a.term, b.int ? `(to_real ${b.term})` : b.term];
}

function asNumber(s: Sym): Extract<Sym, { kind: "num" }> | undefined {
  if (s.kind === "num") return s;
  if (s.kind === "lit" && typeof s.value === "number") {
    return Number.isInteger(s.value) ? { kind: "num", term: int(s.value), int: true } : { kind: "num", term: real(s.value), int: false };
  }
  return undefined;
}

/** A string-valued symbol as an SMT string term (making variables relational: Z3 then decides them). */
function smtString(s: Sym, scope: ExprScope): Term {
  if (s.kind === "lit" && typeof s.value === "string") return str(s.value);
  if (s.kind === "str") return scope.enc.relational(s.id);
  if (s.kind === "enum") return s.members.reduceRight<Term>((rest, m, i) => ite(eq(s.term, int(i)), str(m), rest), str(s.members[0] ?? ""));
  return str("");
}

function ordering(op: "<" | "<=" | ">" | ">=", a: Sym, b: Sym, leftType: Type, rightType: Type, scope: ExprScope): Term {
  if (a.kind === "union") return or(...a.options.map((o, i) => and(eq(a.tag, int(i)), ordering(op, o, b, leftType, rightType, scope))));
  if (b.kind === "union") return or(...b.options.map((o, i) => and(eq(b.tag, int(i)), ordering(op, a, o, leftType, rightType, scope))));
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    const [p, q] = numbers(x, y);
    return cmp(op, p, q);
  }
  const order = orderOf(leftType) ?? orderOf(rightType);
  if (order !== undefined) {
    const p = position(a, order);
    const q = position(b, order);
    if (p !== undefined && q !== undefined) return cmp(op, p, q);
  }
  if (a.kind === "opaque" || b.kind === "opaque") return toBool({ kind: "opaque", why: "" }, scope);
  return toBool(opaque(scope, "an ordering the encoder cannot represent"), scope);
}

/** The members of an ordered string enum, lowest first. */
function orderOf(type: Type): readonly string[] | undefined {
  if (type.kind === "string") return type.ordered === true && type.enum !== undefined ? type.enum : undefined;
  if (type.kind === "union") for (const o of type.options) {
    const order = orderOf(o);
    if (order !== undefined) return order;
  }
  return undefined;
}

function position(s: Sym, order: readonly string[]): Term | undefined {
  if (s.kind === "lit" && typeof s.value === "string") {
    const i = order.indexOf(s.value);
    return i < 0 ? undefined : int(i);
  }
  if (s.kind === "enum") return s.members.reduceRight<Term>((rest, m, i) => ite(eq(s.term, int(i)), int(order.indexOf(m)), rest), int(-1));
  return undefined;
}

// ---------------------------------------------------------------- strings

function stringTest(op: "startsWith" | "endsWith" | "contains", subject: Sym, pattern: Sym, scope: ExprScope): Term {
  if (pattern.kind === "lit" && typeof pattern.value === "string") return inLang(subject, affixLanguage(op, pattern.value), scope);
  if (pattern.kind === "union") return or(...pattern.options.map((o, i) => and(eq(pattern.tag, int(i)), stringTest(op, subject, o, scope))));
  if (subject.kind === "union") return or(...subject.options.map((o, i) => and(eq(subject.tag, int(i)), stringTest(op, o, pattern, scope))));
  if (!isStringy(subject) && !(subject.kind === "lit" && typeof subject.value === "string")) {
    return subject.kind === "opaque" ? toBool(subject, scope) : FALSE;
  }
  if (!isStringy(pattern)) return pattern.kind === "opaque" ? toBool(pattern, scope) : FALSE;
  const s = smtString(subject, scope);
  const p = smtString(pattern, scope);
  return op === "startsWith" ? `(str.prefixof ${p} ${s})` : op === "endsWith" ? `(str.suffixof ${p} ${s})` : `(str.contains ${s} ${p})`;
}

function matches(subject: Sym, glob: Sym, scope: ExprScope): Term {
  if (glob.kind !== "lit" || typeof glob.value !== "string") return toBool(opaque(scope, "a glob that is not a constant string"), scope);
  const parsed = parseGlob(glob.value);
  if (!parsed.ok) return toBool(opaque(scope, `the glob ${JSON.stringify(glob.value)} is malformed`), scope);
  return inLang(subject, globLanguage(parsed.tokens), scope);
}

/** `subject ∈ language`. */
function inLang(subject: Sym, language: Language, scope: ExprScope): Term {
  switch (subject.kind) {
    case "lit":
      return typeof subject.value === "string" && inLanguage(language, subject.value) ? TRUE : FALSE;
    case "str":
      return scope.enc.stringAtom(subject.id, language);
    case "enum":
      return or(...subject.members.map((m, i) => (inLanguage(language, m) ? eq(subject.term, int(i)) : FALSE)));
    case "union":
      return or(...subject.options.map((o, i) => and(eq(subject.tag, int(i)), inLang(o, language, scope))));
    case "opaque":
      return toBool(subject, scope);
    default:
      return FALSE;
  }
}

// ---------------------------------------------------------------- views and paths

/**
 * Comparisons of `lower(s)` / `domain(s)` with literals are exact: each is
 * `s` in a glob language (`lower(s) == "acme"` is `s matches "[aA][cC][mM][eE]"`).
 * `normpath` and `under` have no such language (`..` needs counting), so
 * they are encoded only on literals and otherwise approximated. Undefined:
 * not a comparison of a view (encoded as usual).
 */
function viewCompare(expr: Extract<TypedExpr, { kind: "Compare" }>, scope: ExprScope): Term | undefined {
  if (expr.op === "under") {
    const left = encodeValue(expr.left, scope);
    const right = encodeValue(expr.right, scope);
    const bases = right.kind === "set" ? right.values : right.kind === "lit" ? [right.value] : undefined;
    if (left.kind === "lit" && typeof left.value === "string" && bases !== undefined) {
      return bases.some((b) => typeof b === "string" && isUnder(left.value as string, normalPath(b))) ? TRUE : FALSE;
    }
    return toBool(opaque(scope, "`under` is not encoded (path normalisation is not a regular language)"), scope);
  }
  const view = expr.left.kind === "View" ? expr.left : expr.right.kind === "View" && (expr.op === "==" || expr.op === "!=") ? expr.right : undefined;
  if (view === undefined || view.kind !== "View") return undefined;
  const subject = encodeValue(view.arg, scope);
  if ((subject.kind === "lit" && typeof subject.value === "string") || view.view === "normpath" || view.arg.kind === "View") return undefined;
  const other = encodeValue(view === expr.left ? expr.right : expr.left, scope);
  const values = other.kind === "set" ? other.values : other.kind === "lit" ? [other.value] : undefined;
  if (values === undefined || !values.every((v): v is string => typeof v === "string")) return undefined;
  const shape = expr.op === "startsWith" ? "prefix" : expr.op === "endsWith" ? "suffix" : expr.op === "contains" ? "infix" : "whole";
  if ((expr.op === "in" || expr.op === "not in") && other.kind !== "set") return undefined;
  const globs = values.map((v) => viewGlobs(view.view as "lower" | "domain", v, shape));
  if (globs.some((g) => g === undefined)) return toBool(opaque(scope, `\`${view.view}(…)\` against this value is not encoded`), scope);
  const languages = globs.flat().flatMap((g) => {
    const parsed = parseGlob(g!);
    return parsed.ok ? [globLanguage(parsed.tokens)] : [];
  });
  const term = languages.length === 0 ? FALSE : inLang(subject, unionLanguage(languages), scope);
  return expr.op === "!=" || expr.op === "not in" ? not(term) : term;
}

/**
 * Globs over a view's argument whose union is exactly "the view is (starts
 * with, ends with, contains) `value`"; `[]` when it never is; undefined when
 * no such globs are known (an empty `domain` value, or one ending in `.`).
 */
function viewGlobs(view: "lower" | "domain", value: string, shape: "whole" | "prefix" | "suffix" | "infix"): string[] | undefined {
  if (/[A-Z]/.test(value) || (view === "domain" && value.includes("@"))) return shape === "whole" || /[A-Z@]/.test(value) ? [] : undefined;
  const ci = [...value].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : /[*?[\]\\!]/.test(c) ? `\\${c}` : c)).join("");
  if (view === "lower") return [shape === "whole" ? ci : shape === "prefix" ? `${ci}*` : shape === "suffix" ? `*${ci}` : `*${ci}*`];
  // domain: the part after the last `@` (so it holds no `@`), one trailing `.` dropped.
  if (value === "" || value.endsWith(".")) return undefined;
  const host = shape === "whole" ? ci : shape === "prefix" ? `${ci}[!@]*` : shape === "suffix" ? `[!@]*${ci}` : `[!@]*${ci}[!@]*`;
  return [`*@${host}`, `*@${host}.`];
}

// ---------------------------------------------------------------- quantifiers

function quantified(expr: Extract<TypedExpr, { kind: "Quantified" }>, scope: ExprScope): Term {
  const collection = encodeValue(expr.collection, scope);
  const bodyWith = (item: Sym): Term => {
    const variables = new Map(scope.variables);
    variables.set(expr.variable, item);
    return encodeCondition(expr.body, { ...scope, variables });
  };
  const all = expr.quantifier === "all";
  const over = (items: readonly { guard: Term; item: Sym }[]): Term =>
    all ? and(...items.map(({ guard, item }) => or(not(guard), bodyWith(item)))) : or(...items.map(({ guard, item }) => and(guard, bodyWith(item))));
  if (collection.kind === "set") return over(collection.values.map((v) => ({ guard: TRUE, item: { kind: "lit", value: v } as Sym })));
  if (collection.kind === "array") return over(collection.slots.map((item, i) => ({ guard: cmp("<", int(i), collection.length), item })));
  if (collection.kind === "union") {
    return or(...collection.options.map((o, i) => and(eq(collection.tag, int(i)), quantifiedOver(o))));
  }
  return toBool(collection.kind === "opaque" ? collection : opaque(scope, "a quantifier over something that is not a collection"), scope);

  function quantifiedOver(o: Sym): Term {
    if (o.kind === "array") return over(o.slots.map((item, i) => ({ guard: cmp("<", int(i), o.length), item })));
    if (o.kind === "set") return over(o.values.map((v) => ({ guard: TRUE, item: { kind: "lit", value: v } as Sym })));
    return FALSE;
  }
}
