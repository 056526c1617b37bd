/**
 * Merging what several rules say: obligations, approval quorums, reasons,
 * audit levels.
 *
 * In: rules (and limits) that decided or permit. Out: the decision's
 * obligations, approval requirement, reasons and audit level. Throws a
 * `Refusal` ("obligation_conflict") when obligations cannot be merged.
 * Must not evaluate expressions or look at the request.
 *
 * Obligations, "the strictest value wins", by the merge rule the catalogs
 * declare for the name (ADR 0029): `min` / `max` (numbers; strings by their
 * declared order), `or` / `and` (booleans), `same` (equal values only),
 * `union` / `intersection` (sets, sorted). An undeclared name merges by its
 * values: numbers → the smallest, booleans → `true`, strings must be equal,
 * sets → the union. Values that cannot be merged (different types, two
 * different values under `same`, a string outside the order) are a
 * conflict; a `null` value sets nothing.
 */
import type { AuditLevel, Effect } from "../syntax/index.js";
import type { ObligationDecl } from "../catalog/index.js";
import type { ApprovalRequirement, DecisionAuditLevel, Quorum } from "../../runtime/decision.js";
import type { ModelApproval, ModelQuorum, ModelRule } from "./model.js";
import { Refusal } from "./values.js";

type ObligationValue = string | number | boolean | readonly string[];

/** Merges the obligations of `rules` (any order gives the same result). */
export function mergeObligations(rules: readonly ModelRule[], declared?: ReadonlyMap<string, ObligationDecl>): Record<string, ObligationValue> {
  const merged = new Map<string, { value: ObligationValue; from: string }>();
  for (const rule of rules) {
    for (const { key, value } of rule.obligations) {
      if (value === null) continue;
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { value, from: rule.id });
        continue;
      }
      const stricter = strictestOf(seen.value, value, declared?.get(key));
      if (stricter === undefined) {
        throw new Refusal(
          "obligation_conflict",
          `rules \`${seen.from}\` and \`${rule.id}\` set the obligation \`${key}\` to ${JSON.stringify(seen.value)} and ${JSON.stringify(value)}, which cannot be merged`,
          "",
        );
      }
      if (!sameValue(stricter, seen.value)) merged.set(key, { value: stricter, from: rule.id });
    }
  }
  const result: Record<string, ObligationValue> = {};
  for (const key of [...merged.keys()].sort()) result[key] = merged.get(key)!.value;
  return result;
}

/** The stricter of two values for one key under its declaration (or none), or undefined when they conflict. */
export function strictestOf(a: ObligationValue, b: ObligationValue, decl: ObligationDecl | undefined): ObligationValue | undefined {
  const merge = decl?.merge ?? defaultMerge(a);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return undefined;
    if (merge === "union") return [...new Set([...a, ...b])].sort();
    if (merge === "intersection") return a.filter((x) => b.includes(x));
    return undefined;
  }
  if (typeof a !== typeof b) return undefined;
  switch (merge) {
    case "min":
    case "max": {
      if (typeof a === "number" && typeof b === "number") return merge === "min" ? Math.min(a, b) : Math.max(a, b);
      const order = decl?.enum;
      if (typeof a !== "string" || typeof b !== "string" || order === undefined) return undefined;
      const i = order.indexOf(a);
      const j = order.indexOf(b);
      if (i < 0 || j < 0) return undefined;
      return (merge === "min" ? i <= j : i >= j) ? a : b;
    }
    case "or":
    case "and":
      if (typeof a !== "boolean" || typeof b !== "boolean") return undefined;
      return merge === "or" ? a || b : a && b;
    case "same":
      return a === b ? a : undefined;
    default:
      return undefined;
  }
}

/** How an undeclared obligation merges, from its value: today's "strictest wins". */
function defaultMerge(value: ObligationValue): ObligationDecl["merge"] {
  if (Array.isArray(value)) return "union";
  return typeof value === "number" ? "min" : typeof value === "boolean" ? "or" : "same";
}

function sameValue(a: ObligationValue, b: ObligationValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

/**
 * Merges what several rules and limit caps ask of approvers (ADR 0006,
 * amended by ADR 0030): one quorum per distinct group set with the largest
 * count; `requester` when any asks for it; `samePerson` only when every one
 * with quorums allows it; the union of the bound context paths, sorted. An
 * `approve` rule without `by` asks for one approver from any group
 * (`groups: []`).
 */
export function mergeApprovals(sources: readonly ModelApproval[]): ApprovalRequirement {
  const byGroups = new Map<string, Quorum>();
  let requester = false;
  let samePerson: boolean | undefined;
  const binds = new Set<string>();
  for (const source of sources) {
    requester ||= source.requester;
    for (const path of source.binds) binds.add(path);
    const quorums: readonly ModelQuorum[] = source.quorums.length === 0 && !source.requester ? [{ count: 1, groups: [] }] : source.quorums;
    if (quorums.length > 0) samePerson = (samePerson ?? true) && source.samePerson;
    for (const quorum of quorums) {
      const groups = [...new Set(quorum.groups)].sort();
      const key = JSON.stringify(groups);
      const seen = byGroups.get(key);
      if (seen === undefined || quorum.count > seen.count) byGroups.set(key, { count: quorum.count, groups });
    }
  }
  const keys = [...byGroups.keys()].sort();
  const bound = [...binds].sort();
  return {
    quorums: keys.map((k) => byGroups.get(k)!),
    ...(requester ? { requester: true as const } : {}),
    ...(samePerson === true ? { samePerson: true as const } : {}),
    ...(bound.length > 0 ? { binds: bound } : {}),
  };
}

/** A deciding rule's reason: its `because` text, or one generated from its effect. */
export function ruleReason(rule: ModelRule): string {
  if (rule.reason !== undefined) return rule.reason;
  return GENERATED[rule.effect](rule.id);
}

const GENERATED: Record<Effect, (id: string) => string> = {
  deny: (id) => `denied by rule \`${id}\``,
  approve: (id) => `approval required by rule \`${id}\``,
  allow: (id) => `allowed by rule \`${id}\``,
};

const LEVELS: readonly AuditLevel[] = ["info", "notice", "security"];

/** The highest of the audit levels (`info` when the list is empty). */
export function highestAudit(levels: readonly AuditLevel[]): DecisionAuditLevel {
  return levels.reduce<AuditLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), "info");
}
