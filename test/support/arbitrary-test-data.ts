/**
 * fast-check arbitraries for test statements: test data (objects, arrays,
 * names, merges, placeholders), `defaults:`, `fixture`, and `test` with every
 * clause and example tables.
 *
 * In: the word and literal arbitraries of arbitrary-words.ts. Out: the
 * arbitraries re-exported by arbitrary-ast.ts (import them from there).
 * Placeholders in a test name columns of its table, and a test without a
 * table has none, as the parser requires (AGP151, AGP152).
 */
import fc from "fast-check";
import {
  AUDIT_LEVELS,
  EFFECTS,
  GIVEN_PARTS,
  OUTCOME_KINDS,
  PRINCIPALS,
  type ActionName,
  type Duration,
  type TestStep,
  type DefaultsDecl,
  type ExampleTable,
  type Expectation,
  type FixtureDecl,
  type GivenClause,
  type NameValue,
  type ObjectValue,
  type Placeholder,
  type RequestClause,
  type TestDecl,
  type TestValue,
} from "../../compiler/syntax/index.js";
import {
  RESERVED_WORDS,
  TEST_CLAUSE_KEYWORDS,
  approval,
  countLiteral,
  identifier,
  literal,
  name,
  optional,
  plainName,
  present,
  span,
  stringLiteral,
  stringValue,
  word,
  wordOf,
} from "./arbitrary-words.js";

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

/** An exact action name; its first segment is never a test clause keyword. */
const actionName: fc.Arbitrary<ActionName> = fc
  .tuple(name.filter((n) => !TEST_CLAUSE_KEYWORDS.includes(n)), fc.array(word, { maxLength: 3 }))
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
      audit: optional(wordOf(AUDIT_LEVELS)),
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
      ...present("audit", e.audit),
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
  const classic = fc
    .record({
      name: stringLiteral,
      request: optional(requestClauseOf(values, placeholders)),
      given: givenClausesOf(values(3)),
      expect: expectationOf(values, placeholders),
    })
    .map((t): TestDecl => ({
      kind: "Test",
      name: t.name,
      ...present("request", t.request),
      given: t.given,
      expect: t.expect,
      ...present("examples", examples),
      steps: [],
      span,
    }));
  const trace = fc
    .record({ name: stringLiteral, given: givenClausesOf(values(3)), steps: fc.array(stepOf(values, placeholders), { minLength: 1, maxLength: 4 }) })
    .map((t): TestDecl => ({ kind: "Test", name: t.name, given: t.given, ...present("examples", examples), steps: t.steps, span }));
  return fc.oneof(classic, trace);
});

const stepDuration: fc.Arbitrary<Duration> = fc
  .tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom("second" as const, "minute" as const, "hour" as const, "day" as const, "week" as const))
  .map(([count, unit]) => ({ kind: "Duration", count, unit, span }));

/** A trace step: a call with its own clauses and expectation, or an outcome report. */
function stepOf(values: (depth?: number) => fc.Arbitrary<TestValue>, placeholders: fc.Arbitrary<Placeholder> | undefined): fc.Arbitrary<TestStep> {
  const call = fc
    .record({ after: optional(stepDuration), request: requestClauseOf(values, placeholders), given: givenClausesOf(values(2)), expect: expectationOf(values, placeholders) })
    .map((c): TestStep => ({ kind: "CallStep", ...present("after", c.after), request: c.request, given: c.given, expect: c.expect, span }));
  const outcome = fc
    .record({ after: optional(stepDuration), outcome: wordOf(OUTCOME_KINDS), of: optional(countLiteral) })
    .map((o): TestStep => ({ kind: "OutcomeStep", ...present("after", o.after), outcome: o.outcome, ...present("of", o.of), span }));
  return fc.oneof(call, outcome);
}

/** `defaults:` with zero to five distinct given clauses. */
export const defaults: fc.Arbitrary<DefaultsDecl> = givenClauses.map((clauses) => ({ kind: "Defaults", clauses, span }));

/** `fixture name = value` with test data up to four levels deep. */
export const fixture: fc.Arbitrary<FixtureDecl> = fc
  .tuple(identifier, testValue(4))
  .map(([fixtureName, value]) => ({ kind: "Fixture", name: fixtureName, value, span }));
