/**
 * What a gateway keeps of a run to report its outcome later
 * (docs/decisions/0025-session-run-records.md): an outcome reads only the
 * paths the compiler lists per action (`manifest.actions[i].session.reads`);
 * `outcomeRequest` keeps those values, the action and the session key,
 * nothing else. The engine reads such a request through a relaxed intake
 * (../outcome-request.ts).
 *
 * In: a manifest, a request. Out: the kept request, or the secret path that
 * stopped it (a value the catalog marks `x-agp-secret` is never kept). Must
 * not decide anything, keep any value outside the listed paths, or import
 * Node built-ins.
 */
import type { Manifest, SchemaNode } from "../manifest.js";

/** The parts of a manifest `outcomeRequest` reads (a `PolicyEngine`'s manifest fits). */
export type OutcomeManifest = Pick<Manifest, "actions" | "request"> & { readonly session?: Pick<NonNullable<Manifest["session"]>, "key"> };

/** What `outcomeRequest` returns: the request to keep, or the secret path an outcome would need. */
export type KeptRequest = { readonly request: Record<string, unknown> } | { readonly secret: string };

/**
 * The part of `request` an outcome of its call reads: `action`, the
 * session key and the action's outcome paths; `agent` is `{}` and `env`
 * null unless read. Undefined when the manifest does not list the action's
 * reads (a module compiled before them, or an unknown action): keep the
 * whole request then. `{ secret }` when a path the outcome reads is secret
 * or holds a secret.
 */
export function outcomeRequest(manifest: OutcomeManifest, request: unknown): KeptRequest | undefined {
  if (typeof request !== "object" || request === null || Array.isArray(request)) return undefined;
  const source = request as Record<string, unknown>;
  const action = manifest.actions.find((a) => a.name === source["action"]);
  const reads = action?.session?.reads;
  if (action === undefined || reads === undefined || manifest.session === undefined) return undefined;
  const kept: Record<string, unknown> = { agent: {}, action: action.name, args: {}, env: null };
  for (const path of [manifest.session.key, ...reads]) {
    const root = path[0];
    const schema = root === "args" ? action.args : root === "agent" || root === "human" || root === "env" || root === "context" ? manifest.request[root] : undefined;
    if (schema === undefined) continue;
    if (holdsSecret(schema, path.slice(1))) return { secret: path.join(".") };
    copyPath(source, kept, path);
  }
  return { request: kept };
}

/** Whether the value at `path` under `node` is secret, lies in a secret, or holds one (in any option of a union). */
function holdsSecret(node: SchemaNode, path: readonly string[]): boolean {
  if (path.length === 0) return containsSecret(node, 0);
  switch (node.type) {
    case "object": {
      const property = node.properties.find((p) => p.name === path[0]);
      if (property === undefined) return node.additional !== undefined && holdsSecret(node.additional, path.slice(1));
      return property.secret === true || holdsSecret(property.schema, path.slice(1));
    }
    case "union":
      return node.options.some((o) => holdsSecret(o, path));
    case "array":
      return holdsSecret(node.items, path);
    default:
      return false;
  }
}

function containsSecret(node: SchemaNode, depth: number): boolean {
  if (depth > 64) return true; // deeper than any manifest check allows: assume the worst
  switch (node.type) {
    case "object":
      return node.properties.some((p) => p.secret === true || containsSecret(p.schema, depth + 1)) || (node.additional !== undefined && containsSecret(node.additional, depth + 1));
    case "union":
      return node.options.some((o) => containsSecret(o, depth + 1));
    case "array":
      return containsSecret(node.items, depth + 1);
    default:
      return false;
  }
}

/** Copies the value at `path` (own data properties only) from `from` into `into`, creating the objects on the way. */
function copyPath(from: Record<string, unknown>, into: Record<string, unknown>, path: readonly string[]): void {
  let source: unknown = from;
  for (const segment of path) {
    if (typeof source !== "object" || source === null || Array.isArray(source) || !Object.prototype.hasOwnProperty.call(source, segment)) return;
    source = (source as Record<string, unknown>)[segment];
  }
  if (source === undefined) return;
  let target = into;
  for (const segment of path.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(target, segment) ? target[segment] : undefined;
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(target, segment, { value: created, enumerable: true, writable: true, configurable: true });
      target = created;
    } else target = next as Record<string, unknown>;
  }
  Object.defineProperty(target, path[path.length - 1]!, { value: structuredCloneJson(source), enumerable: true, writable: true, configurable: true });
}

/** A JSON copy of a request value (the request came through JSON or is plain data; anything else is dropped). */
function structuredCloneJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

