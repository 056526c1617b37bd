/**
 * Spans from Chevrotain positions.
 *
 * In: tokens and CST node locations (1-based lines and columns, inclusive
 * ends). Out: `Span`s (1-based, ends one past the last character, 0-based
 * offsets). This file must not know the grammar.
 */
import type { CstNodeLocation, IToken } from "chevrotain";
import type { Span } from "./ast.js";

/** The span of one token. */
export function tokenSpan(file: string, token: IToken): Span {
  return {
    file,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
    endLine: token.endLine ?? token.startLine ?? 1,
    endColumn: (token.endColumn ?? token.startColumn ?? 0) + 1,
    offset: token.startOffset,
    endOffset: (token.endOffset ?? token.startOffset) + 1,
  };
}

/** From the start of `first` to the end of `last`. */
export function tokensSpan(file: string, first: IToken, last: IToken): Span {
  const a = tokenSpan(file, first);
  const b = tokenSpan(file, last);
  return { ...a, endLine: b.endLine, endColumn: b.endColumn, endOffset: b.endOffset };
}

/** The span of a CST node (nodeLocationTracking "full"). */
export function locationSpan(file: string, location: CstNodeLocation | undefined): Span {
  if (location === undefined || Number.isNaN(location.startOffset)) {
    throw new Error("internal error: a CST node has no location");
  }
  return {
    file,
    line: location.startLine ?? 1,
    column: location.startColumn ?? 1,
    endLine: location.endLine ?? 1,
    endColumn: (location.endColumn ?? 0) + 1,
    offset: location.startOffset,
    endOffset: (location.endOffset ?? location.startOffset) + 1,
  };
}

/** A span of `length` characters on one line. */
export function pointSpan(file: string, line: number, column: number, offset: number, length: number): Span {
  return { file, line, column, endLine: line, endColumn: column + length, offset, endOffset: offset + length };
}

/** An empty span just after a token (where something missing should have been). */
export function afterToken(file: string, token: IToken): Span {
  const s = tokenSpan(file, token);
  return { file, line: s.endLine, column: s.endColumn, endLine: s.endLine, endColumn: s.endColumn, offset: s.endOffset, endOffset: s.endOffset };
}
