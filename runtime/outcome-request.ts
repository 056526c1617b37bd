/**
 * The manifest an engine reads outcomes through (docs/decisions/0025-session-run-records.md):
 * a host may keep only what an outcome reads of a run's request
 * (governance/outcome-record.ts), so nothing is required, while every value
 * present is validated for type and bounds as at decision time, and `env`
 * may be null.
 *
 * In: a manifest. Out: the relaxed copy. Must not change slots, actions or
 * anything but requirements.
 */
import type { Manifest, SchemaNode } from "./manifest.js";

/** `manifest` with nothing required: what kept requests are validated against (types and bounds still hold). */
export function relaxedManifest(manifest: Manifest): Manifest {
  return {
    ...manifest,
    actions: manifest.actions.map((a) => ({ ...a, args: relax(a.args) })),
    request: { agent: relax(manifest.request.agent), human: relax(manifest.request.human), env: { type: "union", options: [relax(manifest.request.env), { type: "null" }] }, context: relax(manifest.request.context) },
  };
}

function relax(node: SchemaNode): SchemaNode {
  switch (node.type) {
    case "object": {
      const { minProperties: _min, dependentRequired: _dependent, ...rest } = node;
      return {
        ...rest,
        properties: node.properties.map((p) => ({ ...p, required: false, schema: relax(p.schema) })),
        ...(node.additional === undefined ? {} : { additional: relax(node.additional) }),
      };
    }
    case "union":
      return { ...node, options: node.options.map(relax) };
    case "array":
      return { ...node, items: relax(node.items) };
    default:
      return node;
  }
}
