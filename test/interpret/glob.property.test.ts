/**
 * The glob matcher against an independent reading of the same rules: each
 * pattern translated to a JavaScript RegExp (`u` flag, anchored), on
 * generated patterns and subjects. A divergence is a bug in one of the two
 * readings of docs/language.md, and the oracle must not have bugs.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { globMatches, parseGlob } from "../../compiler/interpret/index.js";

/** Pieces a pattern is built from; each is valid on its own. */
const PIECES = ["a", "b", "é", "😀", "/", "*", "?", "[ab]", "[!a]", "[a-c]", "[-b]", "\\*", "\\?", "\\[", "\\\\"];
const SUBJECT = ["a", "b", "c", "é", "😀", "/", "*", "?", "[", "\\", "-"];

function toRegExp(pattern: string): RegExp {
  let source = "";
  const points = Array.from(pattern);
  for (let i = 0; i < points.length; i++) {
    const c = points[i]!;
    if (c === "\\") source += escape(points[++i]!);
    else if (c === "*") source += "[^]*";
    else if (c === "?") source += "[^]";
    else if (c === "[") {
      let j = i + 1;
      let body = "";
      if (points[j] === "!") {
        body += "^";
        j++;
      }
      for (; points[j] !== "]"; j++) body += points[j] === "-" ? "-" : escape(points[j]!);
      source += `[${body}]`;
      i = j;
    } else source += escape(c);
  }
  return new RegExp(`^(?:${source})$`, "u");
}

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

describe("glob matcher (property)", () => {
  it("agrees with an anchored RegExp reading on generated patterns and subjects", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }),
        fc.array(fc.constantFrom(...SUBJECT), { maxLength: 10 }),
        (pieces, chars) => {
          const pattern = pieces.join("");
          const subject = chars.join("");
          const parsed = parseGlob(pattern);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(globMatches(parsed.tokens, subject)).toBe(toRegExp(pattern).test(subject));
        },
      ),
      { seed: 20261121, numRuns: 3000 },
    );
  });

  it("a subject always matches the pattern made of its own characters, escaped", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SUBJECT), { maxLength: 12 }), (chars) => {
        const subject = chars.join("");
        const pattern = chars.map((c) => (/[*?[\\]/.test(c) ? `\\${c}` : c)).join("");
        const parsed = parseGlob(pattern);
        expect(parsed.ok && globMatches(parsed.tokens, subject)).toBe(true);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
