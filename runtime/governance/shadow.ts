/**
 * Shadow mode: a candidate bundle decides every request beside the live
 * one; the live decision is enforced, both are audited, and the differences
 * are summarized.
 *
 * In: the candidate engine; per request, the live decision and the state the
 * live engine saw. Out: the candidate's decision and a running summary of
 * where the two disagree (`summarizeShadow` rebuilds it from audit entries).
 * Must not let the candidate affect what the gateway does, and must not
 * throw when the candidate does.
 */
import type { Decision, RuntimeState } from "../decision.js";
import type { AuditEntry } from "./audit.js";
import type { DecisionEngine } from "./engine.js";

/** Where live and candidate disagree, counted. */
export interface ShadowSummary {
  /** Requests both decided. */
  readonly total: number;
  /** Same effect and same deciding rules. */
  readonly agree: number;
  /** Different effects, by `live→candidate` (e.g. `"allow→deny"`). */
  readonly effectChanges: Readonly<Record<string, number>>;
  /** Same effect, different deciding rules. */
  readonly ruleChanges: number;
  /** Actions whose effect changed, with counts. */
  readonly actions: Readonly<Record<string, number>>;
}

/** The candidate's decision, as audited beside the live one. */
export interface ShadowRecord {
  readonly policy: { readonly hash: string; readonly version: string };
  readonly effect: Decision["effect"];
  readonly rules: readonly string[];
  readonly reasons: readonly string[];
}

/** A candidate bundle running beside the live one. */
export class Shadow {
  private total = 0;
  private agree = 0;
  private ruleChanges = 0;
  private readonly effectChanges = new Map<string, number>();
  private readonly actions = new Map<string, number>();

  constructor(readonly candidate: DecisionEngine) {}

  /** The candidate's decision for the request and state the live engine saw, counted against `live`. */
  decide(request: unknown, state: RuntimeState, live: Decision, action: string): ShadowRecord {
    let decision: Decision;
    try {
      decision = this.candidate.decide(request, state);
    } catch (error) {
      const reason = `the candidate engine failed: ${error instanceof Error ? error.message : String(error)}`;
      decision = { effect: "deny", rules: [], reasons: [reason], obligations: {}, limits: [], audit: "notice", policy: this.candidate.policy };
    }
    const record = shadowRecord(decision);
    this.count(live.effect, ruleIds(live), record.effect, record.rules, action);
    return record;
  }

  /** The summary so far. */
  summary(): ShadowSummary {
    return {
      total: this.total,
      agree: this.agree,
      effectChanges: Object.fromEntries([...this.effectChanges].sort()),
      ruleChanges: this.ruleChanges,
      actions: Object.fromEntries([...this.actions].sort()),
    };
  }

  private count(liveEffect: string, liveRules: readonly string[], effect: string, rules: readonly string[], action: string): void {
    this.total++;
    if (liveEffect !== effect) {
      const change = `${liveEffect}→${effect}`;
      this.effectChanges.set(change, (this.effectChanges.get(change) ?? 0) + 1);
      this.actions.set(action, (this.actions.get(action) ?? 0) + 1);
    } else if (liveRules.join("\n") !== rules.join("\n")) this.ruleChanges++;
    else this.agree++;
  }

  /** Adds one audited pair (for `summarizeShadow`). */
  add(liveEffect: string, liveRules: readonly string[], shadow: ShadowRecord, action: string): void {
    this.count(liveEffect, liveRules, shadow.effect, shadow.rules, action);
  }
}

/** The summary of every decision entry in an audit log that carries a shadow decision. */
export function summarizeShadow(entries: readonly AuditEntry[]): ShadowSummary {
  const shadow = new Shadow({ decide: () => { throw new Error("unused"); }, policy: { hash: "", version: "" } });
  for (const entry of entries) {
    const record = entry["shadow"] as ShadowRecord | undefined;
    const decision = entry["decision"] as { effect?: string; rules?: { kind: string; id: string }[] } | undefined;
    if (entry.kind !== "decision" || record === undefined || record === null || decision?.effect === undefined) continue;
    shadow.add(decision.effect, (decision.rules ?? []).map((r) => `${r.kind}:${r.id}`), record, String(entry["action"]));
  }
  return shadow.summary();
}

/** `rule:<id>` / `limit:<id>` for each deciding rule, in order. */
export function ruleIds(decision: Pick<Decision, "rules">): string[] {
  return decision.rules.map((r) => `${r.kind}:${r.id}`);
}

function shadowRecord(decision: Decision): ShadowRecord {
  return { policy: decision.policy, effect: decision.effect, rules: ruleIds(decision), reasons: decision.reasons };
}
