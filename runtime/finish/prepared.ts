/**
 * What finishing needs from the manifest, prepared once at load time:
 * deciding-rule references, reasons (the `because` text or the generated
 * one), audit ranks, quorums, and limits with their cap reasons and key
 * readers, and the approval requirements of sets of rules and caps.
 *
 * In: a checked `Manifest` (its rules read one at a time through
 * load/lazy-rules.ts, each prepared on its first use: ADR 0050). Out:
 * `Prepared`. Shared objects are frozen, so
 * decisions may hand them out without one caller changing another's.
 * Must not look at requests.
 */
import type { DecidingRule, DecisionAuditLevel, LimitCharge, Quorum } from "../decision.js";
import type { Effect, Manifest, ManifestLimit, ManifestObligation, ManifestRule, ObligationValue } from "../manifest.js";
import { capturePlan, type CapturePlan } from "../encode/view.js";
import { ApprovalRequirements } from "./approvals.js";
import { rulesOf, type RuleSource } from "../load/lazy-rules.js";
import { PolicyLoadError } from "../errors.js";

/** What one rule or limit cap asks of its approvers, as the manifest says it. */
export interface PreparedApproval {
  readonly quorums: readonly Quorum[];
  readonly requester: boolean;
  readonly samePerson: boolean;
  readonly binds: readonly string[];
}

export interface PreparedRule {
  readonly index: number;
  readonly id: string;
  readonly principal: "agent" | "human";
  readonly effect: Effect;
  readonly ref: DecidingRule;
  readonly reason: string;
  readonly audit: DecisionAuditLevel;
  /** 0 info, 1 notice, 2 security. */
  readonly auditRank: number;
  readonly obligations: readonly { readonly key: string; readonly value: ObligationValue | null }[];
  /**
   * The rule's obligations merged on their own (null dropped, keys sorted),
   * when each key appears once: what a decision shows when this rule is the
   * only one whose obligations apply. Undefined otherwise.
   */
  readonly alone: readonly (readonly [string, ObligationValue])[] | undefined;
  readonly quorums: readonly Quorum[];
  /** The rule's `by` (and `binds`) as a whole. */
  readonly approval: PreparedApproval;
}

export interface PreparedLimit {
  /** The limit's index in the manifest. */
  readonly index: number;
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly kind: "rate" | "budget";
  readonly cap: number;
  readonly window: LimitCharge["window"];
  readonly ref: DecidingRule;
  readonly capReason: string;
  /** Key paths with `agent` / `human` alone widened to their `id`, and where their values are captured. */
  readonly keys: CapturePlan["limitKeys"][number];
  readonly otherwise: ManifestLimit["otherwise"];
  /** `otherwise approve by …` as a whole; undefined for `otherwise deny`. */
  readonly capApproval: PreparedApproval | undefined;
}

/** The prepared rules, each built on its first use (ADR 0050); `at` throws `PolicyLoadError` for a corrupt entry. */
export interface PreparedRuleTable {
  readonly length: number;
  at(index: number): PreparedRule;
}

export interface Prepared {
  readonly rules: PreparedRuleTable;
  /** The declared merge rule of each obligation (manifest `obligations`); undeclared names merge by their values. */
  readonly obligations: ReadonlyMap<string, ManifestObligation>;
  readonly limits: readonly PreparedLimit[];
  readonly actions: readonly { readonly name: string; readonly family: string }[];
  readonly policy: { readonly hash: string; readonly version: string };
  /** Which request values are captured while the request is read (encode/view.ts). */
  readonly captures: CapturePlan;
  /** Approval requirements merged once per set of approve rules and caps (./approvals.ts, ADR 0045). */
  readonly approvals: ApprovalRequirements;
}

const GENERATED: Record<Effect, (id: string) => string> = {
  deny: (id) => `denied by rule \`${id}\``,
  approve: (id) => `approval required by rule \`${id}\``,
  allow: (id) => `allowed by rule \`${id}\``,
};

const NONE: readonly never[] = Object.freeze([]);
const NO_APPROVAL: PreparedApproval = Object.freeze({ quorums: NONE, requester: false, samePerson: false, binds: NONE });

