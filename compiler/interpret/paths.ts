/**
 * Building AST paths that come from no source text (limit keys given as
 * segments), for evaluation only.
 *
 * In: path segments. Out: a `Path` node with empty spans. Must not be used
 * for anything a user sees a location of.
 */
import type { Path, Span } from "../syntax/index.js";

const NOWHERE: Span = { file: "", line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };

/** `["args", "service"]` → the path `args.service`. */
export function spanlessPath(segments: readonly string[]): Path {
  const [root = "", ...fields] = segments;
  return {
    kind: "Path",
    root: { kind: "Identifier", name: root, span: NOWHERE },
    fields: fields.map((name) => ({ kind: "Identifier", name, span: NOWHERE })),
    span: NOWHERE,
  };
}
