/**
 * Glob pattern text → glob pieces, or an error in the author's terms.
 *
 * In: the text of a `matches` pattern (a JS string, as the parser decoded it).
 * Out: a list of pieces: `*` (any run of bytes) or "one code point from this
 * set" (literal characters, `?`, `[...]`), or a GlobSyntaxError with the
 * offset (in UTF-16 units of the pattern text) and length of the culprit.
 * Must not: throw on any pattern text; every mistake is a returned error.
 *
 * Syntax (docs/language.md; ADR 0006 "Globs"; ADR 0005 for bytes):
 *   `*` any run of characters (including `/`), `?` exactly one character,
 *   `[abc]` one of, `[a-z]` a range of code points, `[!a]` none of; in a
 *   class `]` ends it (write `\]` for the character), `-` first or last and
 *   `^` are ordinary characters, and a class must not be empty (`[]`, `[!]`);
 *   `\x` is the character x anywhere, including inside a class. The
 *   reference interpreter (compiler/interpret/glob.ts) reads globs the same
 *   way; test/lower/glob-oracle.test.ts holds the two together.
 */
import { MAX_SCALAR } from "../automata/index.js";

/** An inclusive range of Unicode scalar values. */
export type CodePointRange = readonly [lo: number, hi: number];

/** One piece of a glob. */
export type GlobPiece =
  | { readonly kind: "star" }
  /** Exactly one character whose code point lies in one of the ranges. */
  | { readonly kind: "char"; readonly ranges: readonly CodePointRange[] };

/** What is wrong with a pattern, where, and how to fix it. */
export interface GlobSyntaxError {
  readonly message: string;
  readonly help: string;
  /** Offset of the culprit in the pattern text (UTF-16 units). */
  readonly offset: number;
  readonly length: number;
}

/** The pieces of a glob, or what is wrong with it. */
export type GlobParse =
  | { readonly ok: true; readonly pieces: readonly GlobPiece[] }
  | { readonly ok: false; readonly error: GlobSyntaxError };

const ANY: readonly CodePointRange[] = [[0, 0xd7ff], [0xe000, MAX_SCALAR]];

/** Parses glob text into pieces. */
export function parseGlob(text: string): GlobParse {
  const chars = codePoints(text);
  const pieces: GlobPiece[] = [];
  for (let i = 0; i < chars.length; i++) {
    const { cp, offset } = chars[i]!;
    if (isSurrogate(cp)) return fail(unpairedSurrogate(cp, offset));
    if (cp === 0x2a /* * */) {
      // `**` means the same as `*`; keep one.
      if (pieces.at(-1)?.kind !== "star") pieces.push({ kind: "star" });
    } else if (cp === 0x3f /* ? */) {
      pieces.push({ kind: "char", ranges: ANY });
    } else if (cp === 0x5b /* [ */) {
      const cls = parseClass(chars, i);
      if (!cls.ok) return cls;
      pieces.push({ kind: "char", ranges: cls.ranges });
      i = cls.end;
    } else if (cp === 0x5c /* \ */) {
      const next = chars[i + 1];
      if (next === undefined) return fail(trailingBackslash(offset));
      if (isSurrogate(next.cp)) return fail(unpairedSurrogate(next.cp, next.offset));
      pieces.push({ kind: "char", ranges: [[next.cp, next.cp]] });
      i++;
    } else {
      pieces.push({ kind: "char", ranges: [[cp, cp]] });
    }
  }
  return { ok: true, pieces };
}

interface CodePointAt {
  readonly cp: number;
  readonly offset: number;
}

type ClassParse =
  | { readonly ok: true; readonly ranges: readonly CodePointRange[]; readonly end: number }
  | { readonly ok: false; readonly error: GlobSyntaxError };

