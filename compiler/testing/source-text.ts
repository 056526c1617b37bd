/**
 * A node's source text for reports: the span's text on one line, with
 * parentheses balanced (a span can end inside the parentheses that close
 * around its last operand, e.g. `a and (all p in xs: p > 1`).
 *
 * In: a span and the source texts. Out: a string. Must not parse anything.
 */
import type { Span } from "../syntax/index.js";

/** The source text of `span` on one line, parentheses balanced; "" when the file is unknown. */
export function sourceText(span: Span, sources: ReadonlyMap<string, string>): string {
  const text = sources.get(span.file);
  if (text === undefined) return "";
  const slice = text.slice(span.offset, span.endOffset).replace(/\s+/g, " ");
  let open = 0;
  let close = 0;
  let inString = false;
  for (let i = 0; i < slice.length; i++) {
    const c = slice[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "(") open++;
    else if (c === ")") {
      if (open > 0) open--;
      else close++;
    }
  }
  return "(".repeat(close) + slice + ")".repeat(open);
}
