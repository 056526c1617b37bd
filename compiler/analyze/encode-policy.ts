/**
 * One policy set's decision on one action, as terms: which rules match,
 * which decide, and the effect — ADR 0006 step by step (each principal's
 * rules, delegation, obligation conflicts, limits at their cap, approvals
 * already given).
 *
 * In: a checked policy set, the action, the symbolic request and state.
 * Out: a `PolicyEncoding`: per covering rule its `match` and `decides`
 * terms, per limit when it applies and when it is at its cap, and the final
 * effect as three exclusive terms and a rank (0 deny, 1 approve, 2 allow).
 * Must not call the solver. Kill switches are not modelled (they deny
 * under every policy alike); validation is the layout's domain.
 */
import type { CheckedLimit, CheckedPolicySet, CheckedRule } from "../check/index.js";
import type { Quorum } from "../syntax/index.js";
import { mergeObligationValues } from "../interpret/index.js";
import type { Encoding } from "./encoding.js";
import { encodeCondition, encodeValue, type ExprScope } from "./encode-expr.js";
import type { RequestLayout } from "./layout.js";
import { and, cmp, eq, FALSE, implies, ite, not, or, real, TRUE, type Term } from "./smt.js";
import type { QuorumSpec, StateLayout } from "./state.js";

export interface RuleEncoding {
  readonly rule: CheckedRule;
  /** The rule's pattern covers the action and its condition holds (with a human, for `for human` rules). */
  readonly match: Term;
  /** The rule is among the decision's deciding rules (rules decided: no conflict, no limit at its cap that denies). */
  readonly decides: Term;
}

export interface LimitEncoding {
  readonly limit: CheckedLimit;
  /** The limit covers the action and its `when` holds. */
  readonly applies: Term;
  /** The charge would pass the cap (the state gives a counter). */
  readonly capped: Term;
  /** The request is charged: it applies and the decision is not deny. */
  readonly charged: Term;
  /** The amount charged (Real). */
  readonly amount: Term;
}

export interface PolicyEncoding {
  readonly rules: readonly RuleEncoding[];
  readonly limits: readonly LimitEncoding[];
  /** The final effect; exactly one holds. */
  readonly deny: Term;
  readonly approve: Term;
  readonly allow: Term;
  /** 0 deny, 1 approve, 2 allow (Int). */
  readonly rank: Term;
  /** The rules' combined effect before limits and approvals, as a rank. */
  readonly rulesRank: Term;
  /** Two permitting rules set one string obligation differently: a fail-closed deny. */
  readonly conflict: Term;
}

const RANK = { deny: 0, approve: 1, allow: 2 } as const;

