/**
 * Session monitors' shared pieces (docs/decisions/0024-session-rules.md,
 * layouts in stdlib/README.md, "Session sets"): SipHash-2-4 for keys, and
 * the correlated sets (a count, then packed entries that start with the
 * key's hash and the newest time of the entry).
 *
 * In: addresses of a monitor's set in the session state, a key's bytes,
 * times in ms. Out: hashes, entry addresses. Must not: allocate, import,
 * keep state, or walk more than a set's capacity: that bound, fixed at
 * compile time, is what keeps a decision's work independent of the
 * session's length.
 */

// A correlated set: f64 overflow time at +0 (the last event a full set lost), u32 count at +8, entries from +16.
const OVERFLOW: usize = 0;
const COUNT: usize = 8;
const ENTRIES: usize = 16;
// An entry: u64 hash at +0, f64 newest time at +8, the monitor's payload from +16 (zero for a new entry).
const HASH: usize = 0;
const NEWEST: usize = 8;
const PAYLOAD: usize = 16;

// @ts-ignore: decorator
@inline
function rotl(x: u64, b: u64): u64 {
  return (x << b) | (x >> (64 - b));
}

/** SipHash-2-4 of `len` bytes at `p` under the key (k0, k1): the reference algorithm, little-endian. */
export function siphash(k0: u64, k1: u64, p: usize, len: u32): u64 {
  let v0: u64 = k0 ^ 0x736f6d6570736575;
  let v1: u64 = k1 ^ 0x646f72616e646f6d;
  let v2: u64 = k0 ^ 0x6c7967656e657261;
  let v3: u64 = k1 ^ 0x7465646279746573;
  const end: usize = p + ((<usize>len) & ~7);
  let m: u64;
  for (let q = p; q < end; q += 8) {
    m = load<u64>(q);
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
      v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
    }
    v0 ^= m;
  }
  let b: u64 = (<u64>(len & 0xff)) << 56;
  const left: u32 = len & 7;
  for (let i: u32 = 0; i < left; i++) b |= (<u64>load<u8>(end + i)) << (<u64>(8 * i));
  v3 ^= b;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  v0 ^= b;
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** The entry of `hash` in a set, or 0 when there is none (dead entries are found too: their payload answers for itself). */
export function keyed_find(set: usize, entryBytes: u32, hash: u64): usize {
  const count: u32 = load<u32>(set + COUNT);
  let e: usize = set + ENTRIES;
  for (let i: u32 = 0; i < count; i++) {
    if (load<u64>(e + HASH) == hash) return e;
    e += entryBytes;
  }
  return 0;
}

/**
 * Whether an entry whose newest event is at `newest` still holds an event
 * within the window at `t`: `t − newest < window`, or for bucketed sums
 * (`step` > 0) `floor(t / step) − floor(newest / step) ≤ window / step`.
 */
// @ts-ignore: decorator
@inline
function live(newest: f64, t: f64, window: f64, step: f64): bool {
  if (step > 0) return Math.floor(t / step) - Math.floor(newest / step) <= window / step;
  return t - newest < window;
}

/**
 * The entry for `hash` at time `t`, made if needed: dead entries are
 * removed first (the last entry moves into their place), a new entry's
 * payload is zeroed, and the entry's newest time becomes `t`. When the set
 * is full of live entries, the event is lost: the overflow time becomes `t`
 * and 0 is returned.
 */
export function keyed_insert(set: usize, capacity: u32, entryBytes: u32, hash: u64, t: f64, window: f64, step: f64): usize {
  let count: u32 = load<u32>(set + COUNT);
  let i: u32 = 0;
  let found: usize = 0;
  while (i < count) {
    const e: usize = set + ENTRIES + <usize>i * <usize>entryBytes;
    if (load<u64>(e + HASH) == hash) {
      found = e;
      i++;
      continue;
    }
    if (!live(load<f64>(e + NEWEST), t, window, step)) {
      count--;
      const last: usize = set + ENTRIES + <usize>count * <usize>entryBytes;
      if (last != e) {
        if (found == last) found = e;
        memory.copy(e, last, entryBytes);
      }
      continue; // look at the entry moved here
    }
    i++;
  }
  if (found == 0) {
    if (count >= capacity) {
      store<u32>(set + COUNT, count);
      store<f64>(set + OVERFLOW, t);
      return 0;
    }
    found = set + ENTRIES + <usize>count * <usize>entryBytes;
    count++;
    memory.fill(found, 0, entryBytes);
    store<u64>(found + HASH, hash);
  }
  store<u32>(set + COUNT, count);
  store<f64>(found + NEWEST, t);
  return found;
}

/** Where an entry's payload starts. */
export function keyed_payload(entry: usize): usize {
  return entry + PAYLOAD;
}
