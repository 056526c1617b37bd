/**
 * Code point ranges become byte sequences that accept exactly the UTF-8
 * encodings of the range: what makes `?` and `[...]` mean "one character".
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { MAX_SCALAR, encodeScalar, utf8Sequences, type ByteRange } from "../../compiler/automata/utf8-ranges.js";

const accepts = (sequences: ByteRange[][], bytes: readonly number[]): boolean =>
  sequences.some((seq) => seq.length === bytes.length && seq.every((r, i) => r.lo <= bytes[i]! && bytes[i]! <= r.hi));

const scalar = fc.oneof(
  fc.integer({ min: 0, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: MAX_SCALAR }),
  fc.constantFrom(0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, MAX_SCALAR),
);

test("encodeScalar agrees with TextEncoder", () => {
  fc.assert(
    fc.property(scalar, (cp) => {
      expect(encodeScalar(cp)).toEqual([...new TextEncoder().encode(String.fromCodePoint(cp))]);
    }),
    { seed: 7, numRuns: 2000 },
  );
});

test("a range's sequences accept a scalar's encoding exactly when it is in the range", () => {
  fc.assert(
    fc.property(scalar, scalar, scalar, (a, b, probe) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const sequences = utf8Sequences(lo, hi);
      expect(accepts(sequences, encodeScalar(probe))).toBe(lo <= probe && probe <= hi);
      // Every edge of the range is covered too.
      expect(accepts(sequences, encodeScalar(lo))).toBe(true);
      expect(accepts(sequences, encodeScalar(hi))).toBe(true);
    }),
    { seed: 7, numRuns: 3000 },
  );
});

test("sequences never accept surrogates, overlong forms or bytes past U+10FFFF", () => {
  const all = utf8Sequences(0, MAX_SCALAR);
  expect(accepts(all, [0xed, 0xa0, 0x80])).toBe(false); // U+D800
  expect(accepts(all, [0xc0, 0x80])).toBe(false); // overlong NUL
  expect(accepts(all, [0xe0, 0x80, 0x80])).toBe(false); // overlong
  expect(accepts(all, [0xf4, 0x90, 0x80, 0x80])).toBe(false); // U+110000
  expect(accepts(all, [0xf0, 0x9f, 0x98, 0x80])).toBe(true); // 😀
  // The sequences are disjoint, so the DFA need not merge overlapping paths.
  const sampled = [0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xfff, 0x1000, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x3ffff, 0x40000, MAX_SCALAR];
  for (const cp of sampled) {
    const bytes = encodeScalar(cp);
    expect(all.filter((seq) => accepts([seq], bytes)).length).toBe(1);
  }
});
