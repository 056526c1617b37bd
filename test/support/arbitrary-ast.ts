/**
 * fast-check arbitraries for random, well-formed .agp ASTs.
 *
 * In: nothing (or options). Out: arbitraries for every construct of
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
 * the code generator's property tests.
 */
import fc from "fast-check";
import {
  AUDIT_LEVELS,
  COMPARE_OPS,
  DELEGATION_MODES,
  EFFECTS,
  GIVEN_PARTS,
  PRINCIPALS,
  WINDOW_UNITS,
  type ActionName,
  type ActionPattern,
  type ApprovalRequirement,
  type CapAction,
  type DefaultsDecl,
  type ExampleTable,
  type Expectation,
  type Expr,
  type FixtureDecl,
  type GivenClause,
  type Identifier,
  type LimitDecl,
  type Literal,
  type NameValue,
  type NumberLiteral,
  type ObjectValue,
  type Path,
  type Placeholder,
  type PolicyFile,
  type RequestClause,
  type RuleDecl,
  type SetLiteral,
  type Span,
  type Statement,
  type StringLiteral,
  type TestDecl,
  type TestValue,
  type Word,
} from "../../compiler/syntax/index.js";

/** The one span every generated node carries. */
export const GENERATED_SPAN: Span = {
  file: "generated.agp",
  line: 1,
  column: 1,
  endLine: 1,
  endColumn: 1,
  offset: 0,
  endOffset: 0,
};
const span = GENERATED_SPAN;

/** Words that can never be names (docs/language.md). */
export const RESERVED_WORDS: readonly string[] = [
  "and", "or", "not", "in", "has", "all", "any", "true", "false", "null",
  "startsWith", "endsWith", "contains", "matches", "per",
];

/** Words that are keywords only where the grammar expects them: they are names elsewhere. */
export const CONTEXTUAL_KEYWORDS: readonly string[] = [
  "package", "actions", "delegation", "let", "rule", "limit", "defaults", "fixture", "test",
  "allow", "approve", "deny", "for", "agent", "human", "when", "by", "of", "group", "groups",
  "with", "because", "audit", "info", "notice", "security", "both", "either", "agent_only",
  "budget", "on", "cost", "otherwise", "request", "env", "context", "state", "expect", "where",
  "from", "charge", "blocked", "action", "args",
  ...WINDOW_UNITS, ...WINDOW_UNITS.map((u) => `${u}s`),
];

/**
 * Keywords that start a clause of a rule or limit. In an expression the
 * parser reads such a word as the start of the next clause, so a path never
 * starts with one (`when by` is not a condition).
 */
export const CLAUSE_KEYWORDS: readonly string[] = ["when", "by", "with", "because", "audit", "cost", "otherwise", "on", "for", "of"];

const KEYWORDS = new Set([...RESERVED_WORDS, ...CONTEXTUAL_KEYWORDS]);

// ---------------------------------------------------------------- words and names

const NAME_POOL = [
  "x", "p", "repo", "production_repos", "max_runtime", "ci-fixer", "dry-run", "_private", "a1", "v2_beta",
  "medium", "high", "payments_pr", "deploy_rate", "sre", "Team_A",
];

/** A name that is no keyword at all, sometimes with an inner `-`. */
export const plainName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NAME_POOL),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}(-[a-z][a-z0-9]{0,3})?$/).filter((n) => !KEYWORDS.has(n)),
);

/**
 * An author-given name (rule id, constant, limit, variable, column, key):
 * mostly plain, sometimes a contextual keyword, which the grammar allows
 * wherever it expects a name.
 */
export const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: plainName },
  { weight: 1, arbitrary: fc.constantFrom(...CONTEXTUAL_KEYWORDS) },
);

/** A word after a `.`: any name or keyword, reserved ones included. */
export const word: fc.Arbitrary<string> = fc.oneof(name, fc.constantFrom(...RESERVED_WORDS, ...CONTEXTUAL_KEYWORDS));

export const identifier: fc.Arbitrary<Identifier> = name.map((n) => ({ kind: "Identifier", name: n, span }));

function wordOf<T extends string>(values: readonly T[]): fc.Arbitrary<Word<T>> {
  return fc.constantFrom(...values).map((value) => ({ kind: "Word", value, span }));
}

// ---------------------------------------------------------------- literals

/** Strings: printable, unicode, every JSON escape, lone surrogates. */
export const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("", "\"", "\\", "/", "\b\f\n\r\t", "\u0000\u001f", "\u2028", "\ud800", "# not a comment", "a|b"),
);

