/**
 * Spans from offsets.
 *
 * In: a file's text (once, to find where its lines start), then token and
 * CST node offsets. Out: `Span`s (1-based lines and columns counted in
 * UTF-16 code units, ends one past the last character, 0-based offsets).
 * Line breaks are `\n`, `\r\n` and a lone `\r`, as in Chevrotain's lexer.
 * This file must not know the grammar.
 */
import type { CstNodeLocation, IToken } from "chevrotain";
import type { Span } from "./ast.js";

/** A file's name and the offset where each of its lines starts. */
export interface SourceLines {
  readonly file: string;
  readonly starts: readonly number[];
}

export function sourceLines(file: string, source: string): SourceLines {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return { file, starts };
}

/** The span from `offset` to `endOffset` (one past the end). */
export function offsetSpan(lines: SourceLines, offset: number, endOffset: number): Span {
  const start = lineOf(lines.starts, offset);
  const end = endOffset === offset ? start : lineOf(lines.starts, endOffset, start);
  return {
    file: lines.file,
    line: start + 1,
    column: offset - lines.starts[start]! + 1,
    endLine: end + 1,
    endColumn: endOffset - lines.starts[end]! + 1,
    offset,
    endOffset,
  };
}

/** The span of one token (tokens never span lines). */
export function tokenSpan(lines: SourceLines, token: IToken): Span {
  return offsetSpan(lines, token.startOffset, token.startOffset + token.image.length);
}

/** The span of a CST node (nodeLocationTracking "onlyOffset"; end offsets are inclusive). */
export function locationSpan(lines: SourceLines, location: CstNodeLocation | undefined): Span {
  if (location === undefined || Number.isNaN(location.startOffset) || location.endOffset === undefined) {
    throw new Error("internal error: a CST node has no location");
  }
  return offsetSpan(lines, location.startOffset, location.endOffset + 1);
}

/** An empty span just after a token (where something missing should have been). */
export function afterToken(lines: SourceLines, token: IToken): Span {
  const end = token.startOffset + token.image.length;
  return offsetSpan(lines, end, end);
}

/** The 0-based line holding `offset`: the last line start at or before it. */
function lineOf(starts: readonly number[], offset: number, from = 0): number {
  let lo = from;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
