/**
 * Strings tested against constants: which combinations of tests one string
 * can pass, and a string that passes them.
 *
 * In: languages (a union of glob patterns: `==`, `startsWith`, `endsWith`,
 * `contains` against a literal and `matches` all are globs), a polarity for
 * each (the string must or must not be in it), and the field's bounds
 * (`minLength`, `maxLength`, in code points). Out: a witness string, or
 * "none" (no string passes), or "unknown" when the search would pass its
 * state budget. Must not call the solver: this is the exact, deterministic
 * string reasoning the analysis does itself, because Z3's string theory is
 * slow and erratic on negated prefix and regex tests.
 *
 * How: each language is an NFA over the glob's positions; the product of
 * their subset constructions (deterministic, so a language may be required
 * or excluded) is searched breadth first over a finite alphabet: one
 * representative code point for each interval of code points that no
 * literal or class boundary splits. A string found is a shortest one, made
 * of readable characters where it can be. Surrogate code points are never
 * used, so every witness is well-formed Unicode.
 */
import type { GlobToken } from "../interpret/index.js";

/** A regular language: the strings matching any of the patterns. */
export interface Language {
  readonly patterns: readonly (readonly GlobToken[])[];
}

/** A requirement on one string: in `language` (`member`) or not. */
export interface StringTest {
  readonly language: Language;
  readonly member: boolean;
}

/** The bounds of one string field. */
export interface StringBounds {
  readonly minLength: number;
  readonly maxLength?: number;
}

export type Feasibility = { readonly kind: "witness"; readonly value: string } | { readonly kind: "none" } | { readonly kind: "unknown" };

/** The largest number of product states one search may visit. */
const STATE_BUDGET = 50_000;

/** The language of one literal string. */
export function literalLanguage(s: string): Language {
  return { patterns: [literalTokens(s)] };
}

/** `startsWith`, `endsWith`, `contains` against a literal, as languages. */
export function affixLanguage(op: "startsWith" | "endsWith" | "contains", s: string): Language {
  const lit = literalTokens(s);
  const star: GlobToken = { kind: "star" };
  if (op === "startsWith") return { patterns: [[...lit, star]] };
  if (op === "endsWith") return { patterns: [[star, ...lit]] };
  return { patterns: [[star, ...lit, star]] };
}

/** A parsed glob as a language. */
export function globLanguage(tokens: readonly GlobToken[]): Language {
  return { patterns: [tokens] };
}

/** A union of literals (`in {…}`). */
export function unionLanguage(languages: readonly Language[]): Language {
  return { patterns: languages.flatMap((l) => l.patterns) };
}

function literalTokens(s: string): GlobToken[] {
  return Array.from(s, (ch) => ({ kind: "literal", codePoint: ch.codePointAt(0)! }) as GlobToken);
}

/** Whether a concrete string is in a language (the reference for tests). */
export function inLanguage(language: Language, s: string): boolean {
  const points = Array.from(s, (c) => c.codePointAt(0)!);
  return language.patterns.some((p) => {
    let state = closure(p, [0]);
    for (const c of points) state = step(p, state, c);
    return state.includes(p.length);
  });
}

/** Finds a string passing every test within the bounds, shortest first. */
export function findString(tests: readonly StringTest[], bounds: StringBounds): Feasibility {
  const alphabet = representatives(tests);
  const minLength = bounds.minLength;
  const maxLength = bounds.maxLength ?? Number.MAX_SAFE_INTEGER;
  if (minLength > maxLength) return { kind: "none" };
  type Node = { readonly states: readonly (readonly number[])[][]; readonly length: number; readonly parent?: Node; readonly char?: number };
  const start: Node = { states: tests.map((t) => t.language.patterns.map((p) => closure(p, [0]))), length: 0 };
  const key = (n: Node): string => `${Math.min(n.length, minLength)}|${n.states.map((s) => s.map((x) => x.join(",")).join(";")).join("/")}`;
  const seen = new Set<string>([key(start)]);
  let frontier: Node[] = [start];
  let visited = 0;
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (const node of frontier) {
      if (node.length >= minLength && accepts(tests, node.states)) return { kind: "witness", value: spell(node) };
      if (node.length >= maxLength || dead(tests, node.states)) continue;
      for (const c of alphabet) {
        const child: Node = {
          states: tests.map((t, i) => t.language.patterns.map((p, j) => step(p, node.states[i]![j]!, c))),
          length: node.length + 1,
          parent: node,
          char: c,
        };
        const k = key(child);
        if (seen.has(k)) continue;
        seen.add(k);
        if (++visited > STATE_BUDGET) return { kind: "unknown" };
        next.push(child);
      }
    }
    frontier = next;
  }
  return { kind: "none" };

  function spell(node: Node): string {
    const points: number[] = [];
    for (let n: Node | undefined = node; n?.char !== undefined; n = n.parent) points.push(n.char);
    return String.fromCodePoint(...points.reverse());
  }
}

