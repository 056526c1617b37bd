/**
 * Puts comments back into the printed lines and writes the final text.
 *
 * In: the laid-out blocks of a file and its comments (with spans).
 * Out: the file's text, each line ending in "\n".
 *
 * Placement (docs/decisions/0002-canonical-format.md):
 * - an end-of-line comment goes at the end of the line that prints the
 *   token it followed (the anchor with the greatest end at or before it);
 *   if that line already has one, it goes on its own line above instead;
 * - an own-line comment goes above the line whose tokens surround it, or
 *   else above the line printing the first token after it, at that line's
 *   indentation; with nothing after it, it stays at the end of the file.
 * Blank lines: at most one in a row. Between statements the gap decides
 * (statements.ts); inside the comments above a statement's first line, and
 * between them and the statement, a blank line stays where the source had
 * one. Inside a statement there are none.
 * This file must not decide how a statement breaks into lines.
 */
import type { Comment, Span } from "../syntax/index.js";
import type { Block } from "./statements.js";
import type { Line } from "./text.js";

interface Slot {
  readonly line: Line;
  readonly low: number;
  readonly high: number;
  readonly ends: readonly number[];
  readonly above: Comment[];
  trailing?: Comment;
}

function slotFor(line: Line): Slot {
  const starts = line.anchors.map((a) => a.start);
  const ends = line.anchors.map((a) => a.end);
  return {
    line,
    low: starts.length === 0 ? Infinity : starts.reduce((m, x) => Math.min(m, x), Infinity),
    high: ends.length === 0 ? -Infinity : ends.reduce((m, x) => Math.max(m, x), -Infinity),
    ends,
    above: [],
  };
}

/** Finds target lines for comments in O(log n) per comment (a file may hold thousands of rules). */
class SlotIndex {
  /** Slots by `low`, then output order. */
  private readonly byLow: Slot[];
  /** highest[i]: the greatest `high` among byLow[0..i]. */
  private readonly highest: number[] = [];
  /** Every end anchor with its slot, by end, then output order. */
  private readonly ends: { end: number; slot: Slot }[];

  constructor(slots: readonly Slot[]) {
    this.byLow = slots.filter((s) => s.low !== Infinity).sort((a, b) => a.low - b.low);
    this.byLow.forEach((slot, i) => this.highest.push(Math.max(slot.high, i > 0 ? this.highest[i - 1]! : -Infinity)));
    this.ends = slots.flatMap((slot) => slot.ends.map((end) => ({ end, slot }))).sort((a, b) => a.end - b.end);
  }

  /**
   * The line whose tokens surround `offset` (the tightest one), else the line
   * printing the first token after it; undefined at the end of the file.
   */
  ownLineTarget(offset: number): Slot | undefined {
    // First slot with low >= offset.
    const next = lowerBound(this.byLow.length, (i) => this.byLow[i]!.low >= offset);
    let inside: Slot | undefined;
    for (let i = next - 1; i >= 0 && this.highest[i]! > offset; i--) {
      const slot = this.byLow[i]!;
      if (slot.low < offset && offset < slot.high && (inside === undefined || slot.high - slot.low < inside.high - inside.low)) {
        inside = slot;
      }
    }
    return inside ?? this.byLow[next];
  }

  /** The line holding the token that ends closest before `offset`. */
  endOfLineTarget(offset: number): Slot | undefined {
    const after = lowerBound(this.ends.length, (i) => this.ends[i]!.end > offset);
    const last = this.ends[after - 1];
    if (last === undefined) return undefined;
    const first = lowerBound(after, (i) => this.ends[i]!.end >= last.end);
    return this.ends[first]!.slot;
  }
}

/** The first index in [0, length) where the monotone `test` holds, or `length`. */
function lowerBound(length: number, test: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (test(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function commentText(comment: Comment): string {
  return `#${comment.text.trimEnd()}`;
}

/** Source facts about blank lines: was there one right before this position? */
function blankLineProbe(blocks: readonly Block[], comments: readonly Comment[]): (span: Span) => boolean {
  const elements = [...blocks.map((b) => b.statement.span), ...comments.map((c) => c.span)].sort(
    (a, b) => a.offset - b.offset,
  );
  // furthest[i]: the greatest end line among elements[0..i].
  const furthest: number[] = [];
  elements.forEach((element, i) => furthest.push(Math.max(element.endLine, i > 0 ? furthest[i - 1]! : 0)));
  return (span) => {
    let low = 0;
    let high = elements.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (elements[middle]!.offset < span.offset) low = middle + 1;
      else high = middle;
    }
    if (low === 0) return false;
    return span.line - furthest[low - 1]! >= 2;
  };
}

/** Writes the blocks with their comments in place. */
export function emit(blocks: readonly Block[], comments: readonly Comment[]): string {
  const perBlock = blocks.map((block) => block.lines.map(slotFor));
  const targets = new SlotIndex(perBlock.flat());
  const endOfFile: Comment[] = [];
  const sorted = [...comments].sort((a, b) => a.span.offset - b.span.offset);
  for (const comment of sorted) {
    const offset = comment.span.offset;
    if (!comment.ownLine) {
      const target = targets.endOfLineTarget(offset);
      if (target !== undefined && target.trailing === undefined) {
        target.trailing = comment;
        continue;
      }
      if (target !== undefined) {
        target.above.push(comment);
        continue;
      }
    }
    const target = targets.ownLineTarget(offset);
    if (target === undefined) endOfFile.push(comment);
    else target.above.push(comment);
  }

  const blankBefore = blankLineProbe(blocks, comments);
  const out: string[] = [];
  const blank = (): void => {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
  };
  const write = (indent: number, value: string): void => {
    out.push(" ".repeat(indent) + value);
  };

  blocks.forEach((block, index) => {
    const blockSlots = perBlock[index] ?? [];
    blockSlots.forEach((slot, lineIndex) => {
      const indent = slot.line.commentIndent ?? slot.line.indent;
      const above = [...slot.above].sort((a, b) => a.span.offset - b.span.offset);
      if (lineIndex === 0) {
        // The statement's first line and the comments above it.
        const items: Span[] = [...above.map((c) => c.span), block.statement.span];
        items.forEach((span, i) => {
          if (i === 0) {
            if (block.gap === "blank" || (block.gap === "keep" && blankBefore(span))) blank();
          } else if (block.gap !== "none" && blankBefore(span)) {
            blank();
          }
          const comment = above[i];
          if (comment !== undefined) write(indent, commentText(comment));
        });
      } else {
        for (const comment of above) write(indent, commentText(comment));
      }
      const trailing = slot.trailing === undefined ? "" : `  ${commentText(slot.trailing)}`;
      write(slot.line.indent, slot.line.text + trailing);
    });
  });
  endOfFile.forEach((comment) => {
    if (blankBefore(comment.span)) blank();
    write(0, commentText(comment));
  });
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
