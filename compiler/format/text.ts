/**
 * The formatter's tiny document model: inline runs of text and output lines,
 * each remembering which source offsets it prints.
 *
 * In: text fragments and the AST spans they come from.
 * Out: `Inline` runs (text that never breaks) and `Line`s (an indentation
 * plus one inline run). The anchors on a line are what comments.ts uses to
 * put each comment back next to the tokens it was written beside.
 * This file must not know anything about the .agp language.
 */
import type { Span } from "../syntax/index.js";

/** The line width the layout aims for, in columns. */
export const LINE_WIDTH = 100;

/** One indentation step, in spaces. */
export const INDENT = 2;

/** A source range `[start, end)` (0-based offsets) printed on some line. */
export interface Anchor {
  readonly start: number;
  readonly end: number;
}

/** Text that is always printed on one line, with the source ranges it prints. */
export interface Inline {
  readonly text: string;
  readonly anchors: readonly Anchor[];
}

/** One output line: indentation, text, and where its tokens came from. */
export interface Line {
  readonly indent: number;
  readonly text: string;
  readonly anchors: readonly Anchor[];
  /**
   * Indentation for own-line comments placed above this line, when it
   * differs from `indent` (a closing `}` takes comments at its content's depth).
   */
  readonly commentIndent?: number;
}

/** Plain text with no source position (keywords, punctuation). */
export function text(value: string): Inline {
  return { text: value, anchors: [] };
}

/** Text that prints the whole of `span`. */
export function spanned(value: string, span: Span): Inline {
  return { text: value, anchors: [{ start: span.offset, end: span.endOffset }] };
}

/** Text that prints only the first token of `span` (an opening keyword or bracket). */
export function opening(value: string, span: Span): Inline {
  return { text: value, anchors: [{ start: span.offset, end: span.offset }] };
}

/** Text that prints only the last token of `span` (a closing bracket). */
export function closing(value: string, span: Span): Inline {
  return { text: value, anchors: [{ start: span.endOffset, end: span.endOffset }] };
}

/** Concatenates inline runs. */
export function concat(...parts: readonly Inline[]): Inline {
  return concatAll(parts);
}

/** Concatenates a list of inline runs of any length (no argument spreading, which a long list would overflow). */
export function concatAll(parts: readonly Inline[]): Inline {
  return { text: parts.map((p) => p.text).join(""), anchors: parts.flatMap((p) => p.anchors) };
}

/** Joins inline runs with a separator. */
export function join(parts: readonly Inline[], separator: string): Inline {
  const out: Inline[] = [];
  parts.forEach((part, index) => {
    if (index > 0) out.push(text(separator));
    out.push(part);
  });
  return concatAll(out);
}

/** Adds the whole of `span` to the anchors of an inline run. */
export function covering(inline: Inline, span: Span): Inline {
  return { text: inline.text, anchors: [...inline.anchors, { start: span.offset, end: span.endOffset }] };
}

/** A line at `indent` holding `inline`. */
export function line(indent: number, inline: Inline, commentIndent?: number): Line {
  return commentIndent === undefined
    ? { indent, text: inline.text, anchors: inline.anchors }
    : { indent, text: inline.text, anchors: inline.anchors, commentIndent };
}

/** Display width of a text, counting code points (close enough for alignment). */
export function width(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** True when `inline` at `indent`, followed by `suffix` columns, fits the line width. */
export function fits(indent: number, inline: Inline, suffix = 0): boolean {
  return indent + width(inline.text) + suffix <= LINE_WIDTH;
}
