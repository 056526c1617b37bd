/**
 * Catalog `pattern`s: the ECMA-262 regular expression subset agp enforces.
 *
 * In: the text of a `pattern` keyword (already known to compile as a
 * JavaScript RegExp with the `u` flag, as ajv reads it). Out: a pattern tree
 * over Unicode code points, or the reason agp refuses the pattern (with the
 * offset it stopped at). JSON Schema gives `pattern` JavaScript's meaning
 * with search semantics: the string matches when some part of it matches,
 * unless `^` / `$` anchor it.
 *
 * Supported (everything a regular language needs): literals and escapes
 * (`\n`, `\t`, `\xHH`, `\uHHHH`, `\u{H…}`, `\cX`, `\0`, escaped syntax
 * characters), `.`, classes `[…]` / `[^…]` with ranges and `\d \D \w \W
 * \s \S`, groups `(…)`, `(?:…)`, `(?<name>…)`, alternation, the quantifiers
 * `* + ? {n} {n,} {n,m}` (lazy or not: only whether a match exists counts),
 * and the anchors `^` and `$`. Refused, because no finite automaton can
 * decide them or because they are rare enough not to be worth an engine:
 * back-references, lookaround, word boundaries `\b \B`, Unicode property
 * escapes `\p{…}`, and inline modifiers.
 *
 * Must not throw for any text, or recurse deeper than MAX_GROUP_DEPTH.
 */

/** A pattern tree. Code point ranges are inclusive, sorted and disjoint. */
export type PatternNode =
  | { readonly kind: "empty" }
  | { readonly kind: "class"; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly kind: "concat"; readonly items: readonly PatternNode[] }
  | { readonly kind: "alt"; readonly options: readonly PatternNode[] }
  | { readonly kind: "repeat"; readonly body: PatternNode; readonly min: number; readonly max: number }
  | { readonly kind: "start" }
  | { readonly kind: "end" };

/** A refused pattern: why, and the offset (in UTF-16 units) where the reader stopped. */
export interface PatternRefusal {
  readonly offset: number;
  readonly reason: string;
}

export type ParsedPattern = { readonly ok: true; readonly tree: PatternNode } | { readonly ok: false; readonly refusal: PatternRefusal };

/** How deep groups may nest; deeper patterns are refused, not read with a deep stack. */
export const MAX_GROUP_DEPTH = 32;
/** The largest repetition count read from `{n,m}`; larger counts are refused as too complex. */
export const MAX_REPEAT = 1000;

