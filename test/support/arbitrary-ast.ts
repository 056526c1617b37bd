/**
 * fast-check arbitraries for random, well-formed .agp ASTs.
 *
 * In: nothing. Out: arbitraries for every construct of
 * compiler/syntax/ast.ts: each statement kind, every expression form and
 * operator, nested quantifiers, sets, limits of both measures with every
 * clause, tests with every clause, example tables with placeholders, merges.
 *
 * "Well-formed" means the parser must accept the printed form and give back
 * the same tree: names avoid reserved words (contextual keywords appear as
 * names, except where the parser reads them as a clause: see
 * CLAUSE_KEYWORDS and nameValue), numbers stay within 2^53 - 1, set
 * elements are distinct and of one literal type, object keys and given
 * clauses are distinct, a table's rows have one cell per column, given
 * clauses come in canonical order (agent, human, env, context, state). It
 * does NOT mean the policy type-checks: paths name arbitrary fields, and rule
 * ids or limits named in tests need not exist. A checker or code generator
 * test that needs meaning should build on the pieces exported here.
 *
 * Every node carries the same dummy span (`GENERATED_SPAN`); compare trees
 * with `stripSpans`.
 *
 * Used by test/format (round trip); meant to be reused by the checker's and
 * the code generator's property tests. This file is the face: it holds
 * expressions, rules, limits and files, and re-exports the pieces of
 * arbitrary-words.ts (names, literals, patterns, approvals) and
 * arbitrary-test-data.ts (test data and test statements).
 */
import fc from "fast-check";
import {
  AUDIT_LEVELS,
  CALL_STATUSES,
  COMPARE_OPS,
  DELEGATION_MODES,
  EFFECTS,
  PRINCIPALS,
  WINDOW_UNITS,
  type CallPattern,
  type CapAction,
  type Duration,
  type Expr,
  type LimitDecl,
  type Obligation,
  type Path,
  type PolicyFile,
  type RuleDecl,
  type Statement,
} from "../../compiler/syntax/index.js";
import { defaults, fixture, test } from "./arbitrary-test-data.js";
import {
  GENERATED_SPAN,
  actionPattern,
  actionPatterns,
  approval,
  identifier,
  literal,
  name,
  numberLiteral,
  optional,
  present,
  setLiteral,
  span,
  stringLiteral,
  word,
  wordOf,
  AFTER_PATTERN_KEYWORDS,
  CLAUSE_KEYWORDS,
  countLiteral,
} from "./arbitrary-words.js";

export * from "./arbitrary-words.js";
export * from "./arbitrary-test-data.js";

// ---------------------------------------------------------------- expressions

const REQUEST_ROOTS = ["agent", "human", "action", "args", "env", "context"];

/** A path: a request root or a name, then zero to three fields (any word). */
export const path: fc.Arbitrary<Path> = fc
  .tuple(fc.oneof(name.filter((n) => !CLAUSE_KEYWORDS.includes(n)), fc.constantFrom(...REQUEST_ROOTS)), fc.array(word, { maxLength: 3 }))
  .map(([root, fields]) => ({
    kind: "Path",
    root: { kind: "Identifier", name: root, span },
    fields: fields.map((f) => ({ kind: "Identifier", name: f, span })),
    span,
  }));

/** A session window: one to 90 seconds … weeks. */
export const duration: fc.Arbitrary<Duration> = fc
  .tuple(fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 90 })), fc.constantFrom("second" as const, "minute" as const, "hour" as const, "day" as const, "week" as const))
  .map(([count, unit]) => ({ kind: "Duration", count, unit, span }));

/** A name that may follow a session operator's keyword (never a clause word or a word that ends a pattern). */
const operatorName = name.filter((n) => !CLAUSE_KEYWORDS.includes(n) && !AFTER_PATTERN_KEYWORDS.includes(n));

/** A past call: a pattern, maybe a status, maybe a filter. */
function callPattern(filter: fc.Arbitrary<Expr>): fc.Arbitrary<CallPattern> {
  return fc
    .record({
      first: operatorName,
      rest: fc.array(word, { maxLength: 2 }),
      wildcard: fc.boolean(),
      status: optional(wordOf(CALL_STATUSES)),
      filter: optional(filter),
    })
    .map((c) => ({
      kind: "Call",
      pattern: { kind: "ActionPattern", segments: [c.first, ...c.rest], wildcard: c.wildcard, span },
      ...present("status", c.status),
      ...present("filter", c.filter),
      span,
    }));
}

