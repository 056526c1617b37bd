/**
 * Byte-string tests over raw linear memory.
 *
 * In: strings as (pointer, length in bytes) pairs, UTF-8, anywhere in memory.
 * Out: i32 results (1/0 for tests, -1/0/1 for compare).
 * Must not: allocate, import, or read outside [ptr, ptr + len). Every loop is
 * bounded by the lengths passed, which the schema bounds (maxLength).
 */

/** 1 when the two byte strings are equal. */
export function bytes_eq(a: usize, aLen: u32, b: usize, bLen: u32): i32 {
  if (aLen != bLen) return 0;
  return i32(same(a, b, aLen));
}

/**
 * Lexicographic order of unsigned bytes: -1, 0 or 1. For UTF-8 this is the
 * order of code points, so it agrees with comparing the decoded strings by
 * code point (not by UTF-16 unit as JS `<` does).
 */
export function bytes_cmp(a: usize, aLen: u32, b: usize, bLen: u32): i32 {
  const n = aLen < bLen ? aLen : bLen;
  // Eight bytes at a time while equal; the first differing word is then
  // compared byte by byte, so order stays byte order whatever the endianness.
  let i: u32 = 0;
  while (i + 8 <= n && load<u64>(a + i) == load<u64>(b + i)) i += 8;
  for (; i < n; i++) {
    const x = load<u8>(a + i);
    const y = load<u8>(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  if (aLen == bLen) return 0;
  return aLen < bLen ? -1 : 1;
}

/** 1 when `s` begins with `p`. */
export function starts_with(s: usize, sLen: u32, p: usize, pLen: u32): i32 {
  if (pLen > sLen) return 0;
  return i32(same(s, p, pLen));
}

/** 1 when `s` ends with `p`. */
export function ends_with(s: usize, sLen: u32, p: usize, pLen: u32): i32 {
  if (pLen > sLen) return 0;
  return i32(same(s + (sLen - pLen), p, pLen));
}

/**
 * 1 when `p` occurs in `s`. Naive scan: O(sLen * pLen) worst case, which is
 * bounded because both lengths are schema-bounded or literal. For a literal
 * needle the compiler may instead use the glob automaton of `*needle*`, which
 * is O(sLen).
 */
export function contains(s: usize, sLen: u32, p: usize, pLen: u32): i32 {
  if (pLen == 0) return 1;
  if (pLen > sLen) return 0;
  const first = load<u8>(p);
  const last = sLen - pLen;
  for (let i: u32 = 0; i <= last; i++) {
    if (load<u8>(s + i) == first && same(s + i + 1, p + 1, pLen - 1)) return 1;
  }
  return 0;
}

// @ts-ignore: decorator
@inline
function same(a: usize, b: usize, n: u32): bool {
  let i: u32 = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  for (; i < n; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}