/** Prepares the manifest's rules and limits for finishing. */
export function prepare(manifest: Manifest): Prepared {
  const captures = capturePlan(manifest);
  const rules = new PreparedRules(rulesOf(manifest));
  const limits = manifest.limits.map((limit, index) =>
    Object.freeze({
      index,
      id: limit.id,
      file: limit.file,
      line: limit.line,
      kind: limit.kind,
      cap: limit.cap,
      window: Object.freeze({ count: limit.window.count, unit: limit.window.unit }),
      ref: Object.freeze({ kind: "limit" as const, id: limit.id, file: limit.file, line: limit.line }),
      capReason: limit.reason ?? capReason(limit),
      keys: captures.limitKeys[index]!,
      otherwise: limit.otherwise,
      capApproval:
        limit.otherwise.kind === "approve"
          ? Object.freeze({ quorums: limit.otherwise.quorums, requester: limit.otherwise.requester === true, samePerson: limit.otherwise.samePerson === true, binds: [] })
          : undefined,
    }),
  );
  const declared = manifest.obligations ?? {};
  return {
    rules,
    obligations: new Map(Object.keys(declared).map((key) => [key, declared[key]!])),
    limits,
    actions: manifest.actions.map((a) => ({ name: a.name, family: a.family })),
    policy: Object.freeze({ hash: manifest.policy.hash, version: manifest.policy.version }),
    captures,
    approvals: new ApprovalRequirements(rules, limits),
  };
}

/** Rules prepared on first use: a decision prepares only the rules that decide it (ADR 0050). */
class PreparedRules implements PreparedRuleTable {
  readonly length: number;
  private readonly prepared: (PreparedRule | undefined)[];

  constructor(private readonly source: RuleSource) {
    this.length = source.length;
    this.prepared = new Array<PreparedRule | undefined>(source.length);
  }

  at(index: number): PreparedRule {
    const known = this.prepared[index];
    if (known !== undefined) return known;
    const rule = this.source.at(index);
    if (rule === undefined) throw new PolicyLoadError(`corrupt policy: rule ${String(index)} is outside the manifest's ${this.length} rules`);
    const ready = prepareRule(rule, index);
    this.prepared[index] = ready;
    return ready;
  }
}

function prepareRule(rule: ManifestRule, index: number): PreparedRule {
  return Object.freeze({
    index,
    id: rule.id,
    principal: rule.principal,
    effect: rule.effect,
    ref: Object.freeze({ kind: "rule" as const, id: rule.id, file: rule.file, line: rule.line }),
    reason: rule.reason ?? GENERATED[rule.effect](rule.id),
    audit: rule.audit,
    auditRank: ["info", "notice", "security"].indexOf(rule.audit),
    // Most rules set no obligation and ask no approval: they share one frozen value each (ADR 0044).
    obligations: rule.obligations.length === 0 ? NONE : rule.obligations.map((o) => Object.freeze({ key: o.key, value: Array.isArray(o.value) ? Object.freeze([...o.value]) : o.value })),
    alone: rule.obligations.length === 0 ? NONE : alone(rule.obligations),
    quorums: rule.quorums,
    approval:
      rule.quorums.length === 0 && rule.requester !== true && rule.samePerson !== true && rule.binds === undefined
        ? NO_APPROVAL
        : Object.freeze({ quorums: rule.quorums, requester: rule.requester === true, samePerson: rule.samePerson === true, binds: rule.binds ?? [] }),
  });
}

function alone(obligations: ManifestRule["obligations"]): PreparedRule["alone"] {
  const keys = obligations.map((o) => o.key);
  if (new Set(keys).size !== keys.length) return undefined;
  const entries: [string, ObligationValue][] = [];
  for (const { key, value } of obligations) if (value !== null) entries.push([key, Array.isArray(value) ? Object.freeze([...value]) : value]);
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function capReason(limit: ManifestLimit): string {
  const window = limit.window.count === 1 ? limit.window.unit : `${limit.window.count} ${limit.window.unit}s`;
  const measure = limit.kind === "rate" ? `${limit.cap}` : `budget ${limit.cap}${limit.unit === undefined ? "" : ` ${limit.unit}`}`;
  return `limit \`${limit.id}\` reached: ${measure} per ${window}`;
}
