/**
 * Literal sets → open-addressing hash tables the stdlib looks keys up in
 * (stdlib/hash-set.ts; layout in stdlib/README.md, "Hash set").
 *
 * In: distinct keys: byte strings (UTF-8 of string literals) or numbers.
 * Out: one self-contained table (all offsets relative to its own start, so
 * it can be placed at any 4-aligned address), each key's id (its index in
 * the input), and the probe bound a lookup can take.
 * Must not: emit a table whose lookups can probe more than `maxProbe` slots;
 * that number is part of the decision's compile-time cost bound. Duplicate
 * keys are our bug (the checker rejects duplicate set members) and throw.
 *
 * Table, little-endian, 4-aligned:
 *   +0  u32 mask (capacity - 1; capacity a power of two)
 *   +4  u32 maxProbe: a lookup inspects at most this many slots
 *   +8  u32 seed of the hash
 *   +12 u32 offset of the entry array from the table's start
 *   +16 u32[capacity] slots: 0 = empty, else entry index + 1
 *   entries: u32 hash, u32 key offset (from table start), u32 key length
 *   key bytes (numbers: 8-byte little-endian f64, -0 stored as +0)
 */

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
const HEADER = 16;
const ENTRY_SIZE = 12;

/** Probe bound the builder aims for; it grows the table or reseeds to meet it. */
export const TARGET_MAX_PROBE = 8;

/** A built table. */
export interface HashSetTable {
  readonly bytes: Uint8Array;
  readonly capacity: number;
  /** Worst-case slots inspected by any lookup, present or absent. */
  readonly maxProbe: number;
  readonly seed: number;
  /** Number of keys; key i has id i. */
  readonly size: number;
}

/** FNV-1a 32 over the bytes, seeded, then murmur3's fmix32; as stdlib `hash_bytes`. */
export function hashBytes(bytes: Uint8Array, seed: number): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return fmix32(h);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 8 key bytes of a number: little-endian f64, -0 as +0. */
export function numberKey(value: number): Uint8Array {
  if (Number.isNaN(value)) throw new Error("internal error: NaN cannot be a set member");
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value === 0 ? 0 : value, true);
  return bytes;
}

/** A table of strings (UTF-8 encoded); string i gets id i. */
export function buildStringSet(keys: readonly string[]): HashSetTable {
  const encoder = new TextEncoder();
  return buildHashSet(keys.map((k) => encoder.encode(k)));
}

/** A table of numbers (looked up with stdlib `set_lookup_f64`); number i gets id i. */
export function buildNumberSet(keys: readonly number[]): HashSetTable {
  return buildHashSet(keys.map(numberKey));
}

/** A table of byte-string keys; key i gets id i. */
export function buildHashSet(keys: readonly Uint8Array[]): HashSetTable {
  const seen = new Set<string>();
  for (const key of keys) {
    const id = key.join(",");
    if (seen.has(id)) throw new Error("internal error: duplicate key in a literal set");
    seen.add(id);
  }
  // Load at most 1/2. Try a few seeds per capacity before doubling, so the
  // probe bound holds without growing tables for one unlucky cluster.
  let capacity = 4;
  while (capacity < keys.length * 2) capacity *= 2;
  for (;;) {
    for (let seed = 0; seed < 16; seed++) {
      const placed = place(keys, capacity, seed);
      if (placed !== undefined) return encode(keys, capacity, seed, placed);
    }
    capacity *= 2;
  }
}

interface Placement {
  readonly slots: Uint32Array;
  readonly hashes: Uint32Array;
  readonly maxProbe: number;
}

/**
 * Linear probing with Robin Hood insertion (a key that is further from home
 * takes the slot), which keeps the longest probe run short; lookups are plain
 * linear probing either way. Undefined when some key lands too far from home.
 */
function place(keys: readonly Uint8Array[], capacity: number, seed: number): Placement | undefined {
  const mask = capacity - 1;
  const slots = new Uint32Array(capacity);
  const hashes = new Uint32Array(keys.length);
  keys.forEach((key, id) => (hashes[id] = hashBytes(key, seed)));
  const distance = (slot: number, id: number): number => (slot - (hashes[id]! & mask)) & mask;
  for (let id = 0; id < keys.length; id++) {
    let moving = id;
    let slot = hashes[moving]! & mask;
    let dist = 0;
    while (slots[slot] !== 0) {
      const resident = slots[slot]! - 1;
      const residentDist = distance(slot, resident);
      if (residentDist < dist) {
        slots[slot] = moving + 1;
        moving = resident;
        dist = residentDist;
      }
      slot = (slot + 1) & mask;
      dist++;
      if (dist >= TARGET_MAX_PROBE) return undefined;
    }
    slots[slot] = moving + 1;
  }
  let maxProbe = 0;
  slots.forEach((taken, slot) => {
    if (taken !== 0) maxProbe = Math.max(maxProbe, distance(slot, taken - 1) + 1);
  });
  // INVARIANT: every key sits within maxProbe slots of its home slot with no
  // empty slot in between, so a lookup that meets an empty slot or has seen
  // maxProbe slots without the key may stop: the key is absent.
  return { slots, hashes, maxProbe };
}

function encode(keys: readonly Uint8Array[], capacity: number, seed: number, placed: Placement): HashSetTable {
  const entries = HEADER + 4 * capacity;
  const keyStart = entries + ENTRY_SIZE * keys.length;
  const size = keyStart + keys.reduce((sum, k) => sum + k.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, capacity - 1, true);
  view.setUint32(4, placed.maxProbe, true);
  view.setUint32(8, seed, true);
  view.setUint32(12, entries, true);
  placed.slots.forEach((v, i) => view.setUint32(HEADER + 4 * i, v, true));
  let at = keyStart;
  keys.forEach((key, id) => {
    const entry = entries + ENTRY_SIZE * id;
    view.setUint32(entry, placed.hashes[id]!, true);
    view.setUint32(entry + 4, at, true);
    view.setUint32(entry + 8, key.length, true);
    bytes.set(key, at);
    at += key.length;
  });
  return { bytes, capacity, maxProbe: placed.maxProbe, seed, size: keys.length };
}

/**
 * Reads a table the way stdlib `set_lookup` does: the key's id or -1. For
 * tests and for the reference interpreter, which must agree with the wasm.
 */
export function lookupInTable(table: Uint8Array, key: Uint8Array): number {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const mask = view.getUint32(0, true);
  const maxProbe = view.getUint32(4, true);
  const h = hashBytes(key, view.getUint32(8, true));
  const entries = view.getUint32(12, true);
  let slot = h & mask;
  for (let probe = 0; probe < maxProbe; probe++) {
    const taken = view.getUint32(HEADER + 4 * slot, true);
    if (taken === 0) return -1;
    const entry = entries + ENTRY_SIZE * (taken - 1);
    if (view.getUint32(entry, true) === h && view.getUint32(entry + 8, true) === key.length) {
      const at = view.getUint32(entry + 4, true);
      if (key.every((b, i) => table[at + i] === b)) return taken - 1;
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}
