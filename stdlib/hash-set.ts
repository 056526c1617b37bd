/**
 * Hashing and open-addressing set lookup over a table the compiler laid out
 * in memory (layout in stdlib/README.md, "Hash set"; built by
 * compiler/lower/hash-set.ts, which uses the same hash).
 *
 * In: a table address and a key (bytes as pointer + length, or an f64).
 * Out: the key's interned id (its index in the compiler's key list), or -1.
 * Must not: allocate, import, or probe more than the table's recorded
 * maxProbe slots: that bound, fixed at compile time, is what makes a lookup
 * O(maxProbe * key length) whether or not the key is present.
 */

// Header offsets, in bytes from the table's start.
const MASK: usize = 0; // u32: capacity - 1 (capacity is a power of two)
const MAX_PROBE: usize = 4; // u32: longest probe run of any key in the table
const SEED: usize = 8; // u32: hash seed the builder settled on
const ENTRIES: usize = 12; // u32: offset of the entry array, from the table's start
const SLOTS: usize = 16; // u32[capacity]: 0 = empty, else entry index + 1
const ENTRY_SIZE: usize = 12; // u32 hash, u32 key offset (from table start), u32 key length

const FNV_OFFSET: u32 = 2166136261;
const FNV_PRIME: u32 = 16777619;

// @ts-ignore: decorator
@inline
function finish(h: u32): u32 {
  // murmur3's fmix32: FNV-1a's low bits are weak and the slot index is the
  // low bits, so mix them before masking.
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** FNV-1a 32 over the bytes, seeded, then fmix32. */
export function hash_bytes(s: usize, sLen: u32, seed: u32): u32 {
  let h: u32 = FNV_OFFSET ^ seed;
  for (let i: u32 = 0; i < sLen; i++) {
    h = (h ^ <u32>load<u8>(s + i)) * FNV_PRIME;
  }
  return finish(h);
}

/** The same hash over the 8 little-endian bytes of a u64. */
export function hash_u64(bits: u64, seed: u32): u32 {
  let h: u32 = FNV_OFFSET ^ seed;
  for (let i: u64 = 0; i < 64; i += 8) {
    h = (h ^ <u32>((bits >> i) & 0xff)) * FNV_PRIME;
  }
  return finish(h);
}

/** Interned id of the byte string in the set at `table`, or -1. */
export function set_lookup(table: usize, s: usize, sLen: u32): i32 {
  const mask = load<u32>(table + MASK);
  const maxProbe = load<u32>(table + MAX_PROBE);
  const entries = table + <usize>load<u32>(table + ENTRIES);
  const h = hash_bytes(s, sLen, load<u32>(table + SEED));
  let slot = h & mask;
  for (let probe: u32 = 0; probe < maxProbe; probe++) {
    const taken = load<u32>(table + SLOTS + (<usize>slot << 2));
    if (taken == 0) return -1;
    const entry = entries + <usize>(taken - 1) * ENTRY_SIZE;
    if (load<u32>(entry) == h && load<u32>(entry, 8) == sLen) {
      const key = table + <usize>load<u32>(entry, 4);
      if (equalBytes(key, s, sLen)) return <i32>(taken - 1);
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}

/**
 * Interned id of the number in the set at `table`, or -1. Keys are stored as
 * 8-byte f64 with -0 written as +0, so -0 finds 0; NaN is never a member.
 */
export function set_lookup_f64(table: usize, value: f64): i32 {
  if (value != value) return -1;
  if (value == 0) value = 0; // -0 == 0, so this folds -0 into +0
  const bits = reinterpret<u64>(value);
  const mask = load<u32>(table + MASK);
  const maxProbe = load<u32>(table + MAX_PROBE);
  const entries = table + <usize>load<u32>(table + ENTRIES);
  const h = hash_u64(bits, load<u32>(table + SEED));
  let slot = h & mask;
  for (let probe: u32 = 0; probe < maxProbe; probe++) {
    const taken = load<u32>(table + SLOTS + (<usize>slot << 2));
    if (taken == 0) return -1;
    const entry = entries + <usize>(taken - 1) * ENTRY_SIZE;
    if (load<u32>(entry) == h && load<u32>(entry, 8) == 8) {
      if (load<u64>(table + <usize>load<u32>(entry, 4)) == bits) return <i32>(taken - 1);
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}

// @ts-ignore: decorator
@inline
function equalBytes(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}