/** Encodes `policy`'s decision on `action`; `label` keeps the names of two policies apart. */
export function encodePolicy(
  policy: CheckedPolicySet,
  action: string,
  layout: RequestLayout,
  state: StateLayout,
  enc: Encoding,
  label: string,
): PolicyEncoding {
  const plainScope: ExprScope = { layout, enc, variables: new Map() };
  // `carries L`: some declaration of L covers the action and its condition holds (label conditions read no session).
  const carries = (name: string): Term =>
    or(...policy.labels.filter((l) => l.name === name && l.actions.includes(action)).map((l) => (l.condition === undefined ? TRUE : encodeCondition(l.condition, plainScope))));
  const constantsScope: ExprScope = { ...plainScope, carries };
  const covering = (p: "agent" | "human") => policy.rules.filter((r) => r.principal === p && r.actions.includes(action));
  const agentRules = covering("agent");
  const humanRules = covering("human");
  const mode = delegationMode(policy, [...agentRules, ...humanRules]);
  // Under `human_only` a present human always speaks (no covering rule: "no `for human` rule allows").
  const humanSpeaks = mode === "human_only" ? layout.humanPresent : mode !== "agent_only" && humanRules.length > 0 ? layout.humanPresent : FALSE;

  const match = new Map<CheckedRule, Term>();
  for (const rule of [...agentRules, ...humanRules]) {
    const condition = rule.condition === undefined ? TRUE : encodeCondition(rule.condition, constantsScope);
    const guarded = rule.principal === "human" ? and(layout.humanPresent, condition) : condition;
    match.set(rule, enc.define(`${label}_match_${rule.id}`, guarded));
  }
  const side = (rules: readonly CheckedRule[], name: string) => {
    const any = (effect: string) => or(...rules.filter((r) => r.effect === effect).map((r) => match.get(r)!));
    const denies = enc.define(`${label}_${name}_denies`, any("deny"));
    const approves = enc.define(`${label}_${name}_approves`, any("approve"));
    const allows = enc.define(`${label}_${name}_allows`, any("allow"));
    const rank = enc.define(`${label}_${name}_rank`, ite(denies, "0", ite(approves, "1", ite(allows, "2", "0"))), "Int");
    const opinion = or(denies, approves, allows);
    return { denies, rank, opinion };
  };
  const agent = side(agentRules, "agent");
  const human = side(humanRules, "human");

  let combined: Term;
  if (mode === "either") {
    const bothOpinions = ite(cmp(">=", agent.rank, human.rank), agent.rank, human.rank);
    const withHuman = ite(
      or(agent.denies, human.denies),
      "0",
      ite(and(agent.opinion, human.opinion), bothOpinions, ite(agent.opinion, agent.rank, ite(human.opinion, human.rank, "0"))),
    );
    combined = ite(humanSpeaks, withHuman, agent.rank);
  } else if (mode === "human_only") {
    // The agent's explicit rules bind, its "no rule allows" does not; without a human nothing allows (ADR 0040).
    const agentBound = ite(agent.opinion, agent.rank, "2");
    const humanRank = ite(humanSpeaks, human.rank, "0");
    combined = ite(cmp("<=", agentBound, humanRank), agentBound, humanRank);
  } else {
    combined = ite(humanSpeaks, ite(cmp("<=", agent.rank, human.rank), agent.rank, human.rank), agent.rank);
  }
  const rulesRank = enc.define(`${label}_rules_rank`, combined, "Int");

  const sideOf = (rule: CheckedRule) => (rule.principal === "human" ? human : agent);
  const speaks = (rule: CheckedRule) => (rule.principal === "human" ? humanSpeaks : TRUE);
  const ruleDecides = new Map<CheckedRule, Term>();
  for (const rule of [...agentRules, ...humanRules]) {
    const r = String(RANK[rule.effect]);
    ruleDecides.set(rule, and(match.get(rule)!, speaks(rule), eq(sideOf(rule).rank, r), eq(rulesRank, r)));
  }

  // Obligations: every permitting rule of the sides that permit; strings of one key must agree.
  const permits = (rule: CheckedRule): Term => {
    if (rule.effect === "deny") return FALSE;
    const s = sideOf(rule);
    const fromDeciders = mode === "either" ? and(eq(s.rank, rulesRank), s.opinion) : TRUE;
    return and(match.get(rule)!, speaks(rule), not(eq(rulesRank, "0")), ite(humanSpeaks, fromDeciders, TRUE));
  };
  const permitting = [...agentRules, ...humanRules].filter((r) => r.effect !== "deny");
  const conflicts: Term[] = [];
  for (let i = 0; i < permitting.length; i++) {
    for (let j = i + 1; j < permitting.length; j++) {
      if (obligationsConflict(permitting[i]!, permitting[j]!, policy)) conflicts.push(and(permits(permitting[i]!), permits(permitting[j]!)));
    }
  }
  const conflict = enc.define(`${label}_conflict`, or(...conflicts));
  const notDenied = and(not(eq(rulesRank, "0")), not(conflict));

  // Limits at their cap.
  const limits: LimitEncoding[] = [];
  for (const limit of policy.limits.filter((l) => l.actions.includes(action))) {
    const applies = limit.condition === undefined ? TRUE : enc.define(`${label}_limit_${limit.id}`, encodeCondition(limit.condition, constantsScope));
    const amount = limit.decl.measure.kind === "Rate" ? "1.0" : costTerm(limit, constantsScope, enc);
    const counter = state.counter(limit.id);
    const cap = limit.decl.measure.kind === "Rate" ? limit.decl.measure.count.value : limit.decl.measure.amount.value;
    const capped = enc.define(`${label}_capped_${limit.id}`, and(applies, counter.present, cmp(">", `(+ ${counter.used} ${amount})`, real(cap))));
    limits.push({ limit, applies, capped, charged: FALSE, amount });
  }
  const capDenies = or(...limits.filter((l) => l.limit.decl.otherwise?.kind !== "CapApprove").map((l) => l.capped));
  const capApproves = or(...limits.filter((l) => l.limit.decl.otherwise?.kind === "CapApprove").map((l) => l.capped));

  // Approvals already given.
  const requirements: Term[] = [];
  for (const rule of [...agentRules, ...humanRules].filter((r) => r.effect === "approve")) {
    requirements.push(implies(ruleDecides.get(rule)!, and(...ruleQuorums(rule).map((q) => state.quorumMet(q)))));
  }
  for (const l of limits) {
    const otherwise = l.limit.decl.otherwise;
    if (otherwise?.kind === "CapApprove") requirements.push(implies(l.capped, and(...otherwise.approval.quorums.map((q) => state.quorumMet(quorumSpec(q))))));
  }
  const met = and(state.anyApproval, ...requirements);
  const needsApproval = or(eq(rulesRank, "1"), capApproves);
  const runs = and(notDenied, not(capDenies));
  const allow = enc.define(`${label}_allow`, and(runs, or(not(needsApproval), met)));
  const approve = enc.define(`${label}_approve`, and(runs, needsApproval, not(met)));
  const deny = enc.define(`${label}_deny`, not(or(allow, approve)));
  const rank = enc.define(`${label}_rank`, ite(allow, "2", ite(approve, "1", "0")), "Int");

  const rules = [...agentRules, ...humanRules].map((rule) => ({
    rule,
    match: match.get(rule)!,
    decides: enc.define(`${label}_decides_${rule.id}`, and(ruleDecides.get(rule)!, not(conflict))),
  }));
  return {
    rules,
    limits: limits.map((l) => ({ ...l, charged: and(l.applies, runs) })),
    deny,
    approve,
    allow,
    rank,
    rulesRank,
    conflict,
  };
}

