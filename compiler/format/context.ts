/**
 * What layout decisions may ask about the source beyond the AST.
 *
 * In: the comments of a file. Out: a LayoutContext, so that a construct
 * holding a comment breaks across lines instead of swallowing it. Must not
 * print anything.
 */
import type { Comment, Span } from "../syntax/index.js";

/** Facts about the source that layout decisions depend on. */
export interface LayoutContext {
  /** True when a comment starts strictly inside `span`. */
  commentWithin(span: Span): boolean;
}

/** The context for a file with these comments. */
export function layoutContext(comments: readonly Comment[]): LayoutContext {
  const offsets = comments.map((c) => c.span.offset).sort((a, b) => a - b);
  return {
    commentWithin(span: Span): boolean {
      // First comment offset greater than span.offset, by binary search.
      let low = 0;
      let high = offsets.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (offsets[middle]! <= span.offset) low = middle + 1;
        else high = middle;
      }
      const next = offsets[low];
      return next !== undefined && next < span.endOffset;
    },
  };
}