/**
 * Numbers the lexer reads back: integers, fractions, tiny magnitudes, up to
 * 2^53 - 1 in magnitude (larger ones are AGP106).
 */
export const numberValue: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.double({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, noNaN: true }),
  fc.constantFrom(0, -0, 0.5, 1e-7, 123.456, 5e-324, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1 + 0.2),
);

export const stringLiteral: fc.Arbitrary<StringLiteral> = stringValue.map((value) => ({ kind: "String", value, span }));

export const numberLiteral: fc.Arbitrary<NumberLiteral> = numberValue.map((value) => ({ kind: "Number", value, span }));

/** A positive whole number, for counts. */
export const countLiteral: fc.Arbitrary<NumberLiteral> = fc
  .integer({ min: 1, max: 50 })
  .map((value) => ({ kind: "Number", value, span }));

export const literal: fc.Arbitrary<Literal> = fc.oneof(
  stringLiteral,
  numberLiteral,
  fc.boolean().map((value): Literal => ({ kind: "Boolean", value, span })),
  fc.constant<Literal>({ kind: "Null", span }),
);

/** A set of distinct literals of one type (possibly empty). */
export const setLiteral: fc.Arbitrary<SetLiteral> = fc
  .oneof(
    fc.uniqueArray(stringValue, { maxLength: 4 }).map((vs) => vs.map((value): Literal => ({ kind: "String", value, span }))),
    fc
      .uniqueArray(numberValue.filter((v) => !Object.is(v, -0)), { maxLength: 4 })
      .map((vs) => vs.map((value): Literal => ({ kind: "Number", value, span }))),
    fc.uniqueArray(fc.boolean(), { maxLength: 2 }).map((vs) => vs.map((value): Literal => ({ kind: "Boolean", value, span }))),
  )
  .map((elements) => ({ kind: "Set", elements, span }));

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

/** An expression tree of at most `depth` levels; every form and operator occurs. */
export const expr: (depth?: number) => fc.Arbitrary<Expr> = fc.memo((depth) => {
  const leaf: fc.Arbitrary<Expr> = fc.oneof(path, literal, setLiteral, path.map((p): Expr => ({ kind: "Has", path: p, span })));
  if (depth <= 1) return leaf;
  const sub = expr(depth - 1);
  return fc.oneof(
    { depthSize: "small" },
    leaf,
    fc
      .tuple(fc.constantFrom("and" as const, "or" as const), sub, sub)
      .map(([op, left, right]): Expr => ({ kind: "Logical", op, left, right, span })),
    sub.map((operand): Expr => ({ kind: "Not", operand, span })),
    fc.tuple(fc.constantFrom(...COMPARE_OPS), sub, sub).map(([op, left, right]): Expr => ({ kind: "Compare", op, left, right, span })),
    fc
      .tuple(fc.constantFrom("all" as const, "any" as const), identifier, sub, sub)
      .map(([quantifier, variable, collection, body]): Expr => ({ kind: "Quantified", quantifier, variable, collection, body, span })),
  );
});

// ---------------------------------------------------------------- rules and limits

export const actionPattern: fc.Arbitrary<ActionPattern> = fc
  .tuple(name, fc.array(word, { maxLength: 3 }), fc.boolean())
  .map(([first, rest, wildcard]) => ({ kind: "ActionPattern", segments: [first, ...rest], wildcard, span }));

export const approval: fc.Arbitrary<ApprovalRequirement> = fc
  .array(
    fc.tuple(countLiteral, fc.array(stringLiteral, { minLength: 1, maxLength: 3 })).map(([count, groups]) => ({
      kind: "Quorum" as const,
      count,
      groups,
      span,
    })),
    { minLength: 1, maxLength: 3 },
  )
  .map((quorums) => ({ kind: "Approval", quorums, span }));

/** Optional fields are omitted (never `undefined`) so trees compare with strict equality too. */
function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined });
}

function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

export const rule: fc.Arbitrary<RuleDecl> = fc
  .record({
    id: identifier,
    effect: wordOf(EFFECTS),
    pattern: actionPattern,
    principal: optional(wordOf(PRINCIPALS)),
    condition: optional(expr(4)),
    approval: optional(approval),
    obligations: fc.uniqueArray(fc.tuple(identifier, literal), { maxLength: 3, selector: ([k]) => k.name }),
    reason: optional(stringLiteral),
    audit: optional(wordOf(AUDIT_LEVELS)),
  })
  .map((r) => ({
    kind: "Rule",
    id: r.id,
    effect: r.effect,
    pattern: r.pattern,
    ...present("principal", r.principal),
    ...present("condition", r.condition),
    ...present("approval", r.approval),
    obligations: r.obligations.map(([key, value]) => ({ kind: "Obligation" as const, key, value, span })),
    ...present("reason", r.reason),
    ...present("audit", r.audit),
    span,
  }));

