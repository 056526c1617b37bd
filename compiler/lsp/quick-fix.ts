/**
 * Quick fixes from did-you-mean: every diagnostic whose help is the shared
 * "did you mean `x`?" (compiler/diagnostics fuzzy.ts) becomes an edit that
 * writes `x` in place of what was typed.
 *
 * In: a diagnostic and the text of its file. Out: the edit (offsets and the
 * new text), or undefined when the suggestion cannot be placed safely.
 * The span of a diagnostic may cover a whole dotted name (`args.repoo`) while
 * the suggestion names all of it or only its last part, or the other way
 * round; the edit replaces only the trailing segments the two share, so the
 * result is the suggested name whatever the span covers.
 * Must not guess: a span whose text is not a plain name, a dotted name or a
 * string gets no fix.
 */
import type { Diagnostic } from "../diagnostics/index.js";

/** A text edit in offsets. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
  /** What the fix is called in the editor's menu. */
  readonly title: string;
}

const SUGGESTION = /did you mean `([^`]+)`\?/;
const DOTTED = /^[A-Za-z_$][A-Za-z0-9_-]*(?:\.(?:[A-Za-z_][A-Za-z0-9_-]*|\*))*$/;

/** The suggestion of a did-you-mean help, if any. */
export function suggestionOf(diagnostic: Diagnostic): string | undefined {
  return diagnostic.help === undefined ? undefined : SUGGESTION.exec(diagnostic.help)?.[1];
}

/** The edit that applies a diagnostic's did-you-mean to `text`, if it can be placed. */
export function quickFix(diagnostic: Diagnostic, text: string): OffsetEdit | undefined {
  const suggestion = suggestionOf(diagnostic);
  if (suggestion === undefined) return undefined;
  const { offset, endOffset } = diagnostic.span;
  if (endOffset <= offset || endOffset > text.length) return undefined;
  const written = text.slice(offset, endOffset);
  const title = `Change to \`${suggestion}\``;
  if (written.startsWith('"') && written.endsWith('"') && written.length >= 2) {
    return { start: offset, end: endOffset, newText: JSON.stringify(suggestion), title };
  }
  if (!DOTTED.test(written) || !DOTTED.test(suggestion)) return undefined;
  const writtenParts = written.split(".");
  const suggestedParts = suggestion.split(".");
  const shared = Math.min(writtenParts.length, suggestedParts.length);
  const kept = writtenParts.slice(0, writtenParts.length - shared);
  // The part of the suggestion left out must already stand before the span (`args.` before `repoo`).
  const missing = suggestedParts.slice(0, suggestedParts.length - shared).join(".");
  if (missing !== "" && !text.slice(0, offset).endsWith(`${missing}.`)) return undefined;
  const replaced = [...kept, ...suggestedParts.slice(suggestedParts.length - shared)].join(".");
  if (replaced === written) return undefined;
  return { start: offset, end: endOffset, newText: replaced, title };
}
