/**
 * Canonical spelling of the smallest pieces: strings, numbers, names, object
 * keys, literals.
 *
 * In: decoded literal values from the AST. Out: source text that the lexer
 * reads back as exactly the same value. Must not decide any layout.
 */
import { HARD_KEYWORDS, type Literal, type NumberLiteral, type StringLiteral } from "../syntax/index.js";
import { internalError } from "./internal-error.js";
import { spanned, type Inline } from "./text.js";

/** Words that can never be names (docs/language.md, "Files and lexical structure"). */
const RESERVED_WORDS: ReadonlySet<string> = new Set(HARD_KEYWORDS);

const NAME_SHAPE = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;

/** True when `value` can be written as a bare name (an object key, for instance). */
export function isBareName(value: string): boolean {
  return NAME_SHAPE.test(value) && !RESERVED_WORDS.has(value);
}

/**
 * Characters that are invisible or reorder text in an editor: line and
 * paragraph separators, zero-width characters and marks, bidirectional
 * embeddings, overrides and isolates, the byte-order mark. A reviewer must
 * see them, so they print as `\uXXXX` escapes.
 */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A string literal with JSON escapes (`JSON.stringify`), plus `\uXXXX` for
 * invisible and bidirectional-control characters.
 */
export function quote(value: string): string {
  return JSON.stringify(value).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A number in its shortest decimal form, never with an exponent: the lexer
 * reads only `-`, digits and an optional fraction. `-0` keeps its sign so the
 * value survives a round trip unchanged.
 */
export function decimal(value: number): string {
  if (!Number.isFinite(value)) internalError(`cannot print the number ${String(value)}`);
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  const shortest = String(Math.abs(value));
  const exponentAt = shortest.indexOf("e");
  if (exponentAt < 0) return sign + shortest;
  const mantissa = shortest.slice(0, exponentAt);
  const exponent = Number(shortest.slice(exponentAt + 1));
  const point = mantissa.indexOf(".");
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  // Position of the decimal point within `digits` once the exponent is applied.
  const pointAt = (point < 0 ? mantissa.length : point) + exponent;
  if (pointAt <= 0) return `${sign}0.${"0".repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return sign + digits + "0".repeat(pointAt - digits.length);
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** A number literal node. */
export function numberLiteral(node: NumberLiteral): Inline {
  return spanned(decimal(node.value), node.span);
}

/** A string literal node. */
export function stringLiteral(node: StringLiteral): Inline {
  return spanned(quote(node.value), node.span);
}

/** Any scalar literal node. */
export function literal(node: Literal): Inline {
  switch (node.kind) {
    case "String":
      return stringLiteral(node);
    case "Number":
      return numberLiteral(node);
    case "Boolean":
      return spanned(node.value ? "true" : "false", node.span);
    case "Null":
      return spanned("null", node.span);
  }
}
