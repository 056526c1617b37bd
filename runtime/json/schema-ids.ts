/**
 * The numbering of schema nodes the JSON entry point reports problems by
 * (JSON_RESULT.node): pre-order over `request.agent`, `request.human`,
 * `request.env`, `request.context`, then each action's `args` in action
 * order; a node comes before its children (array `items`; object
 * `properties` in order, then `additional`; union `options` in order).
 *
 * In: a manifest. Out: the nodes, index = id. Must match
 * compiler/codegen/json-entry.ts, which numbers them while laying them out
 * (docs/abi.md states the same rule for hosts in other languages).
 */
import type { Manifest, SchemaNode } from "../manifest.js";

/** Every schema node of the manifest, indexed by its JSON-entry id. */
export function schemaNodes(manifest: Manifest): SchemaNode[] {
  const out: SchemaNode[] = [];
  const visit = (node: SchemaNode): void => {
    out.push(node);
    if (node.type === "array") visit(node.items);
    else if (node.type === "object") {
      for (const p of node.properties) visit(p.schema);
      if (node.additional !== undefined) visit(node.additional);
    }
    else if (node.type === "union") for (const o of node.options) visit(o);
  };
  const r = manifest.request;
  for (const node of [r.agent, r.human, r.env, r.context, ...manifest.actions.map((a) => a.args)]) visit(node);
  return out;
}