/** Parses `[...]` starting at chars[open]; `end` is the index of its `]`. */
function parseClass(chars: readonly CodePointAt[], open: number): ClassParse {
  const openOffset = chars[open]!.offset;
  let i = open + 1;
  let negated = false;
  if (chars[i]?.cp === 0x21 /* ! */) {
    negated = true;
    i++;
  }
  const ranges: CodePointRange[] = [];
  for (;;) {
    const here = chars[i];
    if (here === undefined) return fail(unclosedClass(openOffset));
    if (here.cp === 0x5d /* ] */) {
      if (ranges.length === 0) return fail(emptyClass(chars, open, i));
      break;
    }
    const lo = classMember(chars, i);
    if (!lo.ok) return lo;
    i = lo.next;
    // `a-z`, unless the `-` is the last thing before `]`.
    if (chars[i]?.cp === 0x2d /* - */ && chars[i + 1] !== undefined && chars[i + 1]!.cp !== 0x5d) {
      const hi = classMember(chars, i + 1);
      if (!hi.ok) return hi;
      if (hi.cp < lo.cp) {
        const from = here.offset;
        const to = chars[hi.next - 1]!.offset + (chars[hi.next - 1]!.cp > 0xffff ? 2 : 1);
        return fail({
          message: `\`${String.fromCodePoint(lo.cp)}-${String.fromCodePoint(hi.cp)}\` is an empty range in a glob class`,
          help: `write the lower end first: \`${String.fromCodePoint(hi.cp)}-${String.fromCodePoint(lo.cp)}\``,
          offset: from,
          length: to - from,
        });
      }
      ranges.push([lo.cp, hi.cp]);
      i = hi.next;
    } else {
      ranges.push([lo.cp, lo.cp]);
    }
  }
  const set = normalize(ranges);
  return { ok: true, ranges: negated ? complement(set) : set, end: i };
}

type Member = { readonly ok: true; readonly cp: number; readonly next: number } | { readonly ok: false; readonly error: GlobSyntaxError };

/** One character of a class, honouring `\` escapes. */
function classMember(chars: readonly CodePointAt[], i: number): Member {
  let here = chars[i]!;
  let next = i + 1;
  if (here.cp === 0x5c /* \ */) {
    const escaped = chars[i + 1];
    if (escaped === undefined) return fail(trailingBackslash(here.offset));
    here = escaped;
    next = i + 2;
  }
  if (isSurrogate(here.cp)) return fail(unpairedSurrogate(here.cp, here.offset));
  return { ok: true, cp: here.cp, next };
}

/** Sorted, merged, surrogates removed. */
function normalize(ranges: readonly CodePointRange[]): CodePointRange[] {
  const pieces: Array<[number, number]> = [];
  for (const [lo, hi] of ranges) {
    if (lo < 0xd800 && hi >= 0xd800) pieces.push([lo, 0xd7ff]);
    if (hi > 0xdfff && lo <= 0xdfff) pieces.push([0xe000, hi]);
    if (hi < 0xd800 || lo > 0xdfff) pieces.push([lo, hi]);
  }
  pieces.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [lo, hi] of pieces) {
    const last = merged.at(-1);
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/** Every scalar value not in the (normalized) ranges. */
function complement(ranges: readonly CodePointRange[]): CodePointRange[] {
  const out: CodePointRange[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_SCALAR) out.push([next, MAX_SCALAR]);
  return normalize(out);
}

function codePoints(text: string): CodePointAt[] {
  const out: CodePointAt[] = [];
  for (let offset = 0; offset < text.length; ) {
    const cp = text.codePointAt(offset)!;
    out.push({ cp, offset });
    offset += cp > 0xffff ? 2 : 1;
  }
  return out;
}

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

function fail(error: GlobSyntaxError): { readonly ok: false; readonly error: GlobSyntaxError } {
  return { ok: false, error };
}

function unclosedClass(offset: number): GlobSyntaxError {
  return {
    message: "unclosed `[` in glob",
    help: "close the class with `]`, or write `\\[` to match a `[`",
    offset,
    length: 1,
  };
}

function emptyClass(chars: readonly CodePointAt[], open: number, close: number): GlobSyntaxError {
  const offset = chars[open]!.offset;
  const text = close === open + 1 ? "[]" : "[!]";
  return {
    message: `empty class \`${text}\` in glob`,
    help: "a class needs at least one character; write `\\[` to match a `[`",
    offset,
    length: chars[close]!.offset + 1 - offset,
  };
}

function trailingBackslash(offset: number): GlobSyntaxError {
  return {
    message: "glob ends with a lone `\\`",
    help: "write `\\\\` to match a backslash",
    offset,
    length: 1,
  };
}

function unpairedSurrogate(cp: number, offset: number): GlobSyntaxError {
  return {
    message: `glob contains an unpaired surrogate \`\\u${cp.toString(16).toUpperCase()}\`, which no string can contain`,
    help: "remove it, or write the whole character it was meant to be part of",
    offset,
    length: 1,
  };
}
