/**
 * The stdlib's string functions agree with JS on random UTF-8 (and raw)
 * bytes, run as wasm after loading through the codegen wrapper.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { stdlibInstance, type StdlibInstance } from "./instance.js";

let lib: StdlibInstance;
beforeAll(async () => {
  lib = await stdlibInstance();
});

const SEED = 0x57d;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// Mostly small alphabets (so prefixes, suffixes and hits are common), some raw bytes.
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "é", "😀"), maxLength: 24 }).map(utf8),
  fc.string({ unit: "grapheme", maxLength: 12 }).map(utf8),
  fc.uint8Array({ maxLength: 40, max: 3 }),
  fc.uint8Array({ maxLength: 40 }),
);

/** Two byte strings, the second often cut from the first. */
const pair = fc.oneof(
  fc.tuple(text, text),
  text.chain((s) => fc.tuple(fc.constant(s), fc.nat(s.length), fc.nat(s.length)).map(([s, i, j]) => [s, s.slice(Math.min(i, j), Math.max(i, j))] as const)),
);

function call(fn: (...args: number[]) => number, a: Uint8Array, b: Uint8Array): number {
  lib.reset();
  // Odd addresses on purpose: the word-at-a-time loops must not assume alignment.
  const pa = lib.put(a, 1) + 0;
  lib.put(Uint8Array.of(0xff), 1);
  const pb = lib.put(b, 1);
  return fn(pa, a.length, pb, b.length);
}

const jsCompare = (a: Uint8Array, b: Uint8Array): number => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
const jsIndexOf = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).indexOf(Buffer.from(b)) >= 0;

describe("string functions match JS on random bytes", () => {
  const cases: Array<[name: string, fn: () => (...args: number[]) => number, reference: (a: Uint8Array, b: Uint8Array) => number]> = [
    ["bytes_eq", () => lib.exports.bytes_eq, (a, b) => Number(Buffer.from(a).equals(Buffer.from(b)))],
    ["bytes_cmp", () => lib.exports.bytes_cmp, jsCompare],
    ["starts_with", () => lib.exports.starts_with, (a, b) => Number(Buffer.from(a).subarray(0, b.length).equals(Buffer.from(b)))],
    ["ends_with", () => lib.exports.ends_with, (a, b) => Number(b.length <= a.length && Buffer.from(a).subarray(a.length - b.length).equals(Buffer.from(b)))],
    ["contains", () => lib.exports.contains, (a, b) => Number(jsIndexOf(a, b))],
  ];
  for (const [name, fn, reference] of cases) {
    test(name, () => {
      fc.assert(
        fc.property(pair, ([a, b]) => {
          expect(call(fn(), a, b)).toBe(reference(a, b));
          expect(call(fn(), b, a)).toBe(reference(b, a));
        }),
        { seed: SEED, numRuns: 1000 },
      );
    });
  }
});

describe("string functions on cases users write", () => {
  const run = (fn: (...args: number[]) => number, a: string, b: string) => call(fn, utf8(a), utf8(b));
  test("startsWith / endsWith / contains on paths", () => {
    expect(run(lib.exports.starts_with, "/workspace/src/a.ts", "/workspace/")).toBe(1);
    expect(run(lib.exports.starts_with, "/workspace", "/workspace/")).toBe(0);
    expect(run(lib.exports.ends_with, "notes.md", ".md")).toBe(1);
    expect(run(lib.exports.contains, "rm -rf / --no-preserve-root", "-rf")).toBe(1);
    expect(run(lib.exports.contains, "anything", "")).toBe(1);
  });

  test("compare orders by code point (UTF-8 byte order), not by UTF-16 unit", () => {
    // U+FF5E sorts before U+1F600 by code point; JS `<` on UTF-16 says the opposite.
    expect(run(lib.exports.bytes_cmp, "\uff5e", "😀")).toBe(-1);
    expect("\uff5e" < "😀").toBe(false);
    expect(run(lib.exports.bytes_cmp, "abc", "abd")).toBe(-1);
    expect(run(lib.exports.bytes_cmp, "abc", "ab")).toBe(1);
    expect(run(lib.exports.bytes_cmp, "abcdefghij", "abcdefghij")).toBe(0);
  });
});
