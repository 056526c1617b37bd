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
import { describeThrown, kindWithArticle, ownMember, snapshotJson } from "./snapshot.js";

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

  private readonly policy: { readonly hash: string; readonly version: string };

  /** Throws a TypeError when `candidate` is not an engine (`decide` and `policy: { hash, version }`). */
  constructor(readonly candidate: DecisionEngine) {
    this.policy = enginePolicy(candidate, "the shadow engine");
  }

  /**
   * The candidate's decision for the request and state the live engine saw,
   * counted against `live`. Never throws: a candidate that throws (anything,
   * Error or not), returns something that is not a decision, or returns a
   * Promise counts as a deny saying so.
   */
  decide(request: unknown, state: RuntimeState, live: Decision, action: string): ShadowRecord {
    let record: ShadowRecord;
    try {
      const decision: unknown = this.candidate.decide(request, state);
      record = candidateRecord(decision, this.policy);
    } catch (error) {
      record = failed(this.policy, `the candidate engine failed: ${describeThrown(error)}`);
    }
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

/**
 * The summary of every decision entry in an audit log that carries a shadow
 * decision. Entries come from a file: one whose live or shadow decision is
 * not shaped as the gateway writes it is skipped, never a crash.
 */
export function summarizeShadow(entries: readonly AuditEntry[]): ShadowSummary {
  const shadow = new Shadow({ decide: () => { throw new Error("unused"); }, policy: { hash: "", version: "" } });
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
  for (const entry of entries) {
    if (entry.kind !== "decision") continue;
    const record = ownMember(entry, "shadow");
    const decision = ownMember(entry, "decision");
    const liveEffect = ownMember(decision, "effect");
    const liveRules = ownMember(decision, "rules");
    const effect = ownMember(record, "effect");
    const rules = ownMember(record, "rules");
    if (typeof liveEffect !== "string" || typeof effect !== "string" || !strings(rules) || !Array.isArray(liveRules)) continue;
    const ids = liveRules.map((r) => `${String(ownMember(r, "kind"))}:${String(ownMember(r, "id"))}`);
    shadow.add(liveEffect, ids, record as ShadowRecord, String(ownMember(entry, "action")));
  }
  return shadow.summary();
}

/** `rule:<id>` / `limit:<id>` for each deciding rule, in order. */
export function ruleIds(decision: Pick<Decision, "rules">): string[] {
  return decision.rules.map((r) => `${r.kind}:${r.id}`);
}

/**
 * The record of what a candidate returned, read once through the snapshot
 * (getters and proxies cannot answer twice); a deny saying what was wrong
 * when it is not a decision.
 */
function candidateRecord(returned: unknown, policy: ShadowRecord["policy"]): ShadowRecord {
  if (typeof returned === "object" && returned !== null && typeof (returned as { then?: unknown }).then === "function") {
    // Keep a rejected promise from becoming an unhandled rejection; its value is ignored either way.
    void Promise.resolve(returned).catch(() => undefined);
    return failed(policy, "the candidate engine returned a Promise; `decide` must return a decision synchronously");
  }
  if (typeof returned !== "object" || returned === null || Array.isArray(returned)) {
    return failed(policy, `the candidate engine returned ${kindWithArticle(returned)}, not a decision`);
  }
  const snapshot = snapshotJson(returned, { maxDepth: 16, maxSize: 1_048_576 });
  if (!snapshot.ok) return failed(policy, `the candidate engine returned a decision that cannot be read: ${snapshot.reason}`);
  const d = snapshot.value;
  const effect = ownMember(d, "effect");
  const rules = ownMember(d, "rules");
  const reasons = ownMember(d, "reasons");
  const decided = ownMember(d, "policy");
  const ruleList = Array.isArray(rules) && rules.every((r) => typeof ownMember(r, "kind") === "string" && typeof ownMember(r, "id") === "string") ? rules : undefined;
  if ((effect !== "allow" && effect !== "approve" && effect !== "deny") || ruleList === undefined || !Array.isArray(reasons) || !reasons.every((r) => typeof r === "string")) {
    return failed(policy, "the candidate engine returned an object that is not a decision (it needs effect, rules and reasons)");
  }
  const hash = ownMember(decided, "hash");
  const version = ownMember(decided, "version");
  return {
    policy: typeof hash === "string" && typeof version === "string" ? { hash, version } : policy,
    effect,
    rules: ruleList.map((r) => `${ownMember(r, "kind") as string}:${ownMember(r, "id") as string}`),
    reasons: reasons as string[],
  };
}

function failed(policy: ShadowRecord["policy"], reason: string): ShadowRecord {
  return { policy, effect: "deny", rules: [], reasons: [reason] };
}

/** An engine's `policy`, read once and checked; throws a TypeError naming `what`. */
export function enginePolicy(engine: unknown, what: string): { readonly hash: string; readonly version: string } {
  const e = engine as { decide?: unknown; policy?: { hash?: unknown; version?: unknown } } | null;
  if (typeof e !== "object" || e === null || typeof e.decide !== "function") throw new TypeError(`${what} must be a decision engine: an object with \`decide(request, state)\``);
  const policy = e.policy;
  const hash = policy?.hash;
  const version = policy?.version;
  if (typeof hash !== "string" || typeof version !== "string") throw new TypeError(`${what} needs \`policy: { hash, version }\` (strings): the bundle that decides`);
  return { hash, version };
}