/** Every session operator and label test, with sub-expressions from `sub`. */
function sessionExpr(sub: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> {
  const call = callPattern(sub);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom("earlier" as const, "previous" as const, "count" as const), call, duration, optional(countLiteral))
      .map(([op, c, window, track]): Expr => ({ kind: "Past", op, call: c, window, ...(op === "previous" ? {} : present("track", track)), span })),
    fc
      .tuple(sub, call, duration, optional(duration), optional(countLiteral))
      .map(([value, c, window, step, track]): Expr => ({ kind: "Past", op: "sum", value, call: c, window, ...present("step", step), ...present("track", track), span })),
    fc
      .tuple(fc.constantFrom("no_since" as const, "only_since" as const), call, call, duration)
      .map(([op, c, anchor, window]): Expr => ({ kind: "Past", op, call: c, anchor, window, span })),
    fc
      .tuple(operatorName, duration)
      .map(([label, window]): Expr => ({ kind: "LabelTest", op: "exposed", label: { kind: "Identifier", name: label, span }, window, span })),
    operatorName.map((label): Expr => ({ kind: "LabelTest", op: "carries", label: { kind: "Identifier", name: label, span }, span })),
  );
}

/** An expression tree of at most `depth` levels; every form and operator occurs. */
export const expr: (depth?: number) => fc.Arbitrary<Expr> = fc.memo((depth) => {
  const leaf: fc.Arbitrary<Expr> = fc.oneof(path, literal, setLiteral, path.map((p): Expr => ({ kind: "Has", path: p, span })));
  if (depth <= 1) return leaf;
  const sub = expr(depth - 1);
  return fc.oneof(
    { depthSize: "small" },
    leaf,
    sessionExpr(sub),
    fc
      .tuple(fc.constantFrom("and" as const, "or" as const), sub, sub)
      .map(([op, left, right]): Expr => ({ kind: "Logical", op, left, right, span })),
    sub.map((operand): Expr => ({ kind: "Not", operand, span })),
    fc.tuple(fc.constantFrom(...COMPARE_OPS), sub, sub).map(([op, left, right]): Expr => ({ kind: "Compare", op, left, right, span })),
    fc
      .tuple(fc.constantFrom("all" as const, "any" as const), identifier, sub, sub)
      .map(([quantifier, variable, collection, body]): Expr => ({ kind: "Quantified", quantifier, variable, collection, body, span })),
    fc
      .tuple(fc.oneof(fc.constantFrom("lower", "domain", "normpath"), name.filter((n) => !CLAUSE_KEYWORDS.includes(n))), fc.array(sub, { minLength: 1, maxLength: 3 }))
      .map(([callee, args]): Expr => ({ kind: "Call", callee: { kind: "Identifier", name: callee, span }, args, span })),
  );
});

// ---------------------------------------------------------------- rules and limits

/** An obligation's value: a literal, a set, or a constant's name. */
const obligationValue: fc.Arbitrary<Obligation["value"]> = fc.oneof(
  literal,
  setLiteral,
  name.filter((n) => !CLAUSE_KEYWORDS.includes(n)).map((n): Path => ({ kind: "Path", root: { kind: "Identifier", name: n, span }, fields: [], span })),
);

/** `let name(params) = condition`; without parameters the body is never a literal or a set (that is a constant). */
export const condition: fc.Arbitrary<Statement> = fc
  .tuple(identifier, fc.uniqueArray(identifier, { maxLength: 3, selector: (i) => i.name }), expr(3))
  .filter(([, params, body]) => params.length > 0 || !["String", "Number", "Boolean", "Null", "Set"].includes(body.kind))
  .map(([conditionName, params, body]): Statement => ({ kind: "Condition", name: conditionName, params, body, span }));