function accepts(tests: readonly StringTest[], states: readonly (readonly (readonly number[])[])[]): boolean {
  return tests.every((t, i) => {
    const member = t.language.patterns.some((p, j) => states[i]![j]!.includes(p.length));
    return member === t.member;
  });
}

/** A required language whose every pattern has no live position can never be met again. */
function dead(tests: readonly StringTest[], states: readonly (readonly (readonly number[])[])[]): boolean {
  return tests.some((t, i) => t.member && states[i]!.every((s) => s.length === 0));
}

/** Positions reachable from `positions` without reading (a `*` may match nothing). */
function closure(pattern: readonly GlobToken[], positions: readonly number[]): number[] {
  const out = new Set<number>();
  for (const start of positions) {
    let i = start;
    out.add(i);
    while (i < pattern.length && pattern[i]!.kind === "star") out.add(++i);
  }
  return [...out].sort((a, b) => a - b);
}

function step(pattern: readonly GlobToken[], positions: readonly number[], c: number): number[] {
  const next: number[] = [];
  for (const i of positions) {
    const token = pattern[i];
    if (token === undefined) continue;
    if (token.kind === "star") next.push(i);
    else if (tokenMatches(token, c)) next.push(i + 1);
  }
  return closure(pattern, next);
}

function tokenMatches(token: GlobToken, c: number): boolean {
  switch (token.kind) {
    case "star":
    case "one":
      return true;
    case "literal":
      return token.codePoint === c;
    case "class": {
      const inside = token.ranges.some(([lo, hi]) => c >= lo && c <= hi);
      return token.negated ? !inside : inside;
    }
  }
}

const MAX_CODE_POINT = 0x10ffff;

/**
 * One code point per interval that the tests cannot tell apart, readable
 * ones first (so witnesses read like `agent/a`, not control characters).
 */
function representatives(tests: readonly StringTest[]): number[] {
  const cuts = new Set<number>([0, 0xd800, 0xe000, MAX_CODE_POINT + 1]);
  for (const t of tests) {
    for (const p of t.language.patterns) {
      for (const token of p) {
        if (token.kind === "literal") {
          cuts.add(token.codePoint);
          cuts.add(token.codePoint + 1);
        } else if (token.kind === "class") {
          for (const [lo, hi] of token.ranges) {
            cuts.add(lo);
            cuts.add(hi + 1);
          }
        }
      }
    }
  }
  const sorted = [...cuts].filter((c) => c <= MAX_CODE_POINT + 1).sort((a, b) => a - b);
  const picks: number[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const lo = sorted[i]!;
    const hi = sorted[i + 1]! - 1;
    if (lo >= 0xd800 && hi <= 0xdfff) continue;
    picks.push(readable(lo, hi));
  }
  return picks.sort((a, b) => rank(a) - rank(b) || a - b);
}

const PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789-_./ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function readable(lo: number, hi: number): number {
  for (const ch of PREFERRED) {
    const c = ch.codePointAt(0)!;
    if (c >= lo && c <= hi) return c;
  }
  if (lo <= 0x7e && hi >= 0x21) return Math.max(lo, 0x21);
  if (hi >= 0xa1 && lo <= 0xd7ff) return Math.max(lo, 0xa1);
  return lo;
}

function rank(c: number): number {
  const i = PREFERRED.indexOf(String.fromCodePoint(c));
  if (i >= 0) return i;
  if (c >= 0x21 && c <= 0x7e) return 100;
  if (c >= 0xa1) return 200;
  return 300;
}