const MAX_CODE_POINT = 0x10ffff;
const DIGITS: readonly (readonly [number, number])[] = [[0x30, 0x39]];
const WORD: readonly (readonly [number, number])[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** WhiteSpace and LineTerminator (ECMA-262 `\s`). */
const SPACE: readonly (readonly [number, number])[] = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f],
  [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
/** `.` without the `s` flag: anything but a line terminator. */
const DOT = complement([[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]);
const SYNTAX = "^$\\.*+?()[]{}|/";
const CONTROL: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

class Refused {
  constructor(readonly refusal: PatternRefusal) {}
}

/** Reads a pattern. */
export function parsePattern(source: string): ParsedPattern {
  const reader = new Reader(source);
  try {
    const tree = reader.disjunction(0);
    if (reader.pos < source.length) reader.refuse(`unexpected \`${source[reader.pos]}\``);
    return { ok: true, tree };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal };
    throw error;
  }
}

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  refuse(reason: string, offset = this.pos): never {
    throw new Refused({ offset, reason });
  }

  private peek(ahead = 0): string | undefined {
    return this.text[this.pos + ahead];
  }

  disjunction(depth: number): PatternNode {
    const options = [this.alternative(depth)];
    while (this.peek() === "|") {
      this.pos++;
      options.push(this.alternative(depth));
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private alternative(depth: number): PatternNode {
    const items: PatternNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      const start = this.pos;
      if (c === "^" || c === "$") {
        this.pos++;
        items.push({ kind: c === "^" ? "start" : "end" });
        continue;
      }
      const atom = this.atom(depth);
      items.push(this.quantified(atom, start));
    }
    return items.length === 0 ? { kind: "empty" } : items.length === 1 ? items[0]! : { kind: "concat", items };
  }

  private quantified(atom: PatternNode, start: number): PatternNode {
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === "*") [min, max] = [0, Infinity];
    else if (c === "+") [min, max] = [1, Infinity];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.pos));
      if (braces === null) return atom;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === "" ? Infinity : Number(braces[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
        this.refuse(`a repetition count above ${MAX_REPEAT} makes the automaton too large`);
      }
      this.pos += braces[0].length - 1;
    } else return atom;
    this.pos++;
    if (this.peek() === "?") this.pos++; // lazy: the same language
    if (this.peek() === "*" || this.peek() === "+" || this.peek() === "?" || this.peek() === "{") this.refuse("a quantifier cannot follow a quantifier");
    if (atom.kind === "start" || atom.kind === "end") this.refuse("an anchor cannot be repeated", start);
    return { kind: "repeat", body: atom, min, max };
  }

  private atom(depth: number): PatternNode {
    const c = this.peek()!;
    const start = this.pos;
    switch (c) {
      case ".":
        this.pos++;
        return { kind: "class", ranges: DOT };
      case "(":
        return this.group(depth);
      case "[":
        return this.characterClass();
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case "{":
      case "}":
      case "]":
        return this.refuse(`\`${c}\` has nothing to repeat or is unbalanced`, start);
      default: {
        const cp = this.text.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return single(cp);
      }
    }
  }

  private group(depth: number): PatternNode {
    const open = this.pos;
    if (depth >= MAX_GROUP_DEPTH) this.refuse(`groups nest more than ${MAX_GROUP_DEPTH} levels deep`);
    this.pos++;
    if (this.peek() === "?") {
      const next = this.peek(1);
      if (next === ":") this.pos += 2;
      else if (next === "<" && this.peek(2) !== "=" && this.peek(2) !== "!") {
        const name = /^\?<[^>]*>/.exec(this.text.slice(this.pos));
        if (name === null) this.refuse("an unfinished group name");
        this.pos += name[0].length;
      } else if (next === "=" || next === "!" || next === "<") this.refuse("lookahead and lookbehind are not supported", open);
      else this.refuse("inline modifiers are not supported", open);
    }
    const inner = this.disjunction(depth + 1);
    if (this.peek() !== ")") this.refuse("an unclosed group", open);
    this.pos++;
    return inner;
  }

  /** An escape outside a class. */
  private escape(): PatternNode {
    const start = this.pos;
    const c = this.peek(1);
    if (c === undefined) this.refuse("a `\\` at the end of the pattern");
    if (c === "b" || c === "B") this.refuse("word boundaries (`\\b`, `\\B`) are not supported", start);
    if (/[1-9]/.test(c) || c === "k") this.refuse("back-references are not supported", start);
    const set = this.classEscape();
    if (set !== undefined) return { kind: "class", ranges: set };
    return single(this.characterEscape(false));
  }

  /** `\d \D \w \W \s \S` at the reader (which sits on the `\`), or undefined. */
  private classEscape(): readonly (readonly [number, number])[] | undefined {
    const c = this.peek(1);
    const sets: Readonly<Record<string, readonly (readonly [number, number])[]>> = { d: DIGITS, w: WORD, s: SPACE };
    if (c === undefined) return undefined;
    if (c === "p" || c === "P") this.refuse("Unicode property escapes (`\\p{…}`) are not supported");
    const lower = c.toLowerCase();
    if (!(lower in sets) || (c !== "d" && c !== "D" && c !== "w" && c !== "W" && c !== "s" && c !== "S")) return undefined;
    this.pos += 2;
    const set = sets[lower]!;
    return c === lower ? set : complement(set);
  }

  /** A single-character escape at the reader (on the `\`): its code point. */
  private characterEscape(inClass: boolean): number {
    const start = this.pos;
    const c = this.peek(1)!;
    this.pos += 2;
    if (CONTROL[c] !== undefined) return CONTROL[c]!;
    if (c === "0" && !/[0-9]/.test(this.peek() ?? "")) return 0;
    if (c === "c") {
      const letter = this.peek();
      if (letter === undefined || !/[A-Za-z]/.test(letter)) this.refuse("`\\c` needs a letter", start);
      this.pos++;
      return letter.charCodeAt(0) % 32;
    }
    if (c === "x") {
      const hex = /^[0-9A-Fa-f]{2}/.exec(this.text.slice(this.pos));
      if (hex === null) this.refuse("`\\x` needs two hex digits", start);
      this.pos += 2;
      return parseInt(hex[0], 16);
    }
    if (c === "u") return this.unicodeEscape(start);
    if (SYNTAX.includes(c) || (inClass && c === "-")) return c.charCodeAt(0);
    if (inClass && c === "b") return 0x08;
    return this.refuse(`the escape \`\\${c}\` is not supported`, start);
  }

  private unicodeEscape(start: number): number {
    if (this.peek() === "{") {
      const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.text.slice(this.pos));
      if (braced === null) this.refuse("an unfinished `\\u{…}`", start);
      const cp = parseInt(braced[1]!, 16);
      if (cp > MAX_CODE_POINT) this.refuse("`\\u{…}` beyond U+10FFFF", start);
      this.pos += braced[0].length;
      return cp;
    }
    const hex = /^[0-9A-Fa-f]{4}/.exec(this.text.slice(this.pos));
    if (hex === null) this.refuse("`\\u` needs four hex digits", start);
    this.pos += 4;
    const unit = parseInt(hex[0], 16);
    // A surrogate pair written as two escapes is one code point (the `u` flag's reading).
    const low = /^\\u([Dd][C-Fc-f][0-9A-Fa-f]{2})/.exec(this.text.slice(this.pos));
    if (unit >= 0xd800 && unit <= 0xdbff && low !== null) {
      this.pos += 6;
      return 0x10000 + ((unit - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
    }
    return unit;
  }

  private characterClass(): PatternNode {
    const open = this.pos;
    this.pos++;
    const negated = this.peek() === "^";
    if (negated) this.pos++;
    const ranges: [number, number][] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.refuse("an unclosed `[`", open);
      if (c === "]") {
        this.pos++;
        break;
      }
      const first = this.classAtom();
      if (typeof first !== "number") {
        for (const range of first) ranges.push([range[0], range[1]]);
        continue;
      }
      if (this.peek() !== "-" || this.peek(1) === "]" || this.peek(1) === undefined) {
        ranges.push([first, first]);
        continue;
      }
      this.pos++; // the `-`
      const last = this.classAtom();
      if (typeof last !== "number" || last < first) this.refuse("a class range out of order", open);
      ranges.push([first, last]);
    }
    const merged = normalize(ranges);
    return { kind: "class", ranges: negated ? complement(merged) : merged };
  }

  /** One class atom: a code point, or a set for `\d` and its kin. */
  private classAtom(): number | readonly (readonly [number, number])[] {
    const c = this.peek()!;
    if (c === "\\") {
      if (this.peek(1) === undefined) this.refuse("a `\\` at the end of the pattern");
      const set = this.classEscape();
      if (set !== undefined) return set;
      return this.characterEscape(true);
    }
    const cp = this.text.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function single(cp: number): PatternNode {
  return { kind: "class", ranges: [[cp, cp]] };
}

/** Sorted, merged, disjoint ranges. */
export function normalize(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Every code point (0..U+10FFFF) not in the ranges. */
export function complement(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}
