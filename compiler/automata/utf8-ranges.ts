/**
 * Code point ranges → UTF-8 byte-range sequences.
 *
 * In: an inclusive range of Unicode scalar values.
 * Out: byte-range sequences (each 1 to 4 ranges long) whose concatenations
 * are exactly the UTF-8 encodings of the range's scalar values; surrogates
 * (U+D800..U+DFFF) are left out because UTF-8 cannot encode them.
 * Must not: produce overlong or out-of-range encodings. This is how `?` and
 * `[...]` become byte automata, so it decides which byte strings they accept.
 * The splitting follows the well-known approach of Rust's regex-syntax
 * (utf8.rs): split at encoding-length boundaries, then until every
 * continuation byte spans its full 0x80..0xBF or the ranges line up.
 */

/** An inclusive range of byte values. */
export interface ByteRange {
  readonly lo: number;
  readonly hi: number;
}

/** The largest Unicode scalar value. */
export const MAX_SCALAR = 0x10ffff;

/** Sequences of byte ranges encoding every scalar value in [lo, hi]. */
export function utf8Sequences(lo: number, hi: number): ByteRange[][] {
  const out: ByteRange[][] = [];
  const pending: Array<[number, number]> = [[lo, Math.min(hi, MAX_SCALAR)]];
  while (pending.length > 0) {
    let [start, end] = pending.pop()!;
    if (start > end) continue;
    split: for (;;) {
      // Surrogates are not scalar values: cut them out.
      if (start <= 0xdfff && end >= 0xd800) {
        if (start < 0xd800) pending.push([start, 0xd7ff]);
        if (end > 0xdfff) pending.push([0xe000, end]);
        break split;
      }
      // One encoding length per piece.
      for (const max of [0x7f, 0x7ff, 0xffff]) {
        if (start <= max && max < end) {
          pending.push([max + 1, end]);
          end = max;
          continue split;
        }
      }
      if (end <= 0x7f) {
        out.push([{ lo: start, hi: end }]);
        break split;
      }
      // Align so that each trailing 6-bit group spans either one value or
      // all 64, which is what makes the product of byte ranges exact.
      for (let i = 1; i < 4; i++) {
        const m = (1 << (6 * i)) - 1;
        if ((start & ~m) !== (end & ~m)) {
          if ((start & m) !== 0) {
            pending.push([(start | m) + 1, end]);
            end = start | m;
            continue split;
          }
          if ((end & m) !== m) {
            pending.push([end & ~m, end]);
            end = (end & ~m) - 1;
            continue split;
          }
        }
      }
      const a = encodeScalar(start);
      const b = encodeScalar(end);
      out.push(a.map((byte, k) => ({ lo: byte, hi: b[k]! })));
      break split;
    }
  }
  return out;
}

/** UTF-8 bytes of one scalar value. */
export function encodeScalar(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
