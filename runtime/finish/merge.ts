/**
 * Merging what several rules say: obligations (strictest wins, by each
 * name's declared merge rule), quorums
 * (one per group set, the largest count), and whether given approvals meet a requirement.
 *
 * In: prepared rules, quorum lists, approvals. Out: plain values, or a
 * `Refusal` (`obligation_conflict`) when two obligations cannot be merged.
 * Semantics and messages: ADR 0006, as compiler/interpret/combine.ts and
 * state.ts implement them. Must not look at the module.
 */
import type { ApprovalRequirement, Quorum } from "../decision.js";
import type { GivenApproval } from "../request.js";
import { Refused } from "../encode/values.js";
import { identityKey } from "../identity.js";
import type { ManifestObligation, ObligationValue } from "../manifest.js";
import type { PreparedRule } from "./prepared.js";

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

/** One quorum per distinct group set with the largest count; an empty list asks for one approver, any group. */
export function mergeQuorums(lists: readonly (readonly Quorum[])[]): ApprovalRequirement {
  const byGroups = new Map<string, Quorum>();
  for (const list of lists) {
    const quorums = list.length === 0 ? [{ count: 1, groups: [] }] : list;
    for (const quorum of quorums) {
      const groups = [...new Set(quorum.groups)].sort();
      const key = JSON.stringify(groups);
      const seen = byGroups.get(key);
      if (seen === undefined || quorum.count > seen.count) byGroups.set(key, { count: quorum.count, groups });
    }
  }
  const keys = [...byGroups.keys()].sort();
  return { quorums: keys.map((k) => byGroups.get(k)!) };
}

/**
 * Whether `approvals` meet every quorum: per quorum, enough distinct ids from
 * its groups (any group when it lists none), never the agent's or the human's
 * id. One approver may count for several quorums. Ids are compared by
 * `identityKey` (case and Unicode form do not make another person).
 */
export function approvalsMeet(
  requirement: ApprovalRequirement,
  approvals: readonly GivenApproval[] | undefined,
  agentId: unknown,
  humanId: unknown,
): boolean {
  if (approvals === undefined || approvals.length === 0) return false;
  const excluded = [agentId, humanId].map((id) => (typeof id === "string" ? identityKey(id) : undefined));
  const keys = approvals.map((a) => identityKey(a.id));
  return requirement.quorums.every(
    (quorum) => new Set(keys.filter((key, i) => !excluded.includes(key) && (quorum.groups.length === 0 || approvals[i]!.groups.some((g) => quorum.groups.includes(g))))).size >= quorum.count,
  );
}
