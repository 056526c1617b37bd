/**
 * Finishing a decision from what the module said, exactly as ADR 0006 and
 * the reference interpreter (compiler/interpret/decide.ts) build it:
 * deciding rules (agent side first, then human side, each in source order),
 * reasons, obligations, limits against counters, quorums, approvals.
 *
 * In: prepared manifest data, the module's `RawResult`, the request's view,
 * the runtime state (already validated). Out: a `Decision`, fields in the
 * reference's key order. Must not throw on any module output that
 * ./result.ts accepted.
 */
import type { ApprovalRequirement, Decision, DecidingRule, DecisionAuditLevel, DecisionEffect, LimitCharge } from "../decision.js";
import type { RuntimeState } from "../request.js";
import type { RequestView } from "../encode/view.js";
import type { ObligationValue } from "../manifest.js";
import { Refused, type Refusal } from "../encode/values.js";
import type { RawResult } from "./result.js";
import type { Prepared, PreparedLimit, PreparedRule } from "./prepared.js";
import { applyLimits } from "./limits.js";
import { approvalsMeet, mergeObligations } from "./merge.js";

/** The decision for a request the module decided. */
export function finish(prep: Prepared, raw: RawResult, view: RequestView, state: RuntimeState | undefined): Decision {
  const indices = raw.deciding;
  const n = indices.length;
  const refs: DecidingRule[] = new Array<DecidingRule>(n);
  const reasons: string[] = new Array<string>(n);
  // Agent side first, then the human side (the reference's order), written straight into the
  // Decision's arrays: most decisions have one deciding rule, on the agent side.
  let rank = 0;
  let at = 0;
  let human = false;
  for (let i = 0; i < n; i++) {
    const rule = prep.rules.at(indices[i]!);
    if (rule.principal !== "agent") {
      human = true;
      continue;
    }
    refs[at] = rule.ref;
    reasons[at++] = rule.reason;
    if (rule.auditRank > rank) rank = rule.auditRank;
  }
  if (human) {
    for (let i = 0; i < n; i++) {
      const rule = prep.rules.at(indices[i]!);
      if (rule.principal === "agent") continue;
      refs[at] = rule.ref;
      reasons[at++] = rule.reason;
      if (rule.auditRank > rank) rank = rule.auditRank;
    }
  }
  const audit = AUDIT[rank]!;
  if (raw.effect === "deny") {
    if (n === 0) reasons.push(defaultReason(raw.blockedBy, view.action, view.human));
    return decision(prep, "deny", refs, reasons, {}, [], audit, undefined, raw.blockedBy);
  }
  let obligations: Record<string, ObligationValue> = {};
  if (raw.obligation.length > 0) {
    const merged = mergeObligations(sideOrdered(prep, raw.obligation), prep.obligations);
    if (merged instanceof Refused) return refused(prep, merged.refusal);
    obligations = merged;
  }
  if (raw.charges.length === 0) {
    if (raw.effect === "allow") return decision(prep, "allow", refs, reasons, obligations, [], audit, undefined, undefined);
    return approveOrAllow(prep, raw, view, state, refs, reasons, audit, obligations, [], []);
  }
  const applied = applyLimits(prep.limits, raw.charges, view, state?.counters);
  if (applied instanceof Refused) return refused(prep, applied.refusal);

  const denyingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "deny").map((a) => a.limit);
  if (denyingCaps.length > 0) {
    return decision(prep, "deny", denyingCaps.map((l) => l.ref), denyingCaps.map((l) => l.capReason), {}, [], "notice", undefined, undefined);
  }
  const approvingCaps = applied.filter((a) => a.capped && a.limit.otherwise.kind === "approve").map((a) => a.limit);
  const charges = applied.map((a) => a.charge);
  for (const cap of approvingCaps) {
    refs.push(cap.ref);
    reasons.push(cap.capReason);
  }
  if (raw.effect === "allow" && approvingCaps.length === 0) return decision(prep, "allow", refs, reasons, obligations, charges, audit, undefined, undefined);
  return approveOrAllow(prep, raw, view, state, refs, reasons, audit, obligations, charges, approvingCaps);
}

/** An approve (rules or a limit cap parked it), or allow when the given approvals meet its quorums. */
function approveOrAllow(
  prep: Prepared,
  raw: RawResult,
  view: RequestView,
  state: RuntimeState | undefined,
  refs: readonly DecidingRule[],
  reasons: readonly string[],
  audit: DecisionAuditLevel,
  obligations: Record<string, ObligationValue>,
  charges: readonly LimitCharge[],
  approvingCaps: readonly PreparedLimit[],
): Decision {
  // Merged once per set of sources (./approvals.ts): the same object for every decision with these rules and caps.
  const approval = prep.approvals.of(raw.effect === "approve" ? sideOrdered(prep, raw.deciding) : NO_RULES, approvingCaps);
  const captured = view.captures;
  const ids = prep.captures;
  if (approvalsMeet(approval, state?.approvals, captured[ids.agentId], view.human ? captured[ids.humanId] : undefined)) {
    return decision(prep, "allow", refs, reasons, obligations, charges, audit, undefined, undefined);
  }
  // A limit cap parks an allow for approval: then no side blocked.
  const blockedBy = raw.effect === "approve" ? raw.blockedBy : undefined;
  return decision(prep, "approve", refs, reasons, obligations, charges, audit, approval, blockedBy);
}

const NO_RULES: readonly PreparedRule[] = [];

const AUDIT: readonly DecisionAuditLevel[] = ["info", "notice", "security"];

/** A decision with the reference's key order; `approval` and `blockedBy` only when given. */
function decision(
  prep: Prepared,
  effect: DecisionEffect,
  rules: readonly DecidingRule[],
  reasons: readonly string[],
  obligations: Readonly<Record<string, ObligationValue>>,
  limits: readonly LimitCharge[],
  audit: DecisionAuditLevel,
  approval: ApprovalRequirement | undefined,
  blockedBy: "agent" | "human" | undefined,
): Decision {
  const policy = prep.policy;
  if (approval !== undefined) {
    return blockedBy === undefined
      ? { effect, rules, reasons, obligations, limits, audit, policy, approval }
      : { effect, rules, reasons, obligations, limits, audit, policy, approval, blockedBy };
  }
  return blockedBy === undefined ? { effect, rules, reasons, obligations, limits, audit, policy } : { effect, rules, reasons, obligations, limits, audit, policy, blockedBy };
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
    const rule = prep.rules.at(index);
    if (rule.principal === "agent") agent.push(rule);
    else (human ??= []).push(rule);
  }
  return human === undefined ? agent : agent.concat(human);
}

/** A default deny's reason; the human side blocks without a human only under `human_only` (ADR 0040). */
function defaultReason(blockedBy: "agent" | "human" | undefined, action: string, withHuman: boolean): string {
  if (blockedBy !== "human") return `no rule allows \`${action}\``;
  return withHuman
    ? `no \`for human\` rule allows \`${action}\``
    : `the request names no human, and under \`delegation human_only\` only rules \`for human\` allow \`${action}\``;
}

function base(prep: Prepared, effect: DecisionEffect, rules: readonly DecidingRule[], reasons: readonly string[], audit: DecisionAuditLevel): Decision {
  return { effect, rules, reasons, obligations: {}, limits: [], audit, policy: prep.policy };
}
