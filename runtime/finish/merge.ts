/**
 * Merging what several rules say: obligations (strictest wins, by each
 * name's declared merge rule), approval requirements (one quorum per group
 * set, the largest count; requester, same person, bound context), and
 * whether given approvals meet a requirement (../approval-quorums.ts).
 *
 * In: prepared rules, quorum lists, approvals. Out: plain values, or a
 * `Refusal` (`obligation_conflict`) when two obligations cannot be merged.
 * Semantics and messages: ADR 0006, as compiler/interpret/combine.ts and
 * state.ts implement them. Must not look at the module.
 */
import type { ApprovalRequirement, Quorum } from "../decision.js";
import { Refused } from "../encode/values.js";
import type { ManifestObligation, ObligationValue } from "../manifest.js";
import type { PreparedApproval, PreparedRule } from "./prepared.js";

/**
 * Merges the obligations of `rules` in the given order, each name by its
 * declared merge rule (`declared`; ADR 0029) or, undeclared, by its values;
 * a conflict is a refusal.
 */
export function mergeObligations(
  rules: readonly PreparedRule[],
  declared: ReadonlyMap<string, ManifestObligation>,
): Record<string, ObligationValue> | Refused {
  const only = rules.length === 1 ? rules[0]!.alone : undefined;
  if (only !== undefined) {
    const result: Record<string, ObligationValue> = {};
    for (let i = 0; i < only.length; i++) result[only[i]![0]] = only[i]![1];
    return result;
  }
  let merged: Map<string, { value: ObligationValue; from: string }> | undefined;
  for (const rule of rules) {
    for (const { key, value } of rule.obligations) {
      if (value === null) continue;
      merged ??= new Map();
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { value, from: rule.id });
        continue;
      }
      const stricter = strictestOf(seen.value, value, declared.get(key));
      if (stricter === undefined) {
        const message = `rules \`${seen.from}\` and \`${rule.id}\` set the obligation \`${key}\` to ${JSON.stringify(seen.value)} and ${JSON.stringify(value)}, which cannot be merged`;
        return new Refused({ code: "obligation_conflict", message, path: "" });
      }
      if (!sameValue(stricter, seen.value)) merged.set(key, { value: stricter, from: rule.id });
    }
  }
  const result: Record<string, ObligationValue> = {};
  if (merged === undefined) return result;
  for (const key of [...merged.keys()].sort()) result[key] = merged.get(key)!.value;
  return result;
}

/** The stricter of two values under the name's merge rule (by its values when undeclared); undefined when they conflict. */
function strictestOf(a: ObligationValue, b: ObligationValue, rule: ManifestObligation | undefined): ObligationValue | undefined {
  const merge = rule?.merge ?? (isSet(a) ? "union" : typeof a === "number" ? "min" : typeof a === "boolean" ? "or" : "same");
  if (isSet(a) || isSet(b)) {
    if (!isSet(a) || !isSet(b)) return undefined;
    if (merge === "union") return Object.freeze([...new Set([...a, ...b])].sort());
    if (merge === "intersection") return Object.freeze(a.filter((x) => b.includes(x)));
    return undefined;
  }
  if (typeof a !== typeof b) return undefined;
  if (merge === "min" || merge === "max") {
    if (typeof a === "number" && typeof b === "number") return merge === "min" ? Math.min(a, b) : Math.max(a, b);
    const order = rule?.enum;
    if (typeof a !== "string" || typeof b !== "string" || order === undefined) return undefined;
    const i = order.indexOf(a);
    const j = order.indexOf(b);
    if (i < 0 || j < 0) return undefined;
    return (merge === "min" ? i <= j : i >= j) ? a : b;
  }
  if (merge === "or" || merge === "and") {
    if (typeof a !== "boolean" || typeof b !== "boolean") return undefined;
    return merge === "or" ? a || b : a && b;
  }
  if (merge === "same") return a === b ? a : undefined;
  return undefined;
}

function isSet(value: ObligationValue): value is readonly string[] {
  return Array.isArray(value);
}

function sameValue(a: ObligationValue, b: ObligationValue): boolean {
  return isSet(a) && isSet(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

/**
 * Merges what several rules and limit caps ask of approvers into one
 * requirement (ADR 0006, amended by ADR 0030): one quorum per distinct
 * group set with the largest count; `requester` when any asks for it;
 * `samePerson` only when every one with quorums allows it; the union of the
 * bound context paths, sorted. A source with neither quorums nor
 * `requester` asks for one approver, any group.
 */
export function mergeApprovals(sources: readonly PreparedApproval[]): ApprovalRequirement {
  const byGroups = new Map<string, Quorum>();
  let requester = false;
  let withQuorums = 0;
  let samePerson = true;
  const binds = new Set<string>();
  for (const source of sources) {
    if (source.requester) requester = true;
    for (const path of source.binds) binds.add(path);
    const quorums = source.quorums.length === 0 && !source.requester ? ANY_ONE : source.quorums;
    if (quorums.length > 0) {
      withQuorums++;
      if (!source.samePerson) samePerson = false;
    }
    for (const quorum of quorums) {
      const groups = [...new Set(quorum.groups)].sort();
      const key = JSON.stringify(groups);
      const seen = byGroups.get(key);
      if (seen === undefined || quorum.count > seen.count) byGroups.set(key, { count: quorum.count, groups });
    }
  }
  const keys = [...byGroups.keys()].sort();
  const quorums = keys.map((k) => byGroups.get(k)!);
  const sorted = [...binds].sort();
  return {
    quorums,
    ...(requester ? { requester: true as const } : {}),
    ...(samePerson && withQuorums > 0 ? { samePerson: true as const } : {}),
    ...(sorted.length > 0 ? { binds: sorted } : {}),
  };
}

const ANY_ONE: readonly Quorum[] = [{ count: 1, groups: [] }];

export { approvalsMeet } from "../approval-quorums.js";
