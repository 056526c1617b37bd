/**
 * String views and the path test, over raw memory (ADR 0028): what
 * `lower(s)`, `domain(s)`, `normpath(s)` and `s under "/base"` compute in a
 * policy module. The compiler (compiler/check/views.ts) and the reference
 * interpreter (compiler/interpret/views.ts) have their own versions;
 * differential tests hold the three to one meaning.
 *
 * In: UTF-8 strings as (pointer, length in bytes); a destination with room
 * for `sLen` bytes. Out: the view's length (its bytes at `dst`), or a 0/1
 * test. Every character these functions look at is ASCII (`A`–`Z`, `@`,
 * `.`, `/`, NUL), and an ASCII byte never occurs inside a multi-byte UTF-8
 * sequence, so working byte by byte is working character by character.
 * Must not: allocate, import, read outside [s, s + sLen) or write outside
 * [dst, dst + sLen). Every loop is bounded by `sLen`; no view is longer
 * than its input.
 */

// @ts-ignore: decorator
@inline
function lowerByte(b: u8): u8 {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

/** `lower(s)`: `A`–`Z` become `a`–`z`, every other byte is copied. Returns `sLen`. */
export function view_lower(s: usize, sLen: u32, dst: usize): u32 {
  for (let i: u32 = 0; i < sLen; i++) store<u8>(dst + i, lowerByte(load<u8>(s + i)));
  return sLen;
}

/**
 * `domain(s)`: the bytes after the last `@`, lowered, one trailing `.`
 * dropped; empty when `s` has no `@`.
 */
export function view_domain(s: usize, sLen: u32, dst: usize): u32 {
  let at: i32 = -1;
  for (let i: u32 = 0; i < sLen; i++) if (load<u8>(s + i) == 0x40) at = i32(i);
  if (at < 0) return 0;
  const start = u32(at) + 1;
  let n: u32 = sLen - start;
  if (n > 0 && load<u8>(s + start + n - 1) == 0x2e) n--;
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + i, lowerByte(load<u8>(s + start + i)));
  return n;
}

/**
 * `normpath(s)`: empty unless `s` starts with `/` and holds no NUL; else `/`
 * and the segments between `/`s, empty and `.` segments dropped and each
 * `..` removing the segment kept before it (never above the root). Written
 * left to right into `dst`: the output never passes the input position, so
 * `dst` needs `sLen` bytes.
 */
export function view_normpath(s: usize, sLen: u32, dst: usize): u32 {
  if (sLen == 0 || load<u8>(s) != 0x2f) return 0;
  for (let i: u32 = 0; i < sLen; i++) if (load<u8>(s + i) == 0) return 0;
  // `out` bytes written; the output is always "/" or "/seg(/seg)*".
  let out: u32 = 1;
  store<u8>(dst, 0x2f);
  let i: u32 = 1;
  while (i <= sLen) {
    let end = i;
    while (end < sLen && load<u8>(s + end) != 0x2f) end++;
    const n = end - i;
    if (n == 0 || (n == 1 && load<u8>(s + i) == 0x2e)) {
      // empty or `.`: nothing to keep
    } else if (n == 2 && load<u8>(s + i) == 0x2e && load<u8>(s + i + 1) == 0x2e) {
      // `..`: drop the last kept segment (and its `/`), staying at the root
      if (out > 1) {
        out--;
        while (out > 1 && load<u8>(dst + out - 1) != 0x2f) out--;
        if (out > 1) out--;
      }
    } else {
      if (out > 1) {
        store<u8>(dst + out, 0x2f);
        out++;
      }
      memory.copy(dst + out, s + i, n);
      out += n;
    }
    i = end + 1;
  }
  return out;
}

/**
 * 1 when the normal path `p` (from `view_normpath`; empty means "no path")
 * is `base` or lies below it; `base` is in normal form, and `/` holds every
 * path.
 */
export function under_base(p: usize, pLen: u32, base: usize, baseLen: u32): i32 {
  if (pLen == 0) return 0;
  if (baseLen == 1) return 1;
  if (pLen < baseLen) return 0;
  for (let i: u32 = 0; i < baseLen; i++) if (load<u8>(p + i) != load<u8>(base + i)) return 0;
  return pLen == baseLen || load<u8>(p + baseLen) == 0x2f ? 1 : 0;
}
