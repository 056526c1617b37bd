/**
 * Test support: a glob matcher written for clarity, not speed, to check the
 * compiled automata against.
 *
 * In: glob text (valid: tests only generate valid globs) and input bytes.
 * Out: whether the glob matches the whole input, by the rules of
 * docs/decisions/0005-stdlib-and-automata.md: `*` any run of bytes, `?` and
 * classes one well-formed UTF-8 code point, literals their UTF-8 bytes.
 * Must not: share code with compiler/lower: it is the independent reading
 * of the rules. Backtracks (memoized), so keep inputs small.
 */

/** True when the glob matches all of `input`. */
export function referenceGlobMatch(glob: string, input: Uint8Array): boolean {
  const pattern = [...glob].map((c) => c.codePointAt(0)!);
  const memo = new Map<number, boolean>();
  const match = (p: number, s: number): boolean => {
    const key = p * (input.length + 1) + s;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = matchAt(p, s);
    memo.set(key, result);
    return result;
  };
  const matchAt = (p: number, s: number): boolean => {
    if (p === pattern.length) return s === input.length;
    const c = pattern[p]!;
    if (c === 0x2a /* * */) {
      for (let k = s; k <= input.length; k++) if (match(p + 1, k)) return true;
      return false;
    }
    if (c === 0x3f /* ? */) {
      const length = wellFormedLength(input, s);
      return length > 0 && match(p + 1, s + length);
    }
    if (c === 0x5b /* [ */) {
      const { contains, next } = readClass(pattern, p);
      const length = wellFormedLength(input, s);
      return length > 0 && contains(decode(input, s, length)) && match(next, s + length);
    }
    const literal = c === 0x5c /* \ */ ? pattern[p + 1]! : c;
    const bytes = new TextEncoder().encode(String.fromCodePoint(literal));
    if (!bytes.every((b, i) => input[s + i] === b)) return false;
    return match(p + (c === 0x5c ? 2 : 1), s + bytes.length);
  };
  return match(0, 0);
}

/** The class starting at pattern[open] (`[`): a membership test and the index after `]`. */
function readClass(pattern: number[], open: number): { contains: (cp: number) => boolean; next: number } {
  let i = open + 1;
  const negated = pattern[i] === 0x21; // !
  if (negated) i++;
  const ranges: Array<[number, number]> = [];
  const one = (): number => (pattern[i] === 0x5c ? pattern[(i += 2) - 1]! : pattern[i++]!);
  while (pattern[i] !== 0x5d) {
    const lo = one();
    if (pattern[i] === 0x2d && i + 1 < pattern.length && pattern[i + 1] !== 0x5d) {
      i++;
      ranges.push([lo, one()]);
    } else {
      ranges.push([lo, lo]);
    }
  }
  return { contains: (cp) => ranges.some(([lo, hi]) => lo <= cp && cp <= hi) !== negated, next: i + 1 };
}

/**
 * Length of the well-formed UTF-8 sequence at input[i] (Unicode Table 3-7),
 * or 0 when the bytes there are not one.
 */
export function wellFormedLength(input: Uint8Array, i: number): number {
  const b0 = input[i];
  if (b0 === undefined) return 0;
  if (b0 <= 0x7f) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = input[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function decode(input: Uint8Array, i: number, length: number): number {
  return new TextDecoder().decode(input.subarray(i, i + length)).codePointAt(0)!;
}
