/**
 * Source spans: where a node or diagnostic sits in an .agp (or catalog) file.
 *
 * Lines and columns are 1-based; columns count UTF-16 code units, as editors
 * do. `endLine`/`endColumn` point one past the last character. Offsets are
 * 0-based into the file's text and are what the formatter uses to place
 * comments. A span never refers to parser objects.
 */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly offset: number;
  readonly endOffset: number;
}

/** The span from the start of `a` to the end of `b` (same file). */
export function joinSpans(a: Span, b: Span): Span {
  return {
    file: a.file,
    line: a.line,
    column: a.column,
    endLine: b.endLine,
    endColumn: b.endColumn,
    offset: a.offset,
    endOffset: b.endOffset,
  };
}

/** A span for a whole file or an unlocated thing in it (line 1, column 1, empty). */
export function fileSpan(file: string): Span {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };
}

/** Orders spans by file, then position, for stable diagnostic output. */
export function compareSpans(a: Span, b: Span): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.offset - b.offset || a.line - b.line || a.column - b.column;
}
