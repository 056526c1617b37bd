/**
 * Merging what several rules say: obligations, approval quorums, reasons,
 * audit levels.
 *
 * In: rules (and limits) that decided or permit. Out: the decision's
 * obligations, approval requirement, reasons and audit level. Throws a
 * `Refusal` ("obligation_conflict") when obligations cannot be merged.
 * Must not evaluate expressions or look at the request.
 *
 * Obligations, "the strictest value wins": numbers → the smallest (name them
 * as maxima: `max_runtime_seconds`); booleans → `true` (name them as
 * requirements: `dry_run`, `redact_output`); strings have no order, so two
 * different strings for one key are a conflict, as are values of different
 * types; a `null` value sets nothing.
 */
import type { AuditLevel, Effect } from "../syntax/index.js";
import type { ApprovalRequirement, DecisionAuditLevel, Quorum } from "../../runtime/decision.js";
import type { ModelApproval, ModelQuorum, ModelRule } from "./model.js";
import { Refusal } from "./values.js";

type ObligationValue = string | number | boolean;

/** Merges the obligations of `rules` (any order gives the same result). */
export function mergeObligations(rules: readonly ModelRule[]): Record<string, ObligationValue> {
  const merged = new Map<string, { value: ObligationValue; from: string }>();
  for (const rule of rules) {
    for (const { key, value } of rule.obligations) {
      if (value === null) continue;
      const seen = merged.get(key);
      if (seen === undefined) {
        merged.set(key, { value, from: rule.id });
        continue;
      }
      const stricter = strictestOf(seen.value, value);
      if (stricter === undefined) {
        throw new Refusal(
          "obligation_conflict",
          `rules \`${seen.from}\` and \`${rule.id}\` set the obligation \`${key}\` to ${JSON.stringify(seen.value)} and ${JSON.stringify(value)}, which cannot be merged`,
          "",
        );
      }
      if (stricter !== seen.value) merged.set(key, { value: stricter, from: rule.id });
    }
  }
  const result: Record<string, ObligationValue> = {};
  for (const key of [...merged.keys()].sort()) result[key] = merged.get(key)!.value;
  return result;
}

/** The stricter of two values for one key, or undefined when they conflict. */
function strictestOf(a: ObligationValue, b: ObligationValue): ObligationValue | undefined {
  if (typeof a === "number" && typeof b === "number") return Math.min(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a || b;
  if (typeof a === "string" && typeof b === "string") return a === b ? a : undefined;
  return undefined;
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
