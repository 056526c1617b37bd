/**
 * The stdlib's set lookup finds every member of a table built by
 * compiler/lower/hash-set.ts under its id and no non-member, and hashes as
 * the builder does.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { buildNumberSet, buildStringSet, hashBytes, numberKey } from "../../compiler/lower/hash-set.js";
import { stdlibInstance, type StdlibInstance } from "./instance.js";

let lib: StdlibInstance;
beforeAll(async () => {
  lib = await stdlibInstance();
});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SEED = 0x5e7;

describe("wasm hashing matches the builder", () => {
  test("hash_bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (bytes, seed) => {
        lib.reset();
        expect(lib.exports.hash_bytes(lib.put(bytes, 1), bytes.length, seed) >>> 0).toBe(hashBytes(bytes, seed));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  test("hash_u64 hashes the 8 little-endian bytes", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat(), (bits, seed) => {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigUint64(0, bits, true);
        expect(lib.exports.hash_u64(BigInt.asIntN(64, bits), seed) >>> 0).toBe(hashBytes(bytes, seed));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("wasm set lookup", () => {
  test("string sets: present keys give their id, absent keys -1", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.constantFrom("a", "b", "/", "é", "😀"), maxLength: 8 }), { maxLength: 300 }),
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "/", "é", "😀"), maxLength: 8 }), { maxLength: 40 }),
        (keys, probes) => {
          lib.reset();
          const table = lib.put(buildStringSet(keys).bytes, 4);
          for (const probe of [...keys, ...probes]) {
            const bytes = utf8(probe);
            expect(lib.exports.set_lookup(table, lib.put(bytes, 1), bytes.length)).toBe(keys.indexOf(probe));
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("a large set at an arbitrary 4-aligned address", () => {
    lib.reset();
    lib.put(Uint8Array.of(1, 2, 3), 1);
    const keys = Array.from({ length: 10000 }, (_, i) => `acme/service-${i}`);
    const table = lib.put(buildStringSet(keys).bytes, 4);
    for (const i of [0, 1, 4999, 9999]) {
      const bytes = utf8(keys[i]!);
      expect(lib.exports.set_lookup(table, lib.put(bytes, 1), bytes.length)).toBe(i);
    }
    const absent = utf8("acme/service-10000");
    expect(lib.exports.set_lookup(table, lib.put(absent, 1), absent.length)).toBe(-1);
  });

  test("number sets: by value, -0 finds 0, NaN finds nothing", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.double({ noNaN: true }), { maxLength: 100, comparator: (a, b) => numberKey(a).join() === numberKey(b).join() }), fc.array(fc.double(), { maxLength: 20 }), (keys, probes) => {
        lib.reset();
        const table = lib.put(buildNumberSet(keys).bytes, 4);
        for (const probe of [...keys, ...probes]) {
          const expected = Number.isNaN(probe) ? -1 : keys.findIndex((k) => k === probe);
          expect(lib.exports.set_lookup_f64(table, probe)).toBe(expected);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
    lib.reset();
    const table = lib.put(buildNumberSet([0, 7]).bytes, 4);
    expect(lib.exports.set_lookup_f64(table, -0)).toBe(0);
    expect(lib.exports.set_lookup_f64(table, Number.NaN)).toBe(-1);
  });
});
