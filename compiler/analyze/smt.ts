/**
 * SMT-LIB 2 terms as text: the few builders the encoder needs, with the
 * constant folding that keeps queries small and readable.
 *
 * In: terms (strings of SMT-LIB), JS numbers and strings. Out: terms.
 * Must not know about policies, requests or the solver: it only spells
 * terms. Numbers are written as the exact rational value of the double the
 * policy holds (0.1 is 3602879701896397/36028797018963968), so comparisons
 * mean in the solver exactly what they mean in a JS or wasm engine.
 */

/** An SMT-LIB term, as text. */
export type Term = string;

export const TRUE: Term = "true";
export const FALSE: Term = "false";

/** `(and …)`, folding constants. */
export function and(...terms: readonly Term[]): Term {
  const kept: Term[] = [];
  for (const t of terms) {
    if (t === FALSE) return FALSE;
    if (t !== TRUE && !kept.includes(t)) kept.push(t);
  }
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? kept[0]! : `(and ${kept.join(" ")})`;
}

/** `(or …)`, folding constants. */
export function or(...terms: readonly Term[]): Term {
  const kept: Term[] = [];
  for (const t of terms) {
    if (t === TRUE) return TRUE;
    if (t !== FALSE && !kept.includes(t)) kept.push(t);
  }
  if (kept.length === 0) return FALSE;
  return kept.length === 1 ? kept[0]! : `(or ${kept.join(" ")})`;
}

/** `(not t)`, folding constants and double negation. */
export function not(t: Term): Term {
  if (t === TRUE) return FALSE;
  if (t === FALSE) return TRUE;
  const inner = /^\(not (.*)\)$/s.exec(t);
  if (inner !== null && balanced(inner[1]!)) return inner[1]!;
  return `(not ${t})`;
}

/** `(=> a b)`. */
export function implies(a: Term, b: Term): Term {
  return or(not(a), b);
}

/** `(ite c a b)`, folding a constant condition. */
export function ite(c: Term, a: Term, b: Term): Term {
  if (c === TRUE) return a;
  if (c === FALSE) return b;
  if (a === b) return a;
  return `(ite ${c} ${a} ${b})`;
}

/** `(= a b)`. */
export function eq(a: Term, b: Term): Term {
  return a === b ? TRUE : `(= ${a} ${b})`;
}

/** A binary arithmetic comparison. */
export function cmp(op: "<" | "<=" | ">" | ">=", a: Term, b: Term): Term {
  return `(${op} ${a} ${b})`;
}

/** `(+ …)`. */
export function sum(terms: readonly Term[]): Term {
  if (terms.length === 0) return "0";
  return terms.length === 1 ? terms[0]! : `(+ ${terms.join(" ")})`;
}

/** An integer literal (bigint-exact). */
export function int(n: number | bigint): Term {
  const b = BigInt(n);
  return b < 0n ? `(- ${-b})` : `${b}`;
}

/**
 * The exact rational value of a finite double, as a Real term: a double is
 * m·2^e, so it is an integer or an integer over a power of two.
 */
export function real(n: number): Term {
  if (!Number.isFinite(n)) throw new Error(`internal error: cannot encode the number ${n}`);
  if (Number.isInteger(n)) {
    const b = BigInt(n);
    return b < 0n ? `(- ${-b}.0)` : `${b}.0`;
  }
  let numerator = n;
  let denominator = 1n;
  // Multiply by 2 until the value is an integer: exact in binary floating point.
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    denominator *= 2n;
  }
  const top = BigInt(numerator);
  const text = `(/ ${top < 0n ? -top : top}.0 ${denominator}.0)`;
  return top < 0n ? `(- ${text})` : text;
}

/** A string literal in SMT-LIB 2.6 syntax: printable ASCII as is, everything else `\u{…}`. */
export function str(s: string): Term {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '""';
    else if (c >= 0x20 && c < 0x7f && c !== 0x5c) out += ch;
    else out += `\\u{${c.toString(16)}}`;
  }
  return `${out}"`;
}

/** Whether the parentheses of `t` balance (so `(not X)` really wraps one term). */
function balanced(t: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of t) {
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}
