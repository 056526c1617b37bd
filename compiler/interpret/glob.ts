/**
 * Glob patterns for `matches`: the reference semantics, written for clarity.
 *
 * In: a pattern string and a subject string. Out: a parsed pattern (or a
 * message saying why the pattern is malformed) and a boolean match.
 * Must not use RegExp: the code generator compiles the same patterns to
 * automata, and this file is the oracle it is tested against.
 *
 * The language (docs/language.md, "Expressions"):
 * - the whole subject must match (anchored at both ends);
 * - `*` matches any run of code points, including none and including `/`;
 * - `?` matches exactly one code point;
 * - `[abc]` one code point from the set; `[a-z]` a range (by code point,
 *   bounds included); `[!a-z]` one code point not in the class; inside a
 *   class `]` ends it, `-` first or last is literal, `\` escapes;
 * - `\c` matches `c` literally (for `\*`, `\?`, `\[`, `\\`, …);
 * - everything else matches itself. Matching is by code point and is
 *   case-sensitive.
 * Malformed: an unterminated `[`, an empty class `[]` / `[!]`, a reversed
 * range `[z-a]`, a trailing lone `\`, a lone surrogate (no string holds one).
 * compiler/lower/glob-syntax.ts compiles the same syntax to automata.
 */

/** One element of a parsed glob. */
export type GlobToken =
  | { readonly kind: "literal"; readonly codePoint: number }
  | { readonly kind: "one" }
  | { readonly kind: "star" }
  | { readonly kind: "class"; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] };

/** A parsed glob, or why it could not be parsed. */
export type GlobParse = { readonly ok: true; readonly tokens: readonly GlobToken[] } | { readonly ok: false; readonly message: string };

/** Parses a glob pattern. */
export function parseGlob(pattern: string): GlobParse {
  const points = Array.from(pattern, (c) => c.codePointAt(0)!);
  if (points.some((c) => c >= 0xd800 && c <= 0xdfff)) return fail("the pattern contains a lone surrogate");
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < points.length) {
    const c = points[i]!;
    if (c === BACKSLASH) {
      const next = points[i + 1];
      if (next === undefined) return fail("the pattern ends with a lone `\\`");
      tokens.push({ kind: "literal", codePoint: next });
      i += 2;
    } else if (c === STAR) {
      tokens.push({ kind: "star" });
      i++;
    } else if (c === QUESTION) {
      tokens.push({ kind: "one" });
      i++;
    } else if (c === OPEN) {
      const parsed = parseClass(points, i + 1);
      if (!parsed.ok) return parsed;
      tokens.push(parsed.token);
      i = parsed.next;
    } else {
      tokens.push({ kind: "literal", codePoint: c });
      i++;
    }
  }
  return { ok: true, tokens };
}

type ClassParse =
  | { readonly ok: true; readonly token: GlobToken; readonly next: number }
  | { readonly ok: false; readonly message: string };

/** Parses a class body starting after `[`; returns the index after `]`. */
function parseClass(points: readonly number[], start: number): ClassParse {
  let i = start;
  const negated = points[i] === BANG;
  if (negated) i++;
  const members: number[] = [];
  const ranges: [number, number][] = [];
  let closed = false;
  // First collect members (escapes resolved) with a marker for unescaped `-`.
  const items: { readonly codePoint: number; readonly dash: boolean }[] = [];
  while (i < points.length) {
    const c = points[i]!;
    if (c === CLOSE) {
      closed = true;
      i++;
      break;
    }
    if (c === BACKSLASH) {
      const next = points[i + 1];
      if (next === undefined) return fail("the pattern ends with a lone `\\`");
      items.push({ codePoint: next, dash: false });
      i += 2;
      continue;
    }
    items.push({ codePoint: c, dash: c === DASH });
    i++;
  }
  if (!closed) return fail("a `[` class is not closed with `]`");
  if (items.length === 0) return fail("a `[]` class is empty");
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const dash = items[k + 1];
    const high = items[k + 2];
    if (dash?.dash === true && high !== undefined) {
      if (item.codePoint > high.codePoint) {
        return fail(`the range \`${String.fromCodePoint(item.codePoint)}-${String.fromCodePoint(high.codePoint)}\` is reversed`);
      }
      ranges.push([item.codePoint, high.codePoint]);
      k += 2;
    } else {
      members.push(item.codePoint);
    }
  }
  for (const m of members) ranges.push([m, m]);
  return { ok: true, token: { kind: "class", negated, ranges }, next: i };
}

/**
 * Whether `subject` matches the whole parsed glob. Recursive over (token,
 * code point) positions, memoised so that `*a*a*a…` stays polynomial.
 */
export function globMatches(tokens: readonly GlobToken[], subject: string): boolean {
  const text = Array.from(subject, (c) => c.codePointAt(0)!);
  const memo = new Map<number, boolean>();
  const width = text.length + 1;

  const match = (t: number, s: number): boolean => {
    const key = t * width + s;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = step(t, s);
    memo.set(key, result);
    return result;
  };

  const step = (t: number, s: number): boolean => {
    const token = tokens[t];
    if (token === undefined) return s === text.length;
    if (token.kind === "star") {
      // Either the star matches nothing more, or it eats one code point and stays.
      return match(t + 1, s) || (s < text.length && match(t, s + 1));
    }
    const c = text[s];
    if (c === undefined) return false;
    return matchesOne(token, c) && match(t + 1, s + 1);
  };

  return match(0, 0);
}

function matchesOne(token: Exclude<GlobToken, { kind: "star" }>, c: number): boolean {
  switch (token.kind) {
    case "literal":
      return token.codePoint === c;
    case "one":
      return true;
    case "class": {
      const inside = token.ranges.some(([low, high]) => c >= low && c <= high);
      return inside !== token.negated;
    }
  }
}

const cache = new Map<string, GlobParse>();

/** Parses (once per pattern) and matches; undefined result means the pattern is malformed. */
export function glob(pattern: string, subject: string): boolean | { readonly malformed: string } {
  let parsed = cache.get(pattern);
  if (parsed === undefined) {
    parsed = parseGlob(pattern);
    if (cache.size < 1024) cache.set(pattern, parsed);
  }
  return parsed.ok ? globMatches(parsed.tokens, subject) : { malformed: parsed.message };
}

function fail(message: string): { readonly ok: false; readonly message: string } {
  return { ok: false, message };
}

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BANG = 0x21;
const DASH = 0x2d;
