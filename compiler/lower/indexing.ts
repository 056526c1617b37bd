/**
 * Indexing one principal's rules for one action: a rule whose condition is
 * a conjunction holding a key test on a request slot (`==` / `in` on a sym
 * slot, `startsWith "lit"` on a str slot) joins that slot's index, so a
 * decision evaluates only the rules of the bucket the input selects.
 *
 * In: the side's rule uses (conditions already lowered). Out: an `IrSide`:
 * rules evaluated always, and indexes. Must not change which rules match:
 * a rule sits in the bucket of every key value that can make it true (for
 * `in`, each member's id), and the rest of its condition is evaluated there:
 * the key test itself holds in every bucket the rule sits in, so it is
 * removed from the indexed copy (`IrIndex.rules[i].condition` is the residue).
 */
import type { IrExpr, IrIndex, IrRuleUse, IrSide } from "../ir/index.js";

type Key = { readonly kind: "sym"; readonly slot: number; readonly ids: readonly number[] } | { readonly kind: "prefix"; readonly slot: number; readonly prefix: string };

/** Rules keyed on one slot index only when at least this many share it. */
const MIN_INDEXED = 2;

/** Splits rule uses into indexes and always-evaluated rules. */
export function indexSide(uses: readonly IrRuleUse[]): IrSide {
  const keysOf = uses.map((use) => keys(use.condition));
  const counts = new Map<string, number>();
  for (const keyList of keysOf) {
    for (const name of new Set(keyList.map(groupName))) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const groups = new Map<string, { kind: Key["kind"]; slot: number; members: { use: IrRuleUse; key: Key }[] }>();
  const unindexed: IrRuleUse[] = [];
  uses.forEach((use, i) => {
    let best: Key | undefined;
    for (const key of keysOf[i]!) {
      if ((counts.get(groupName(key)) ?? 0) < MIN_INDEXED) continue;
      if (best === undefined || counts.get(groupName(key))! > counts.get(groupName(best))!) best = key;
    }
    if (best === undefined) {
      unindexed.push(use);
      return;
    }
    const name = groupName(best);
    const group = groups.get(name) ?? { kind: best.kind, slot: best.slot, members: [] };
    groups.set(name, group);
    group.members.push({ use: { ...use, condition: without(use.condition, best) }, key: best });
  });
  const indexes: IrIndex[] = [...groups.values()].map((group) => {
    const rules = group.members.map((m) => m.use);
    if (group.kind === "sym") {
      const buckets = new Map<number, number[]>();
      group.members.forEach((m, position) => {
        if (m.key.kind !== "sym") return;
        for (const id of m.key.ids) buckets.set(id, [...(buckets.get(id) ?? []), position]);
      });
      return { kind: "sym", slot: group.slot, rules, buckets: [...buckets].sort((a, b) => a[0] - b[0]).map(([id, positions]) => ({ id, rules: positions })) };
    }
    const buckets = new Map<string, number[]>();
    group.members.forEach((m, position) => {
      if (m.key.kind !== "prefix") return;
      buckets.set(m.key.prefix, [...(buckets.get(m.key.prefix) ?? []), position]);
    });
    return { kind: "prefix", slot: group.slot, rules, buckets: [...buckets].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([prefix, positions]) => ({ prefix, rules: positions })) };
  });
  return { unindexed, indexes };
}

function groupName(key: Key): string {
  return `${key.kind}:${key.slot}`;
}

/** Key tests among the conjuncts of a condition (request-level slots only). */
function keys(e: IrExpr): Key[] {
  if (e.op === "and") return [...keys(e.left), ...keys(e.right)];
  return keysOf(e);
}

/** The key test one non-`and` node is, if any. */
function keysOf(e: IrExpr): Key[] {
  if (e.op === "symIn" && e.ref.binding === 0 && e.ids.length > 0) return [{ kind: "sym", slot: e.ref.slot, ids: e.ids }];
  if (e.op === "str" && e.test === "startsWith" && e.left.kind === "slot" && e.left.ref.binding === 0 && e.right.kind === "const" && e.right.value !== "") {
    return [{ kind: "prefix", slot: e.left.ref.slot, prefix: e.right.value }];
  }
  return [];
}

/** The condition with the (first) conjunct that is `key` replaced by true, folded. */
function without(e: IrExpr, key: Key): IrExpr {
  let done = false;
  const walk = (x: IrExpr): IrExpr => {
    if (done) return x;
    if (x.op === "and") {
      const left = walk(x.left);
      const right = walk(x.right);
      if (left.op === "const" && left.value) return right;
      if (right.op === "const" && right.value) return left;
      return { ...x, left, right };
    }
    const keys = keysOf(x);
    if (keys.length === 1 && groupName(keys[0]!) === groupName(key) && sameKey(keys[0]!, key)) {
      done = true;
      return { op: "const", line: x.line, value: true };
    }
    return x;
  };
  return walk(e);
}

function sameKey(a: Key, b: Key): boolean {
  return a.kind === "sym" && b.kind === "sym" ? a.ids.join(",") === b.ids.join(",") : a.kind === "prefix" && b.kind === "prefix" && a.prefix === b.prefix;
}
