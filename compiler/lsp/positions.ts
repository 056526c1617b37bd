/**
 * Between agp's spans and the protocol's positions.
 *
 * In: spans (1-based lines and UTF-16 columns, end exclusive) or a text and
 * an offset. Out: protocol ranges and positions (0-based lines and UTF-16
 * characters). Must not know about documents, files or the protocol's
 * transport; plain data only.
 */
import type { Span } from "../diagnostics/index.js";

/** A protocol position: 0-based line and UTF-16 character. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/** A protocol range, end exclusive. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** The protocol range of a span. */
export function rangeOf(span: Span): Range {
  return {
    start: { line: Math.max(0, span.line - 1), character: Math.max(0, span.column - 1) },
    end: { line: Math.max(0, span.endLine - 1), character: Math.max(0, span.endColumn - 1) },
  };
}

/** The offset of a protocol position in `text` (clamped to the text). */
export function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(offset + position.character, lineEnd);
}

/** The protocol position of an offset in `text`. */
export function positionAt(text: string, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < clamped; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: clamped - start };
}

/** The range from `start` to `end` offsets of `text`. */
export function rangeBetween(text: string, start: number, end: number): Range {
  return { start: positionAt(text, start), end: positionAt(text, end) };
}
