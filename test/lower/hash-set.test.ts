/**
 * Literal sets become hash tables in which every member is found under its
 * id, non-members are not, and no lookup probes past the recorded bound.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { TARGET_MAX_PROBE, buildHashSet, buildNumberSet, buildStringSet, hashBytes, lookupInTable, numberKey } from "../../compiler/lower/hash-set.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SEED = 0x5e7;

describe("hash", () => {
  test("is FNV-1a 32 followed by murmur3 fmix32", () => {
    // Known FNV-1a 32 values ("" → 0x811c9dc5, "a" → 0xe40c292c), then fmix32 by hand.
    const fmix = (h: number): number => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    expect(hashBytes(new Uint8Array(0), 0)).toBe(fmix(0x811c9dc5));
    expect(hashBytes(utf8("a"), 0)).toBe(fmix(0xe40c292c));
    expect(hashBytes(utf8("a"), 1)).not.toBe(hashBytes(utf8("a"), 0));
  });
});

describe("string sets", () => {
  test("members are found under their index; non-members are not", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 200 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }), (keys, probes) => {
        const table = buildStringSet(keys);
        keys.forEach((k, id) => expect(lookupInTable(table.bytes, utf8(k))).toBe(id));
        for (const p of probes) expect(lookupInTable(table.bytes, utf8(p))).toBe(keys.indexOf(p));
        expect(table.maxProbe).toBeLessThanOrEqual(TARGET_MAX_PROBE);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("the probe bound holds for large sets and the load stays at most 1/2", () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `acme/repo-${i}`);
    const table = buildStringSet(keys);
    expect(table.maxProbe).toBeLessThanOrEqual(TARGET_MAX_PROBE);
    expect(table.capacity).toBeGreaterThanOrEqual(2 * keys.length);
    expect(lookupInTable(table.bytes, utf8("acme/repo-12345"))).toBe(12345);
    expect(lookupInTable(table.bytes, utf8("acme/repo-20000"))).toBe(-1);
  });

  test("empty sets and the empty string", () => {
    expect(lookupInTable(buildStringSet([]).bytes, utf8(""))).toBe(-1);
    expect(lookupInTable(buildStringSet(["", "a"]).bytes, utf8(""))).toBe(0);
  });

  test("keys are bytes: a prefix or a different normalization is another key", () => {
    const table = buildStringSet(["café", "acme"]);
    expect(lookupInTable(table.bytes, utf8("cafe\u0301"))).toBe(-1);
    expect(lookupInTable(table.bytes, utf8("acm"))).toBe(-1);
  });

  test("duplicate keys are an internal error (the checker rejects them first)", () => {
    expect(() => buildStringSet(["a", "a"])).toThrow(/internal error: duplicate key/);
  });
});

describe("number sets", () => {
  test("members by value; -0 finds 0", () => {
    const table = buildNumberSet([1, 2.5, -3, 0, 1e300]);
    expect(lookupInTable(table.bytes, numberKey(2.5))).toBe(1);
    expect(lookupInTable(table.bytes, numberKey(-0))).toBe(3);
    expect(lookupInTable(table.bytes, numberKey(3))).toBe(-1);
    expect(() => buildNumberSet([Number.NaN])).toThrow(/NaN/);
  });

  test("the raw builder accepts any distinct byte keys", () => {
    const table = buildHashSet([Uint8Array.of(0), Uint8Array.of(0, 0)]);
    expect(lookupInTable(table.bytes, Uint8Array.of(0, 0))).toBe(1);
  });
});
