/**
 * Catalog `pattern`s mean what JavaScript's RegExp (with the `u` flag, as
 * JSON Schema and ajv read them) means: on generated patterns of the
 * supported subset and generated strings, the code point matcher (the
 * interpreter's) and the byte DFA (the compiled policy's) both agree with
 * `new RegExp(pattern, "u").test(string)`. Unsupported constructs are
 * refused with a reason, never misread.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dfaAccepts } from "../../compiler/automata/index.js";
import { compilePattern, patternMatches } from "../../compiler/catalog/pattern-automata.js";
import { parsePattern } from "../../compiler/catalog/pattern.js";

const RUNS = Number(process.env["AGP_PATTERN_RUNS"] ?? 150);

/** Characters strings and literals draw from: ASCII letters, digits, space, newline, and multi-byte code points. */
const CHARS = ["a", "b", "c", "A", "0", "7", "_", "-", " ", "\n", "é", "€", "😀", ".", "/"];

const literal = fc.constantFrom(...CHARS.map((c) => (c === "." ? "\\." : c === "/" ? "\\/" : c === "\n" ? "\\n" : c === "-" ? "-" : c)));
const classBody = fc.array(fc.constantFrom("a", "b-c", "0-9", "é", "😀", "\\d", "\\w", "\\s", "\\-", "A-Z", "€"), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(""));
const atom: fc.Arbitrary<string> = fc.oneof(
  literal,
  fc.constantFrom(".", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\u00e9", "\\u{1F600}", "\\x41"),
  classBody.map((b) => `[${b}]`),
  classBody.map((b) => `[^${b}]`),
);
const quantifier = fc.constantFrom("", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "{2,}");
const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
  // Depth-limited so that a generated pattern compiles in milliseconds.
  piece: fc.oneof(
    { maxDepth: 2, depthIdentifier: "group" },
    { weight: 4, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: fc.tuple(tie("alts"), quantifier, fc.constantFrom("(", "(?:", "(?<n>")).map(([d, q, open]) => `${open}${d as string})${q}`) },
  ),
  seq: fc.array(tie("piece"), { minLength: 0, maxLength: 3 }).map((ps) => (ps as string[]).join("")),
  alts: fc.array(tie("seq"), { minLength: 1, maxLength: 2 }).map((as) => (as as string[]).join("|")),
  top: fc.tuple(fc.boolean(), tie("alts"), fc.boolean()).map(([s, d, e]) => `${s ? "^" : ""}${d as string}${e ? "$" : ""}`),
})).top as fc.Arbitrary<string>;
const subject = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((cs) => cs.join(""));

describe("catalog patterns", () => {
  it("agree with RegExp(pattern, 'u').test on generated patterns and strings, in both automata", () => {
    let compiled = 0;
    fc.assert(
      fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 8 }), (source, subjects) => {
        let native: RegExp;
        try {
          native = new RegExp(source, "u");
        } catch {
          return; // the generator can write a few things the `u` flag refuses (`{2}` after nothing)
        }
        const parsed = parsePattern(source);
        expect(parsed.ok, source).toBe(true);
        if (!parsed.ok) return;
        const built = compilePattern(source, parsed.tree);
        if (!built.ok) return;
        compiled++;
        for (const s of subjects) {
          const expected = native.test(s);
          expect(patternMatches(built.pattern, s), `${source} on ${JSON.stringify(s)}`).toBe(expected);
          expect(dfaAccepts(built.pattern.dfa, new TextEncoder().encode(s)), `DFA: ${source} on ${JSON.stringify(s)}`).toBe(expected);
        }
      }),
      { seed: 1107, numRuns: RUNS },
    );
    expect(compiled).toBeGreaterThan(RUNS / 2);
  }, 120_000);

  it("anchors, alternation and classes on hand-picked cases", () => {
    const cases: [string, string, boolean][] = [
      ["^[a-z0-9-]+$", "acme-1", true],
      ["^[a-z0-9-]+$", "Acme", false],
      ["^[a-z0-9-]+$", "", false],
      ["^$", "", true],
      ["^$", "a", false],
      ["a|^b", "cb", false],
      ["a|^b", "bc", true],
      ["x$|y", "xz", false],
      ["x$|y", "zx", true],
      ["^\\d{4}-\\d{2}-\\d{2}$", "2026-03-10", true],
      ["^\\d{4}-\\d{2}-\\d{2}$", "2026-3-10", false],
      ["[^\\n]", "\n", false],
      [".", "😀", true],
      ["^.$", "😀", true],
      ["^..$", "😀", false],
      ["\\u{1F600}", "a😀", true],
      ["^(?:ab)*$", "abab", true],
      ["^(?:ab)*$", "aba", false],
      ["", "anything", true],
    ];
    for (const [source, text, expected] of cases) {
      expect(new RegExp(source, "u").test(text), `native ${source}`).toBe(expected);
      const parsed = parsePattern(source);
      if (!parsed.ok) throw new Error(`${source}: ${parsed.refusal.reason}`);
      const built = compilePattern(source, parsed.tree);
      if (!built.ok) throw new Error(built.reason);
      expect(patternMatches(built.pattern, text), source).toBe(expected);
      expect(dfaAccepts(built.pattern.dfa, new TextEncoder().encode(text)), source).toBe(expected);
    }
  });

  it("refuses what no finite automaton decides, or what would be too large, with a reason", () => {
    const refused: [string, string][] = [
      ["(a)\\1", "back-references are not supported"],
      ["(?<x>a)\\k<x>", "back-references are not supported"],
      ["a(?=b)", "lookahead and lookbehind are not supported"],
      ["(?<!a)b", "lookahead and lookbehind are not supported"],
      ["\\bword\\b", "word boundaries (`\\b`, `\\B`) are not supported"],
      ["\\p{L}+", "Unicode property escapes (`\\p{…}`) are not supported"],
      ["a{1001}", "a repetition count above 1000 makes the automaton too large"],
      [`${"(".repeat(40)}a${")".repeat(40)}`, "groups nest more than 32 levels deep"],
    ];
    for (const [source, reason] of refused) {
      const parsed = parsePattern(source);
      expect(parsed.ok, source).toBe(false);
      if (!parsed.ok) expect(parsed.refusal.reason).toBe(reason);
    }
    const exponential = parsePattern("(a|b)*a(a|b){12}");
    if (!exponential.ok) throw new Error("should parse");
    expect(compilePattern("(a|b)*a(a|b){12}", exponential.tree)).toEqual({ ok: false, reason: "its automaton needs more than 1024 states" });
  });

  it("never throws on arbitrary text, and matching stays linear on ReDoS patterns", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (source) => {
        const parsed = parsePattern(source);
        if (parsed.ok) compilePattern(source, parsed.tree);
      }),
      { seed: 7, numRuns: 2000 },
    );
    const parsed = parsePattern("^(a+)+$");
    if (!parsed.ok) throw new Error("should parse");
    const built = compilePattern("^(a+)+$", parsed.tree);
    if (!built.ok) throw new Error(built.reason);
    expect(patternMatches(built.pattern, `${"a".repeat(5000)}b`)).toBe(false);
  });
});
