/**
 * Expectation matching: does a decision meet what a case expects?
 *
 * In: an `ExpectedDecision` and the `Decision` an engine returned.
 * Out: the mismatches, one per clause that does not hold, each with the
 * expected and the actual text a person reads; empty when the case passes.
 * Must not decide anything.
 *
 * Rules: `expect <effect>` equal; `from` the set of deciding rule ids equal
 * (limits that decided are not rules); `because` one of the reasons; `with`
 * each named obligation present with that value (others may exist); `by` the
 * quorums equal (as sets); `charge` each named limit charged, with that
 * amount when one is given; `blocked by` equal.
 */
import type { Decision } from "../../runtime/decision.js";
import type { ExpectedApproval, ExpectedDecision, ExpectedQuorum } from "./expand.js";
import type { Json } from "./values.js";

/** One clause of an expectation that the decision does not meet. */
export interface Mismatch {
  /** The clause: `effect`, `from`, `because`, `with`, `by`, `charge`, `blocked by`, `audit`, or `engines`. */
  readonly clause: string;
  readonly expected: string;
  readonly actual: string;
}

/** Every clause of `expected` that `decision` does not meet. */
export function matchDecision(expected: ExpectedDecision, decision: Decision): Mismatch[] {
  const out: Mismatch[] = [];
  if (decision.effect !== expected.effect) out.push({ clause: "effect", expected: expected.effect, actual: decision.effect });
  if (expected.rules !== undefined) {
    const want = [...new Set(expected.rules)].sort();
    const got = [...new Set(decision.rules.filter((r) => r.kind === "rule").map((r) => r.id))].sort();
    if (want.join(",") !== got.join(",")) out.push({ clause: "from", expected: idList(want), actual: idList(got) });
  }
  if (expected.reason !== undefined && !decision.reasons.includes(expected.reason)) {
    out.push({ clause: "because", expected: JSON.stringify(expected.reason), actual: reasonList(decision.reasons) });
  }
  for (const { key, value } of expected.obligations) {
    const has = Object.prototype.hasOwnProperty.call(decision.obligations, key);
    const actual = has ? decision.obligations[key] : undefined;
    if (!has || !sameJson(actual as Json, value)) {
      out.push({ clause: "with", expected: `${key} = ${JSON.stringify(value)}`, actual: has ? `${key} = ${JSON.stringify(actual)}` : obligationList(decision) });
    }
  }
  if (expected.approval !== undefined) {
    const got = decision.approval === undefined ? undefined : approvalOf(decision.approval);
    if (got === undefined || approvalKey(expected.approval) !== approvalKey(got)) {
      out.push({ clause: "by", expected: approvalText(expected.approval), actual: got === undefined ? "no approval requirement" : approvalText(got) });
    }
  }
  for (const charge of expected.charges) {
    const found = decision.limits.find((l) => l.id === charge.limit);
    const want = charge.amount === undefined ? charge.limit : `${charge.limit} = ${JSON.stringify(charge.amount)}`;
    if (found === undefined) out.push({ clause: "charge", expected: want, actual: chargeList(decision) });
    else if (charge.amount !== undefined && !sameJson(found.amount, charge.amount)) {
      out.push({ clause: "charge", expected: want, actual: `${found.id} = ${found.amount}` });
    }
  }
  if (expected.blockedBy !== undefined && decision.blockedBy !== expected.blockedBy) {
    out.push({ clause: "blocked by", expected: expected.blockedBy, actual: decision.blockedBy ?? "nobody" });
  }
  if (expected.audit !== undefined && decision.audit !== expected.audit) {
    out.push({ clause: "audit", expected: expected.audit, actual: decision.audit });
  }
  return out;
}

