/**
 * How deep a statement's syntax tree nests: the bound every later stage
 * (checker, lowering, code generator, formatter, interpreter, all of them
 * recursive over expressions) relies on so that no input exhausts the stack.
 *
 * In: a built statement. Out: the first node deeper than the limit, found
 * with an explicit stack (never by recursion, since the tree is what may be
 * deep).
 * Long `and`/`or` chains are already balanced (build-expr.ts), so what can
 * make a tree deep is nesting itself: brackets (AGP154 caps them), chains of
 * `not`, and quantifiers inside quantifiers. Must not report anything.
 */
import type { Span } from "./ast.js";

/** The deepest a statement's tree may nest (in nodes, from the statement down). */
export const MAX_TREE_DEPTH = 256;

/**
 * The first node (left to right) deeper than `limit` nodes from the root,
 * with its span, or undefined when the tree stays within the limit.
 */
export function nodeBeyond(root: object, limit: number): { span?: Span } | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    const node = value as { kind?: unknown; span?: Span };
    const here = typeof node.kind === "string" ? depth + 1 : depth;
    if (here > limit) return node.span === undefined ? {} : { span: node.span };
    // Children are pushed in reverse so they pop left to right; no per-node
    // arrays of entries (this walk runs over every statement of every file).
    const start = stack.length;
    for (const key in value) {
      if (key === "span" || key === "keySpan") continue;
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: here });
    }
    for (let i = start, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
  }
  return undefined;
}
