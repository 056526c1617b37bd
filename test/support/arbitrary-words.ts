/**
 * fast-check arbitraries for the smallest pieces of an .agp AST: the dummy
 * span, keywords, names, words, literals, sets, action patterns, approval
 * requirements, and helpers for optional fields.
 *
 * In: nothing. Out: arbitraries used by arbitrary-ast.ts and
 * arbitrary-test-data.ts (import them through arbitrary-ast.ts). See
 * arbitrary-ast.ts for what "well-formed" means here.
 */
import fc from "fast-check";
import {
  WINDOW_UNITS,
  type ActionPattern,
  type ApprovalRequirement,
  type Identifier,
  type Literal,
  type NumberLiteral,
  type SetLiteral,
  type Span,
  type StringLiteral,
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
/** Shorthand for the dummy span. */
export const span = GENERATED_SPAN;

/** Words that can never be names (docs/language.md). */
export const RESERVED_WORDS: readonly string[] = [
  "and", "or", "not", "in", "has", "all", "any", "true", "false", "null",
  "startsWith", "endsWith", "contains", "matches", "per",
];

/** Words that are keywords only where the grammar expects them: they are names elsewhere. */
export const CONTEXTUAL_KEYWORDS: readonly string[] = [
  "package", "actions", "delegation", "let", "rule", "limit", "defaults", "fixture", "test",
  "allow", "approve", "deny", "for", "agent", "human", "when", "by", "of", "group", "groups",
  "with", "because", "audit", "info", "notice", "security", "both", "either", "agent_only", "human_only",
  "budget", "on", "cost", "otherwise", "request", "env", "context", "state", "expect", "where",
  "from", "charge", "blocked", "action", "args", "under", "lower", "domain", "normpath",
  "session", "label", "retain", "track", "earlier", "previous", "count", "sum", "no", "only", "since", "within",
  "step", "exposed", "carries", "after", "outcome", "current",
  ...WINDOW_UNITS, ...WINDOW_UNITS.map((u) => `${u}s`),
];

/**
 * Words that end a call pattern (`earlier a.b where … within …`): a session
 * operator's pattern never starts with one, nor with a clause keyword.
 */
export const AFTER_PATTERN_KEYWORDS: readonly string[] = ["where", "within", "since", "of", "step", "track"];

/**
 * Keywords that start a clause of a rule or limit. In an expression the
 * parser reads such a word as the start of the next clause, so a path never
 * starts with one (`when by` is not a condition).
 */
export const CLAUSE_KEYWORDS: readonly string[] = ["when", "by", "with", "because", "audit", "cost", "otherwise", "on", "for", "of"];

/**
 * Keywords that start a clause of a test. The parser reads them as the next
 * clause even where a name could go (`request state` is a `request` missing
 * its action), so test data names and requested actions never start with one.
 */
export const TEST_CLAUSE_KEYWORDS: readonly string[] = ["request", "agent", "human", "env", "context", "state", "expect", "where", "step"];

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

/** An author-given name as an Identifier node. */
export const identifier: fc.Arbitrary<Identifier> = name.map((n) => ({ kind: "Identifier", name: n, span }));

/** A closed-set word (effect, principal, …) chosen from `values`. */
export function wordOf<T extends string>(values: readonly T[]): fc.Arbitrary<Word<T>> {
  return fc.constantFrom(...values).map((value) => ({ kind: "Word", value, span }));
}

// ---------------------------------------------------------------- literals

/** Strings: printable, unicode, every JSON escape, lone surrogates. */
export const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("", "\"", "\\", "/", "\b\f\n\r\t", "\u0000\u001f", "\u2028", "\u202e\u2066", "\ufeff", "\ud800", "# not a comment", "a|b"),
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

/** A string literal node. */
export const stringLiteral: fc.Arbitrary<StringLiteral> = stringValue.map((value) => ({ kind: "String", value, span }));

/** A number literal node (any number the lexer reads). */
export const numberLiteral: fc.Arbitrary<NumberLiteral> = numberValue.map((value) => ({ kind: "Number", value, span }));

/** A positive whole number, for counts. */
export const countLiteral: fc.Arbitrary<NumberLiteral> = fc
  .integer({ min: 1, max: 50 })
  .map((value) => ({ kind: "Number", value, span }));

/** Any scalar literal: string, number, boolean, null. */
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

// ---------------------------------------------------------------- patterns and approvals

/** `name.word.word`, `name.word.*` (one to four segments, exact or prefix) or `*`. */
export const actionPattern: fc.Arbitrary<ActionPattern> = fc.oneof(
  { weight: 8, arbitrary: fc
    .tuple(name, fc.array(word, { maxLength: 3 }), fc.boolean())
    .map(([first, rest, wildcard]): ActionPattern => ({ kind: "ActionPattern", segments: [first, ...rest], wildcard, span })) },
  { weight: 1, arbitrary: fc.constant<ActionPattern>({ kind: "ActionPattern", segments: [], wildcard: true, span }) },
);

/** A rule's or limit's patterns: one, or a `{…}` list of distinct ones. */
export const actionPatterns: fc.Arbitrary<ActionPattern[]> = fc.uniqueArray(actionPattern, {
  minLength: 1,
  maxLength: 3,
  selector: (p) => `${p.segments.join(".")}${p.wildcard ? ".*" : ""}`,
});

/** `by` requirements: one to three quorums, each of one to three groups (`group`/`groups` by count). */
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

// ---------------------------------------------------------------- optional fields

/** Optional fields are omitted (never `undefined`) so trees compare with strict equality too. */
export function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined });
}

/** `{ [key]: value }`, or `{}` when value is undefined: for optional AST fields. */
export function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
