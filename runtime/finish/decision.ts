/**
 * Finishing a decision from what the module said, exactly as ADR 0006 and
 * the reference interpreter (compiler/interpret/decide.ts) build it:
 * deciding rules (agent side first, then human side, each in source order),
 * reasons, obligations, limits against counters, quorums, approvals.
 *
 * In: prepared manifest data, the module's `RawResult`, the request parts,
 * the runtime state (already validated). Out: a `Decision`, fields in the
 * reference's key order. Must not throw on any module output that
 * ./result.ts accepted.
 */
import type { Decision, DecidingRule, DecisionAuditLevel, DecisionEffect } from "../decision.js";
import type { RuntimeState } from "../request.js";
import type { Parts } from "../encode/request.js";
import { Refused, type Refusal } from "../encode/values.js";
import type { RawResult } from "./result.js";
import type { Prepared, PreparedRule } from "./prepared.js";
import { applyLimits } from "./limits.js";
import { approvalsMeet, highestAudit, mergeObligations, mergeQuorums } from "./merge.js";

/** The decision for a request the module decided. */
export function finish(prep: Prepared, raw: RawResult, parts: Parts, state: RuntimeState | undefined): Decision {
  const deciding = sideOrdered(prep, raw.deciding);
  const refs = deciding.map((r) => r.ref);
  const audit = highestAudit(deciding);
  if (raw.effect === "deny") {
    const reasons = deciding.length > 0 ? deciding.map((r) => r.reason) : [defaultReason(raw.blockedBy, parts.action)];
    return withBlocked(base(prep, "deny", refs, reasons, audit), raw.blockedBy);
  }
  const obligations = mergeObligations(sideOrdered(prep, raw.obligation));
  if (obligations instanceof Refused) return refused(prep, obligations.refusal);
  const applied = applyLimits(prep.limits, raw.charges, parts, state?.counters);
  if (applied instanceof Refused) return refused(prep, applied.refusal);

  const denyingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "deny").map((a) => a.limit);
  if (denyingCaps.length > 0) {
    return base(prep, "deny", denyingCaps.map((l) => l.ref), denyingCaps.map((l) => l.capReason), "notice");
  }
  const approvingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "approve").map((a) => a.limit);
  const charges = applied.map((a) => a.charge);
  const reasons = deciding.map((r) => r.reason).concat(approvingCaps.map((l) => l.capReason));
  const allRefs: DecidingRule[] = refs.concat(approvingCaps.map((l) => l.ref));
  if (raw.effect === "allow" && approvingCaps.length === 0) {
    return { ...base(prep, "allow", allRefs, reasons, audit), obligations, limits: charges };
  }
  const approval = mergeQuorums([
    ...(raw.effect === "approve" ? deciding.map((r) => r.quorums) : []),
    ...approvingCaps.map((l) => (l.otherwise.kind === "approve" ? l.otherwise.quorums : [])),
  ]);
  const blockedBy = raw.effect === "approve" ? raw.blockedBy : undefined;
  if (approvalsMeet(approval, state?.approvals, parts.agent.id, parts.human?.id)) {
    return { ...base(prep, "allow", allRefs, reasons, audit), obligations, limits: charges };
  }
  return withBlocked({ ...base(prep, "approve", allRefs, reasons, audit), obligations, approval, limits: charges }, blockedBy);
}

/** A fail-closed deny carrying what was wrong. */
export function refused(prep: Prepared, refusal: Refusal): Decision {
  return { ...base(prep, "deny", [], [refusal.message], "notice"), error: { code: refusal.code, message: refusal.message, path: refusal.path } };
}

/** The deny of an engaged kill switch. */
export function killed(prep: Prepared, name: string): Decision {
  return base(prep, "deny", [], [`kill switch \`${name}\` is engaged`], "notice");
}

/** The rules of `indices` (ascending), agent side first, then human side: the reference's order. */
function sideOrdered(prep: Prepared, indices: readonly number[]): PreparedRule[] {
  const agent: PreparedRule[] = [];
  let human: PreparedRule[] | undefined;
  for (const index of indices) {
    const rule = prep.rules[index]!;
    if (rule.principal === "agent") agent.push(rule);
    else (human ??= []).push(rule);
  }
  return human === undefined ? agent : agent.concat(human);
}

function defaultReason(blockedBy: "agent" | "human" | undefined, action: string): string {
  return blockedBy === "human" ? `no \`for human\` rule allows \`${action}\`` : `no rule allows \`${action}\``;
}

function withBlocked(decision: Decision, principal: "agent" | "human" | undefined): Decision {
  return principal === undefined ? decision : { ...decision, blockedBy: principal };
}

function base(prep: Prepared, effect: DecisionEffect, rules: readonly DecidingRule[], reasons: readonly string[], audit: DecisionAuditLevel): Decision {
  return { effect, rules, reasons, obligations: {}, limits: [], audit, policy: prep.policy };
}