/** The quorums an approve rule asks for (`by` absent: one approver from any group). */
export function ruleQuorums(rule: CheckedRule): QuorumSpec[] {
  const quorums = rule.decl.approval?.quorums;
  return quorums === undefined || quorums.length === 0 ? [{ count: 1, groups: [] }] : quorums.map(quorumSpec);
}

export function quorumSpec(q: Quorum): QuorumSpec {
  return { count: q.count.value, groups: q.groups.map((g) => g.value) };
}

/** Every quorum a policy may ask for on an action (rules and limits). */
export function quorumsOn(policy: CheckedPolicySet, action: string): QuorumSpec[] {
  const rules = policy.rules.filter((r) => r.effect === "approve" && r.actions.includes(action)).flatMap(ruleQuorums);
  const limits = policy.limits
    .filter((l) => l.actions.includes(action))
    .flatMap((l) => (l.decl.otherwise?.kind === "CapApprove" ? l.decl.otherwise.approval.quorums.map(quorumSpec) : []));
  return [...rules, ...limits];
}

function costTerm(limit: CheckedLimit, scope: ExprScope, enc: Encoding): Term {
  const cost = limit.cost === undefined ? undefined : encodeValue(limit.cost, scope);
  if (cost?.kind === "num") return cost.int ? `(to_real ${cost.term})` : cost.term;
  if (cost?.kind === "lit" && typeof cost.value === "number") return real(cost.value);
  enc.approximate("over", `the cost of limit \`${limit.id}\` is not modelled`);
  const v = enc.fresh(`cost_${limit.id}`, "Real");
  enc.domain.push(cmp(">=", v, "0.0"));
  return v;
}

/** `both` unless every package whose rules cover the action says the same mode (ADR 0006, "Delegation"). */
function delegationMode(policy: CheckedPolicySet, rules: readonly CheckedRule[]): "both" | "either" | "agent_only" | "human_only" {
  const modes = new Set(rules.map((r) => policy.packages.find((p) => p.name === r.package)?.delegation ?? "both"));
  const [only] = modes;
  return modes.size === 1 && only !== undefined ? only : "both";
}

/** Whether two rules set one obligation to values that cannot be merged (by its declared merge rule, or by its values). */
function obligationsConflict(a: CheckedRule, b: CheckedRule, policy: CheckedPolicySet): boolean {
  for (const oa of a.obligations) {
    if (oa.value === null) continue;
    for (const ob of b.obligations) {
      if (ob.key !== oa.key || ob.value === null) continue;
      if (mergeObligationValues(oa.value, ob.value, policy.obligations?.get(oa.key)) === undefined) return true;
    }
  }
  return false;
}
