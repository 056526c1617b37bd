/**
 * The string search that decides string tests for the solver
 * (compiler/analyze/strings.ts) is exact: a witness really passes every
 * test within the bounds, and "none" means no string does (checked by
 * enumerating every short string over the characters the tests can tell
 * apart); its languages mean what the interpreter's glob matcher means.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { affixLanguage, findString, globLanguage, inLanguage, literalLanguage, type Language, type StringTest } from "../../compiler/analyze/strings.js";
import { globMatches, parseGlob } from "../../compiler/interpret/index.js";

const CHARS = ["a", "b", "/", "é"];
const word = fc.array(fc.constantFrom(...CHARS), { maxLength: 3 }).map((a) => a.join(""));
const glob = fc.array(fc.constantFrom("a", "b", "/", "*", "?", "[ab]", "[!a]", "é"), { maxLength: 4 }).map((a) => a.join(""));

const language: fc.Arbitrary<{ text: string; language: Language }> = fc.oneof(
  word.map((w) => ({ text: `== ${w}`, language: literalLanguage(w) })),
  fc.tuple(fc.constantFrom("startsWith", "endsWith", "contains") as fc.Arbitrary<"startsWith" | "endsWith" | "contains">, word).map(([op, w]) => ({ text: `${op} ${w}`, language: affixLanguage(op, w) })),
  glob.map((g) => {
    const parsed = parseGlob(g);
    if (!parsed.ok) throw new Error(g);
    return { text: `matches ${g}`, language: globLanguage(parsed.tokens) };
  }),
);

/** Every string of length ≤ n over the characters plus one the tests never mention. */
function strings(n: number): string[] {
  const out = [""];
  let layer = [""];
  for (let i = 0; i < n; i++) {
    layer = layer.flatMap((s) => [...CHARS, "z"].map((c) => s + c));
    out.push(...layer);
  }
  return out;
}
const SHORT = strings(4);

describe("string search", () => {
  it("finds a witness exactly when one exists", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ l: language, member: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 4 }),
        (tests, minLength, maxLength) => {
          const asTests: StringTest[] = tests.map((t) => ({ language: t.l.language, member: t.member }));
          const passes = (s: string) => {
            const n = Array.from(s).length;
            return n >= minLength && n <= maxLength && asTests.every((t) => inLanguage(t.language, s) === t.member);
          };
          const answer = findString(asTests, { minLength, maxLength });
          const context = JSON.stringify({ tests: tests.map((t) => [t.l.text, t.member]), minLength, maxLength, answer });
          if (answer.kind === "witness") expect(passes(answer.value), context).toBe(true);
          else expect(answer.kind === "none" && !SHORT.some(passes), context).toBe(true);
        },
      ),
      { seed: 16, numRuns: 400 },
    );
  });

  it("reads globs as the interpreter matches them", () => {
    fc.assert(
      fc.property(glob, word, (g, s) => {
        const parsed = parseGlob(g);
        if (!parsed.ok) return;
        expect(inLanguage(globLanguage(parsed.tokens), s)).toBe(globMatches(parsed.tokens, s));
      }),
      { seed: 16, numRuns: 400 },
    );
  });
});
