/**
 * What the module reads of a request when an outcome of one of its calls is
 * recorded (`agp_session_outcome`): the request paths of every slot its
 * outcome watches read (conditions, correlated keys, summed amounts), found
 * by walking the watches for slot references (so a new IR node that reads a
 * slot is covered without a change here). The
 * gateway keeps only these values of a run until its outcome is reported
 * (docs/decisions/0025-session-run-records.md).
 *
 * In: an IR action. Out: its paths, sorted and distinct; an array slot's
 * path stands for the whole array (its items are read through it). Must
 * not miss a read: a path left out would make the outcome see the field
 * absent. Reading more than needed is safe (it keeps a little more).
 */
import type { IrAction } from "../ir/index.js";

/** The request paths an outcome of a call of `action` reads; empty when it has no outcome watches. */
export function outcomeReads(action: IrAction): string[][] {
  const watches = action.session?.outcome ?? [];
  if (watches.length === 0) return [];
  const slots = new Set<number>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const node = value as Record<string, unknown>;
    // A slot reference (`{ slot, binding }`); an item's slot is resolved to its array below.
    if (typeof node["slot"] === "number" && typeof node["binding"] === "number") slots.add(node["slot"]);
    // A key part over each item of an array slot.
    if (node["from"] === "item" && typeof node["array"] === "number") slots.add(node["array"]);
    for (const key of Object.keys(node)) visit(node[key]);
  };
  visit(watches);
  const paths = new Map<string, string[]>();
  for (let index of slots) {
    // An item's slot: the whole array at the top level holds it.
    for (let hops = 0; action.reads[index] !== undefined && action.reads[index]!.parent >= 0 && hops <= action.reads.length; hops++) index = action.reads[index]!.parent;
    const read = action.reads[index];
    if (read === undefined || read.parent >= 0) throw new Error(`internal error: an outcome watch of ${action.name} reads slot ${String(index)}, which the action does not have`);
    paths.set(read.path.join("\u0000"), [...read.path]);
  }
  return [...paths.keys()].sort().map((k) => paths.get(k)!);
}
