/**
 * Finding what is under the cursor in an AST.
 *
 * In: any AST node (a parsed file) and an offset. Out: the chain of nodes
 * whose span holds the offset, outermost first. The walk is generic (every
 * object with a `kind` and a `span`), so new node kinds added to the
 * language are found without changes here. Must not interpret the nodes.
 */
import type { Span } from "../diagnostics/index.js";

/** An AST node as the walk sees it. */
export interface AnyNode {
  readonly kind: string;
  readonly span: Span;
  readonly [key: string]: unknown;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string" && typeof (value as { span?: unknown }).span === "object";
}

/** The nodes holding `offset` (start inclusive, end inclusive so a cursor just after a word still finds it), outermost first. */
export function nodesAt(root: unknown, offset: number): AnyNode[] {
  const chain: AnyNode[] = [];
  let current: unknown = root;
  while (current !== undefined) {
    if (isNode(current)) chain.push(current);
    current = childAt(current, offset);
  }
  return chain;
}

/** The innermost child (through arrays and plain objects) of `node` whose span holds the offset. */
function childAt(node: unknown, offset: number): AnyNode | undefined {
  let best: AnyNode | undefined;
  const visit = (value: unknown, depth: number): void => {
    if (depth > 2 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (isNode(value) && value !== node) {
      if (value.span.offset <= offset && offset <= value.span.endOffset) {
        // Prefer the narrower of two candidates (a field's identifier over its path when they touch).
        if (best === undefined || value.span.endOffset - value.span.offset < best.span.endOffset - best.span.offset) best = value;
      }
      return;
    }
    for (const [key, inner] of Object.entries(value)) if (key !== "span") visit(inner, depth + 1);
  };
  for (const [key, value] of Object.entries(node as object)) if (key !== "span") visit(value, 0);
  return best;
}

/** Every node under `root` (root included), depth first. */
export function allNodes(root: unknown): AnyNode[] {
  const out: AnyNode[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (isNode(value)) out.push(value);
    for (const [key, inner] of Object.entries(value)) if (key !== "span") visit(inner);
  };
  visit(root);
  return out;
}
