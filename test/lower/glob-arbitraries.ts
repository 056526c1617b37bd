/**
 * Test support: fast-check generators of globs and of inputs for them.
 *
 * In: nothing. Out: arbitraries of valid glob text (built from pieces that
 * exercise every construct: literals incl. multi-byte ones, escapes, `*`,
 * `?`, classes with ranges, negation and the `]`/`-`/`^` edge cases) and of
 * inputs: strings over a small alphabet, strings made to fit the glob, and
 * arbitrary (often invalid UTF-8) bytes.
 * Must not: generate invalid globs (the reference matcher assumes validity).
 */
import fc from "fast-check";

/** A glob piece and strings it may (or may not) match. */
const PIECES: ReadonlyArray<readonly [glob: string, samples: readonly string[]]> = [
  ["a", ["a", "b"]],
  ["b", ["b", "a"]],
  [".", [".", "a"]],
  ["/", ["/", "."]],
  ["é", ["é", "e", "ê"]],
  ["€", ["€", "£"]],
  ["😀", ["😀", "😁"]],
  ["*", ["", "a", "ab/é", "😀x", "**"]],
  ["?", ["a", "é", "€", "😀", "", "ab"]],
  ["\\*", ["*", "a"]],
  ["\\?", ["?", "a"]],
  ["\\[", ["[", "a"]],
  ["\\\\", ["\\", "a"]],
  ["[ab]", ["a", "b", "c", "é"]],
  ["[!a]", ["a", "b", "é", "😀"]],
  ["[^b]", ["^", "b", "a"]],
  ["[a-c]", ["a", "b", "c", "d", "é"]],
  ["[é-ü]", ["é", "ü", "ö", "e", "ÿ"]],
  ["[!é-ü]", ["é", "ö", "a", "€"]],
  ["[€-😀]", ["€", "😀", "a", "é", "\u{10ffff}"]],
  ["[\\]a]", ["]", "a", "b"]],
  ["[!\\]a]", ["]", "a", "b"]],
  ["[-b]", ["-", "b", "a"]],
  ["[a-]", ["a", "-", "b"]],
  ["[\\]x]", ["]", "x", "\\"]],
  ["[!\u0000-\u007f]", ["a", "é", "\u{10ffff}", "\u0000"]],
];

const ALPHABET = ["a", "b", "c", ".", "/", "é", "ü", "€", "😀", "[", "]", "*", "?", "\\", "-", "^", "\u{10ffff}"];

/** Glob text plus, for each piece, its candidate samples. */
export const globWithSamples = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 8 })
  .map((pieces) => ({ glob: pieces.map(([g]) => g).join(""), samples: pieces.map(([, s]) => s) }));

/** Inputs for a glob: built to fit it, over the alphabet, or raw bytes. */
export function inputsFor(samples: readonly (readonly string[])[]): fc.Arbitrary<Uint8Array> {
  const encoder = new TextEncoder();
  const fitted = fc
    // The first sample fits its piece; mostly take it, so whole inputs often match.
    .tuple(...samples.map((s) => fc.oneof({ arbitrary: fc.constant(s[0]!), weight: 8 }, { arbitrary: fc.constantFrom(...s), weight: 1 })))
    .map((parts) => encoder.encode(parts.join("")));
  const free = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 10 }).map((cs) => encoder.encode(cs.join("")));
  const bytes = fc.uint8Array({ maxLength: 12 });
  return samples.length === 0 ? fc.oneof(free, bytes) : fc.oneof(fitted, fitted, free, bytes);
}