/** An expectation as one line of .agp, for reports. */
export function expectationText(e: ExpectedDecision): string {
  const parts: string[] = [e.effect];
  if (e.rules !== undefined) parts.push(`from ${e.rules.join(", ")}`);
  if (e.reason !== undefined) parts.push(`because ${JSON.stringify(e.reason)}`);
  if (e.approval !== undefined) parts.push(`by ${approvalText(e.approval)}`);
  if (e.obligations.length > 0) parts.push(`with ${e.obligations.map((o) => `${o.key} = ${JSON.stringify(o.value)}`).join(", ")}`);
  if (e.charges.length > 0) parts.push(`charge ${e.charges.map((c) => (c.amount === undefined ? c.limit : `${c.limit} = ${JSON.stringify(c.amount)}`)).join(", ")}`);
  if (e.blockedBy !== undefined) parts.push(`blocked by ${e.blockedBy}`);
  if (e.audit !== undefined) parts.push(`audit ${e.audit}`);
  return parts.join(" ");
}

/** A decision in the same words, for reports. */
export function decisionText(d: Decision): string {
  const parts: string[] = [d.effect];
  if (d.rules.length > 0) parts.push(`from ${d.rules.map((r) => (r.kind === "limit" ? `limit ${r.id}` : r.id)).join(", ")}`);
  if (d.reasons.length > 0) parts.push(`because ${d.reasons.map((r) => JSON.stringify(r)).join(", ")}`);
  if (d.approval !== undefined) parts.push(`by ${approvalText(approvalOf(d.approval))}`);
  const obligations = Object.entries(d.obligations);
  if (obligations.length > 0) parts.push(`with ${obligations.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")}`);
  if (d.limits.length > 0) parts.push(`charge ${d.limits.map((l) => `${l.id} = ${l.amount}`).join(", ")}`);
  if (d.blockedBy !== undefined) parts.push(`blocked by ${d.blockedBy}`);
  if (d.audit !== "info") parts.push(`audit ${d.audit}`);
  return parts.join(" ");
}

function quorumText(quorums: readonly ExpectedQuorum[]): string {
  return quorums
    .map((q) => `${q.count} of ${q.groups.length === 1 ? "group" : "groups"} ${q.groups.length === 0 ? "(any)" : q.groups.map((g) => JSON.stringify(g)).join(", ")}`)
    .join(" and ");
}

function quorumKey(quorums: readonly ExpectedQuorum[]): string {
  return quorums.map((q) => `${q.count}:${[...q.groups].sort().join(",")}`).sort().join("|");
}

/** A decision's requirement in the terms tests compare. */
function approvalOf(requirement: NonNullable<Decision["approval"]>): ExpectedApproval {
  return {
    quorums: requirement.quorums.map((q) => ({ count: q.count, groups: [...q.groups].sort() })),
    requester: requirement.requester === true,
    samePerson: requirement.samePerson === true,
  };
}

function approvalKey(a: ExpectedApproval): string {
  return `${a.requester ? "requester;" : ""}${quorumKey(a.quorums)}${a.samePerson ? ";same" : ""}`;
}

/** `requester and 1 of group "sre" (same person allowed)`, as .agp writes it. */
function approvalText(a: ExpectedApproval): string {
  const terms = [...(a.requester ? ["requester"] : []), ...(a.quorums.length === 0 ? [] : [quorumText(a.quorums)])];
  return `${terms.join(" and ")}${a.samePerson ? " (same person allowed)" : ""}`;
}

function idList(ids: readonly string[]): string {
  return ids.length === 0 ? "no rule" : ids.join(", ");
}

function reasonList(reasons: readonly string[]): string {
  return reasons.length === 0 ? "no reason" : reasons.map((r) => JSON.stringify(r)).join(", ");
}

function obligationList(d: Decision): string {
  const entries = Object.entries(d.obligations);
  return entries.length === 0 ? "no obligations" : entries.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ");
}

function chargeList(d: Decision): string {
  return d.limits.length === 0 ? "no limit charged" : d.limits.map((l) => `${l.id} = ${l.amount}`).join(", ");
}

/** Structural equality of JSON values (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.join("\0") === kb.join("\0") && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