/** A rule with every optional clause sometimes present: principal, when, by, with, because, audit, binds. */
export const rule: fc.Arbitrary<RuleDecl> = fc
  .record({
    id: identifier,
    effect: wordOf(EFFECTS),
    patterns: actionPatterns,
    principal: optional(wordOf(PRINCIPALS)),
    condition: optional(expr(4)),
    approval: optional(approval),
    obligations: fc.uniqueArray(fc.tuple(identifier, obligationValue), { maxLength: 3, selector: ([k]) => k.name }),
    reason: optional(stringLiteral),
    audit: optional(wordOf(AUDIT_LEVELS)),
    binds: optional(fc.array(path, { minLength: 1, maxLength: 2 })),
  })
  .map((r) => ({
    kind: "Rule",
    id: r.id,
    effect: r.effect,
    patterns: r.patterns,
    ...present("principal", r.principal),
    ...present("condition", r.condition),
    ...present("approval", r.approval),
    obligations: r.obligations.map(([key, value]) => ({ kind: "Obligation" as const, key, value, span })),
    ...present("reason", r.reason),
    ...present("audit", r.audit),
    ...(r.binds === undefined ? {} : { binds: { kind: "Binds" as const, paths: r.binds, span } }),
    span,
  }));

const capAction: fc.Arbitrary<CapAction> = fc.oneof(
  fc.constant<CapAction>({ kind: "CapDeny", span }),
  approval.map((a): CapAction => ({ kind: "CapApprove", approval: a, span })),
);

/** A limit: rate or budget (with unit and cost), windows of one or many units, keys, and every clause. */
export const limit: fc.Arbitrary<LimitDecl> = fc
  .record({
    id: identifier,
    measure: fc.oneof(
      countLiteral.map((count): LimitDecl["measure"] => ({ kind: "Rate", count, span })),
      fc
        .tuple(numberLiteral.map((n) => ({ ...n, value: Math.abs(n.value) })), optional(identifier), expr(3))
        .map(([amount, unit, cost]): LimitDecl["measure"] => ({ kind: "Budget", amount, ...present("unit", unit), cost, span })),
    ),
    window: fc
      .tuple(fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 90 })), fc.constantFrom(...WINDOW_UNITS))
      .map(([count, unit]) => ({ kind: "Window" as const, count, unit, span })),
    keys: fc.array(path, { maxLength: 3 }),
    patterns: actionPatterns,
    condition: optional(expr(3)),
    otherwise: optional(capAction),
    reason: optional(stringLiteral),
  })
  .map((l) => ({
    kind: "Limit",
    id: l.id,
    measure: l.measure,
    window: l.window,
    keys: l.keys,
    patterns: l.patterns,
    ...present("condition", l.condition),
    ...present("otherwise", l.otherwise),
    ...present("reason", l.reason),
    span,
  }));

// ---------------------------------------------------------------- statements and files

/** `session [key] [retain D] [track N]`. */
export const session: fc.Arbitrary<Statement> = fc
  .record({ key: optional(path.filter((p) => p.root.name !== "retain" && p.root.name !== "track")), retain: optional(duration), track: optional(countLiteral) })
  .map((s) => ({ kind: "Session", ...present("key", s.key), ...present("retain", s.retain), ...present("track", s.track), span }));

/** `label name on a.b, c.* [when …]`. */
export const label: fc.Arbitrary<Statement> = fc
  .record({ name: identifier, patterns: fc.array(actionPattern, { minLength: 1, maxLength: 3 }), condition: optional(expr(3)) })
  .map((l) => ({ kind: "Label", name: l.name, patterns: l.patterns, ...present("condition", l.condition), span }));

/** Any statement kind. */
export const statement: fc.Arbitrary<Statement> = fc.oneof(
  session,
  label,
  fc.array(name, { minLength: 1, maxLength: 3 }).map((parts): Statement => ({
    kind: "Package",
    name: { kind: "DottedName", parts, span },
    span,
  })),
  stringLiteral.map((path): Statement => ({ kind: "Actions", path, span })),
  wordOf(DELEGATION_MODES).map((mode): Statement => ({ kind: "Delegation", mode, span })),
  fc.tuple(identifier, fc.oneof(literal, setLiteral)).map(([letName, value]): Statement => ({ kind: "Let", name: letName, value, span })),
  condition,
  rule,
  limit,
  defaults,
  fixture,
  test,
);

/** A whole file: zero to eight statements of any kinds, in any order, at most one `package`. */
export function policyFile(file = GENERATED_SPAN.file): fc.Arbitrary<PolicyFile> {
  return fc.array(statement, { maxLength: 8 }).map((all) => {
    const firstPackage = all.findIndex((s) => s.kind === "Package");
    const statements = all.filter((s, i) => s.kind !== "Package" || i === firstPackage);
    return { kind: "File", file, statements, span: { ...span, file } };
  });
}
