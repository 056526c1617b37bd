/**
 * `stripSpans`: a deep copy of an AST without its `span` and `keySpan`
 * fields, for comparing ASTs by meaning (formatter round trips, tests).
 *
 * In: any AST node or value. Out: a structurally equal copy without spans.
 * This file must not mutate its input.
 */

/** Deep copy of `node` without `span` / `keySpan` fields. */
export function stripSpans<T>(node: T): T {
  return strip(node) as T;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === "span" || key === "keySpan") continue;
    out[key] = strip(field);
  }
  return out;
}
