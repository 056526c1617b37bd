/**
 * `parse` never throws, whatever the input: random strings, random token
 * soups, and random edits of valid files. Every diagnostic it returns is a
 * syntax code with a span inside the file and a message in the author's
 * terms (no token class or grammar rule names). Generated valid files parse
 * without diagnostics.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generatePolicy } from "../../bench/parser.bench.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { SYNTAX_CODES } from "../../compiler/diagnostics/codes/syntax.js";
import { parse, STATEMENT_KEYWORDS, stripSpans } from "../../compiler/syntax/index.js";
import { lexer } from "../../compiler/syntax/tokens.js";
import { read } from "./golden.js";

const INTERNAL_NAMES = /NameLike|StringLit|NumberLit|\bKw[A-Z]|\bEOF\b|LBrace|RBrace|LParen|RParen|Colon|undefined|NaN|\[object|ruleDecl|\b(token|rule):[A-Za-z]/;

/** Parses `source` and checks every diagnostic's shape; returns the number of diagnostics. */
function parseChecked(source: string): number {
  const result = parse(source, "fuzz.agp");
  for (const d of result.diagnostics) {
    expect(Object.keys(SYNTAX_CODES)).toContain(d.code);
    expect(d.code, `a grammar position without an expectation: ${d.message}`).not.toBe("AGP199");
    expect(d.span.offset).toBeGreaterThanOrEqual(0);
    expect(d.span.offset).toBeLessThanOrEqual(d.span.endOffset);
    expect(d.span.endOffset).toBeLessThanOrEqual(source.length + 1);
    expect(d.span.line).toBeGreaterThanOrEqual(1);
    expect(d.span.column).toBeGreaterThanOrEqual(1);
    expect(d.message).not.toMatch(INTERNAL_NAMES);
    expect(d.message).not.toMatch(/\.$/);
    expect(d.message[0]).toMatch(/[a-z`]/);
  }
  renderDiagnostics(result.diagnostics, new Map([["fuzz.agp", source]]));
  return result.diagnostics.length;
}

const VOCABULARY = [
  "package", "actions", "delegation", "let", "rule", "limit", "defaults", "fixture", "test", "allow", "approve",
  "deny", "for", "agent", "human", "when", "by", "with", "because", "audit", "of", "group", "groups", "budget", "on",
  "cost", "otherwise", "request", "env", "context", "state", "expect", "from", "charge", "blocked", "where", "and",
  "or", "not", "in", "has", "all", "any", "true", "false", "null", "startsWith", "endsWith", "contains", "matches",
  "per", "hour", "x", "args", "both", "security", "==", "!=", "<", "<=", ">", ">=", "=", ":", ",", ".", "*", "(", ")",
  "{", "}", "[", "]", "|", '"s"', '"unterminated', '"bad \\q"', "1", "-2.5", "0", "1e5", "$col", "#c", "@", "\n",
  "\n  ", "\t",
];

/** FUZZ_SCALE=20 runs twenty times as many cases, with a random seed (printed on failure). */
const SCALE = Number(process.env["FUZZ_SCALE"] ?? "1") || 1;
const options = (numRuns: number, seed: number) =>
  SCALE === 1 ? { numRuns, seed } : { numRuns: numRuns * SCALE };

const SAMPLE = read("test/fixtures/syntax/sample", "input.agp");

describe("parse never throws", () => {
  it("on random strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => void parseChecked(s)), options(500, 1));
  });

  it("on random token soups", () => {
    const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 60 }).chain((words) =>
      fc.array(fc.constantFrom(" ", "", "\n"), { minLength: words.length, maxLength: words.length }).map((seps) =>
        words.map((w, i) => w + seps[i]!).join(""),
      ),
    );
    fc.assert(fc.property(soup, (s) => void parseChecked(s)), options(1000, 2));
  });

  it("on random edits of a valid file", () => {
    const edit = fc.tuple(fc.nat(SAMPLE.length), fc.nat(40), fc.constantFrom(...VOCABULARY, "", ""));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let source = SAMPLE;
        for (const [at, length, insert] of edits) source = source.slice(0, at) + insert + source.slice(at + length);
        parseChecked(source);
      }),
      options(500, 3),
    );
  });
});

describe("layout carries no meaning", () => {
  it("re-spacing a valid file, with line breaks and comments between any tokens, gives the same AST", () => {
    const tokens = lexer.tokenize(SAMPLE).tokens;
    const expected = stripSpans(parse(SAMPLE, "a.agp").file.statements);
    const gap = fc.constantFrom(" ", "  ", "\n", "\n    ", "\t", " # note\n", "\n# own line\n  ");
    fc.assert(
      fc.property(fc.array(gap, { minLength: tokens.length, maxLength: tokens.length }), (gaps) => {
        let source = "";
        tokens.forEach((token, i) => {
          // A statement keyword stays where statements start (column 1) and never begins a line elsewhere.
          const startsStatement = STATEMENT_KEYWORDS.includes(token.image as never) && token.startColumn === 1;
          const before = i === 0 ? "" : startsStatement ? "\n" : STATEMENT_KEYWORDS.includes(token.image as never) ? " " : gaps[i]!;
          source += before + token.image;
        });
        const result = parse(source, "b.agp");
        expect(result.diagnostics).toEqual([]);
        expect(stripSpans(result.file.statements)).toEqual(expected);
        expect(result.comments.length).toBe(gaps.filter((g, i) => i > 0 && g.includes("#") && !STATEMENT_KEYWORDS.includes(tokens[i]!.image as never)).length);
      }),
      options(50, 4),
    );
  });
});

describe("parse never throws on pathological nesting", () => {
  const cases: Record<string, (n: number) => string> = {
    parentheses: (n) => `rule r: allow a.b when ${"(".repeat(n)}x${")".repeat(n)}`,
    "unclosed parentheses": (n) => `rule r: allow a.b when ${"(".repeat(n)}`,
    arrays: (n) => `fixture f = ${"[".repeat(n)}${"]".repeat(n)}`,
    objects: (n) => `fixture f = ${"{ a: ".repeat(n)}1${" }".repeat(n)}`,
    nots: (n) => `rule r: allow a.b when ${"not ".repeat(n)}x`,
    quantifiers: (n) => `rule r: allow a.b when ${"all x in y: ".repeat(n)}x`,
  };
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: fine at 60 levels, one diagnostic at 100,000, and the next statement still parses`, () => {
      expect(parseChecked(make(60))).toBe(name.startsWith("unclosed") ? 1 : 0);
      const result = parse(`${make(100_000)}\nrule after: deny a.b\n`, "deep.agp");
      expect(result.diagnostics.map((d) => d.code)).toHaveLength(1);
      expect(result.diagnostics[0]!.code).toMatch(/^AGP1(32|54|55)$/);
      expect(result.file.statements.map((s) => s.kind)).toEqual(["Rule"]);
    });
  }
});

describe("valid files", () => {
  it("the sample covering every construct parses without diagnostics", () => {
    expect(parseChecked(SAMPLE)).toBe(0);
  });

  it("generated policies parse without diagnostics", () => {
    for (const seed of [1, 2, 3]) expect(parseChecked(generatePolicy(300, seed))).toBe(0);
  });
});