const capAction: fc.Arbitrary<CapAction> = fc.oneof(
  fc.constant<CapAction>({ kind: "CapDeny", span }),
  approval.map((a): CapAction => ({ kind: "CapApprove", approval: a, span })),
);

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
    pattern: actionPattern,
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
    pattern: l.pattern,
    ...present("condition", l.condition),
    ...present("otherwise", l.otherwise),
    ...present("reason", l.reason),
    span,
  }));

// ---------------------------------------------------------------- test data

/** A placeholder name: a name without `-` (the lexer takes none in placeholders). */
const placeholderName: fc.Arbitrary<string> = name.map((n) => n.replace(/-/g, "_"));

/** `$name` with any placeholder name (fixtures, defaults and table cells are not checked against columns). */
export const placeholder: fc.Arbitrary<Placeholder> = placeholderName.map((n) => ({ kind: "Placeholder", name: n, span }));

/** `$column` for one of `columns`. */
function placeholderOf(columns: readonly string[]): fc.Arbitrary<Placeholder> {
  return fc.constantFrom(...columns).map((n) => ({ kind: "Placeholder", name: n, span }));
}

/**
 * A bare word in test data: a fixture name, an effect, a rule id. Never a
 * keyword: `agent human` would read `human` as the next clause.
 */
export const nameValue: fc.Arbitrary<NameValue> = fc
  .oneof(plainName, fc.constantFrom(...EFFECTS))
  .map((n) => ({ kind: "Name", name: n, span }));

const objectKey: fc.Arbitrary<string> = fc.oneof(name, stringValue, fc.constantFrom(...RESERVED_WORDS, "agent", "with"));

/**
 * Test data of at most `depth` levels: literals, objects, arrays, names,
 * merges, and placeholders drawn from `placeholders` (none when undefined).
 */
export function testValueWith(placeholders: fc.Arbitrary<Placeholder> | undefined): (depth?: number) => fc.Arbitrary<TestValue> {
  const values: (depth?: number) => fc.Arbitrary<TestValue> = fc.memo((depth) => {
    const leaf: fc.Arbitrary<TestValue> =
      placeholders === undefined ? fc.oneof(literal, nameValue) : fc.oneof(literal, nameValue, placeholders);
    if (depth <= 1) return leaf;
    const sub = values(depth - 1);
    const object = objectValue(sub);
    return fc.oneof(
      { depthSize: "small" },
      leaf,
      object,
      fc.array(sub, { maxLength: 4 }).map((items): TestValue => ({ kind: "Array", items, span })),
      fc.tuple(nameValue, object).map(([base, overrides]): TestValue => ({ kind: "Merge", base, overrides, span })),
    );
  });
  return values;
}

/** Test data with any placeholders: for fixtures, defaults and table cells. */
export const testValue: (depth?: number) => fc.Arbitrary<TestValue> = testValueWith(placeholder);

function objectValue(values: fc.Arbitrary<TestValue>): fc.Arbitrary<ObjectValue> {
  return fc
    .uniqueArray(fc.tuple(objectKey, values), { maxLength: 4, selector: ([k]) => k })
    .map((entries) => ({
      kind: "Object",
      entries: entries.map(([key, value]) => ({ kind: "Entry" as const, key, keySpan: span, value, span })),
      span,
    }));
}

/** Given clauses with distinct parts, in canonical order, their data from `values`. */
function givenClausesOf(values: fc.Arbitrary<TestValue>): fc.Arbitrary<GivenClause[]> {
  return fc
    .subarray([...GIVEN_PARTS])
    .chain((parts) => fc.tuple(...parts.map((part) => values.map((value) => ({ part, value })))))
    .map((clauses) =>
      clauses.map(({ part, value }): GivenClause => ({ kind: "Given", part: { kind: "Word", value: part, span }, value, span })),
    );
}

/** Given clauses with distinct parts, in canonical order. */
export const givenClauses: fc.Arbitrary<GivenClause[]> = givenClausesOf(testValue(3));

