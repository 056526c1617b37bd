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
import type { ModelQuorum, ModelRule } from "./model.js";
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
 * Merges quorums: one per distinct group set, with the largest count. An
 * `approve` rule without `by` asks for one approver from any group (`groups: []`).
 */
export function mergeQuorums(lists: readonly (readonly ModelQuorum[])[]): ApprovalRequirement {
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
