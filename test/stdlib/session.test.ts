/**
 * The stdlib's session pieces (stdlib/session.ts, stdlib/README.md "Session
 * sets"): SipHash-2-4 gives the reference vectors of Aumasson and Bernstein
 * and agrees with a BigInt rendering of the algorithm on random keys and
 * messages; a correlated set behaves as a model of it (dead entries dropped,
 * a full set of live entries loses the event and says when).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { stdlibInstance, type StdlibInstance } from "./instance.js";

let lib: StdlibInstance;
beforeAll(async () => {
  lib = await stdlibInstance();
});

const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-2-4, written from the paper, over BigInts. */
function sip(k0: bigint, k1: bigint, message: Uint8Array): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & MASK; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & MASK; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & MASK; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const blocks = Math.floor(message.length / 8);
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  for (let i = 0; i < blocks; i++) {
    const m = view.getBigUint64(i * 8, true);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let b = BigInt(message.length & 0xff) << 56n;
  for (let i = 0; i < (message.length & 7); i++) b |= BigInt(message[blocks * 8 + i]!) << BigInt(8 * i);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

const KEY0 = 0x0706050403020100n;
const KEY1 = 0x0f0e0d0c0b0a0908n;
const wasmSip = (k0: bigint, k1: bigint, bytes: Uint8Array): bigint => {
  lib.reset();
  const at = lib.put(bytes, 8);
  const f = lib.exports.siphash as unknown as (a: bigint, b: bigint, p: number, n: number) => bigint;
  return BigInt.asUintN(64, f(BigInt.asIntN(64, k0), BigInt.asIntN(64, k1), at, bytes.length));
};
const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe("siphash", () => {
  test("the reference vectors (key 00..0f, message 00..n-1)", () => {
    const vectors: [number, bigint][] = [
      [0, 0x726fdb47dd0e0e31n],
      [1, 0x74f839c593dc67fdn],
      [2, 0x0d6c8009d9a94f5an],
      [3, 0x85676696d7fb7e2dn],
      [15, 0xa129ca6149be45e5n], // the paper's worked example
    ];
    for (const [n, expected] of vectors) {
      expect(sip(KEY0, KEY1, counting(n)), `model, ${String(n)} bytes`).toBe(expected);
      expect(wasmSip(KEY0, KEY1, counting(n)), `stdlib, ${String(n)} bytes`).toBe(expected);
    }
  });

  test("equals the model on random keys and messages", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MASK }), fc.bigInt({ min: 0n, max: MASK }), fc.uint8Array({ maxLength: 80 }), (k0, k1, bytes) => {
        expect(wasmSip(k0, k1, bytes)).toBe(sip(k0, k1, bytes));
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});

describe("correlated sets", () => {
  // A set: f64 overflow at +0, u32 count at +8, entries (u64 hash, f64 newest, payload) from +16.
  const ENTRY = 24;
  test("keyed_insert and keyed_find behave as the model: live entries kept, dead ones dropped, a full set loses the event", () => {
    const op = fc.record({ hash: fc.integer({ min: 1, max: 6 }), step: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 40 }), (capacity, ops) => {
        lib.reset();
        const set = lib.put(new Uint8Array(16 + capacity * ENTRY), 8);
        const view = () => new DataView(lib.exports.memory.buffer);
        const window = 50;
        const model = new Map<number, number>(); // hash → newest time
        let overflow = 0;
        let t = 1000;
        const insert = lib.exports.keyed_insert as unknown as (s: number, c: number, e: number, h: bigint, t: number, w: number, st: number) => number;
        const find = lib.exports.keyed_find as unknown as (s: number, e: number, h: bigint) => number;
        for (const { hash, step } of ops) {
          t += step;
          for (const [h, newest] of model) if (!(t - newest < window) && h !== hash) model.delete(h);
          const entry = insert(set, capacity, ENTRY, BigInt(hash), t, window, 0);
          if (model.has(hash) || model.size < capacity) {
            model.set(hash, t);
            expect(entry).not.toBe(0);
            expect(view().getFloat64(entry + 8, true)).toBe(t);
          } else {
            overflow = t;
            expect(entry).toBe(0);
          }
          expect(view().getUint32(set + 8, true)).toBe(model.size);
          expect(view().getFloat64(set, true)).toBe(overflow);
          for (const h of model.keys()) expect(find(set, ENTRY, BigInt(h))).not.toBe(0);
        }
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});