const actionName: fc.Arbitrary<ActionName> = fc
  .tuple(name, fc.array(word, { maxLength: 3 }))
  .map(([first, rest]) => ({ kind: "ActionName", segments: [first, ...rest], span }));

function requestClauseOf(
  values: (depth?: number) => fc.Arbitrary<TestValue>,
  placeholders: fc.Arbitrary<Placeholder> | undefined,
): fc.Arbitrary<RequestClause> {
  const action = placeholders === undefined ? actionName : fc.oneof(actionName, placeholders);
  return fc
    .tuple(action, optional(values(3)))
    .map(([a, args]) => ({ kind: "Request", action: a, ...present("args", args), span }));
}

function expectationOf(
  values: (depth?: number) => fc.Arbitrary<TestValue>,
  placeholders: fc.Arbitrary<Placeholder> | undefined,
): fc.Arbitrary<Expectation> {
  const or = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | Placeholder> =>
    placeholders === undefined ? arb : fc.oneof(arb, placeholders);
  return fc
    .record({
      effect: or(wordOf(EFFECTS)),
      rules: fc.array(or(identifier), { maxLength: 3 }),
      reason: optional(or(stringLiteral)),
      obligations: fc.uniqueArray(fc.tuple(identifier, values(2)), { maxLength: 2, selector: ([k]) => k.name }),
      approval: optional(approval),
      charges: fc.uniqueArray(fc.tuple(identifier, optional(values(2))), { maxLength: 2, selector: ([k]) => k.name }),
      blockedBy: optional(wordOf(PRINCIPALS)),
    })
    .map((e) => ({
      kind: "Expect",
      effect: e.effect,
      rules: e.rules,
      ...present("reason", e.reason),
      obligations: e.obligations.map(([key, value]) => ({ kind: "ExpectedObligation" as const, key, value, span })),
      ...present("approval", e.approval),
      charges: e.charges.map(([limitId, amount]) => ({ kind: "Charge" as const, limit: limitId, ...present("amount", amount), span })),
      ...present("blockedBy", e.blockedBy),
      span,
    }));
}

/** A where table: distinct column names, one to three rows of one cell per column. */
const exampleTable: fc.Arbitrary<ExampleTable> = fc
  .uniqueArray(placeholderName, { minLength: 1, maxLength: 3 })
  .chain((columns) =>
    fc
      .array(fc.array(testValue(2), { minLength: columns.length, maxLength: columns.length }), { minLength: 1, maxLength: 3 })
      .map((rows): ExampleTable => ({
        kind: "Examples",
        columns: columns.map((c) => ({ kind: "Identifier", name: c, span })),
        rows: rows.map((cells) => ({ kind: "Row", cells, span })),
        span,
      })),
  );

/**
 * A test with every clause possible. Its `$placeholders` (outside the table)
 * name columns of its table, and a test without a table has none (AGP151, AGP152).
 */
export const test: fc.Arbitrary<TestDecl> = optional(exampleTable).chain((examples) => {
  const placeholders = examples === undefined ? undefined : placeholderOf(examples.columns.map((c) => c.name));
  const values = testValueWith(placeholders);
  return fc
    .record({
      name: stringLiteral,
      request: optional(requestClauseOf(values, placeholders)),
      given: givenClausesOf(values(3)),
      expect: expectationOf(values, placeholders),
    })
    .map((t) => ({
      kind: "Test",
      name: t.name,
      ...present("request", t.request),
      given: t.given,
      expect: t.expect,
      ...present("examples", examples),
      span,
    }));
});

export const defaults: fc.Arbitrary<DefaultsDecl> = givenClauses.map((clauses) => ({ kind: "Defaults", clauses, span }));

export const fixture: fc.Arbitrary<FixtureDecl> = fc
  .tuple(identifier, testValue(4))
  .map(([fixtureName, value]) => ({ kind: "Fixture", name: fixtureName, value, span }));

// ---------------------------------------------------------------- statements and files

export const statement: fc.Arbitrary<Statement> = fc.oneof(
  fc.array(name, { minLength: 1, maxLength: 3 }).map((parts): Statement => ({
    kind: "Package",
    name: { kind: "DottedName", parts, span },
    span,
  })),
  stringLiteral.map((path): Statement => ({ kind: "Actions", path, span })),
  wordOf(DELEGATION_MODES).map((mode): Statement => ({ kind: "Delegation", mode, span })),
  fc.tuple(identifier, fc.oneof(literal, setLiteral)).map(([letName, value]): Statement => ({ kind: "Let", name: letName, value, span })),
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
