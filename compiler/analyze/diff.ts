/**
 * `agp diff`: what a policy change does, action by action. For every valid
 * request (and runtime state: counters, approvals given), does the new
 * policy decide more permissively (widens: deny → approve → allow, so
 * approve → allow widens too), less (narrows), or the same (equivalent)?
 *
 * In: the old and new checked policy sets with their catalogs and
 * confirmers, a query runner. Out: per action a verdict, and findings
 * (AGP720 widens, AGP721 narrows, AGP722 not compared, AGP709 unconfirmed),
 * each change with an example request both compiled modules decided, and
 * the rules responsible (the deciding rules before and after).
 * Must not print.
 *
 * "Equivalent" is said only when the solver proved both directions
 * impossible on an exact (or over-approximating) encoding; anything else is
 * "unknown". An action only one side's catalogs have is compared against
 * the other side's fail-closed deny (an unknown action). An action whose
 * schema differs between the two catalog sets is not compared (AGP722).
 */
import type { CatalogSet, SchemaLocation } from "../catalog/index.js";
import type { CheckedPolicySet } from "../check/index.js";
import { diagnostic, fileSpan, type Span } from "../diagnostics/index.js";
import type { Decision } from "../../runtime/index.js";
import { actionQuery } from "./action-query.js";
import { decidingRules, type Confirmer } from "./confirm.js";
import type { Finding } from "./findings.js";
import type { PolicyEncoding } from "./encode-policy.js";
import type { QueryRunner } from "./query-runner.js";
import { and, cmp, eq, not, or, type Term } from "./smt.js";

export interface DiffSide {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly confirmer: Confirmer;
  readonly locate?: (location: SchemaLocation) => Span | undefined;
}

export interface DiffInput {
  readonly before: DiffSide;
  readonly after: DiffSide;
  readonly runner: QueryRunner;
  /** Only these actions (default: every action of either side). */
  readonly actions?: readonly string[];
  /** Examples per action and direction (default 3). */
  readonly examples?: number;
}

export type Verdict = "equivalent" | "widens" | "narrows" | "widens and narrows" | "unknown";

export interface ActionVerdict {
  readonly action: string;
  readonly verdict: Verdict;
}

export interface DiffResult {
  readonly verdicts: readonly ActionVerdict[];
  readonly findings: readonly (Finding & { readonly side: "before" | "after" })[];
}

const RANK: Record<Decision["effect"], number> = { deny: 0, approve: 1, allow: 2 };

/** Compares two policy sets. */
export async function diff(input: DiffInput): Promise<DiffResult> {
  const names = input.actions ?? [...new Set([...input.before.catalogs.actions.keys(), ...input.after.catalogs.actions.keys()])].sort();
  const verdicts: ActionVerdict[] = [];
  const findings: (Finding & { side: "before" | "after" })[] = [];
  for (const action of names) {
    const result = await diffAction(input, action);
    verdicts.push({ action, verdict: result.verdict });
    findings.push(...result.findings);
  }
  return { verdicts, findings };
}

async function diffAction(input: DiffInput, action: string): Promise<{ verdict: Verdict; findings: (Finding & { side: "before" | "after" })[] }> {
  const { before, after } = input;
  const inBefore = before.catalogs.actions.get(action);
  const inAfter = after.catalogs.actions.get(action);
  if (inBefore !== undefined && inAfter !== undefined && !sameSchema(before.catalogs, after.catalogs, action)) {
    return { verdict: "unknown", findings: [notCompared(input, action, "its schema or the request shape differs between the two catalog sets, and requests are compared under one schema")] };
  }
  // One symbolic request; a side whose catalogs lack the action denies every request (unknown action).
  const catalogs = inAfter !== undefined ? after.catalogs : before.catalogs;
  const sides = [inBefore !== undefined ? before.checked : undefined, inAfter !== undefined ? after.checked : undefined];
  const query = actionQuery(sides.filter((s): s is CheckedPolicySet => s !== undefined), catalogs, action);
  const [oldPolicy, newPolicy] = sides[0] === undefined ? [undefined, query.policies[0]!] : sides[1] === undefined ? [query.policies[0]!, undefined] : [query.policies[0]!, query.policies[1]!];
  const oldRank = oldPolicy?.rank ?? "0";
  const newRank = newPolicy?.rank ?? "0";
  const findings: (Finding & { side: "before" | "after" })[] = [];
  const outcomes: Record<"widens" | "narrows", "yes" | "no" | "unknown"> = { widens: "no", narrows: "no" };
  for (const direction of ["widens", "narrows"] as const) {
    const goal = direction === "widens" ? cmp(">", newRank, oldRank) : cmp("<", newRank, oldRank);
    const blocked: Term[] = [];
    const seen = new Set<string>();
    for (let n = 0; n < (input.examples ?? 3); n++) {
      const result = await input.runner.solve(query, [goal, ...blocked]);
      if (result.status === "unknown") {
        if (n === 0) outcomes[direction] = "unknown";
        if (n === 0) findings.push(notCompared(input, action, result.reason));
        break;
      }
      if (result.status === "unsat") {
        if (n === 0) outcomes[direction] = query.enc.unsatIsProof ? "no" : "unknown";
        if (n === 0 && !query.enc.unsatIsProof) findings.push(notCompared(input, action, query.enc.approximations.filter((a) => a.kind === "under").map((a) => a.what).join("; ")));
        break;
      }
      const found = query.example(result.model);
      const was = before.confirmer.decide(found.request, found.state);
      const now = after.confirmer.decide(found.request, found.state);
      const changed = direction === "widens" ? RANK[now.effect] > RANK[was.effect] : RANK[now.effect] < RANK[was.effect];
      if (!changed) {
        // On an over-approximation an unconfirmed example is expected, not a bug: say what was not encoded.
        const over = query.enc.approximations.filter((a) => a.kind === "over").map((a) => a.what);
        if (over.length === 0) findings.push({ ...unconfirmed(input, action, direction, `before ${was.effect}, after ${now.effect}`), side: "after" });
        else if (n === 0 && !findings.some((f) => f.kind === "not-compared")) findings.push(approximated(input, action, over));
        if (n === 0) outcomes[direction] = "unknown";
        break;
      }
      outcomes[direction] = "yes";
      const key = JSON.stringify([was.effect, decidedBy(was), now.effect, decidedBy(now)]);
      if (seen.has(key)) break; // the solver found the same change again: nothing new to show
      seen.add(key);
      findings.push(changeFinding(input, action, direction, found, was, now));
      blocked.push(not(and(eq(oldRank, String(RANK[was.effect])), eq(newRank, String(RANK[now.effect])), ...responsible(now, newPolicy, was, oldPolicy))));
    }
  }
  if (outcomes.widens === "no" && outcomes.narrows === "no" && query.enc.approximations.some((a) => a.kind === "under")) outcomes.widens = "unknown";
  const verdict: Verdict =
    outcomes.widens === "unknown" || outcomes.narrows === "unknown"
      ? outcomes.widens === "yes" ? "widens" : outcomes.narrows === "yes" ? "narrows" : "unknown"
      : outcomes.widens === "yes" && outcomes.narrows === "yes"
        ? "widens and narrows"
        : outcomes.widens === "yes" ? "widens" : outcomes.narrows === "yes" ? "narrows" : "equivalent";
  return { verdict, findings };
}

/** Terms that pin the rules and limits responsible for an example, so the next example differs. */
function responsible(now: Decision, newPolicy: PolicyEncoding | undefined, was: Decision, oldPolicy: PolicyEncoding | undefined): Term[] {
  const pin = (decision: Decision, policy: PolicyEncoding | undefined): Term[] => {
    if (policy === undefined) return [];
    const rules = decision.rules.filter((r) => r.kind === "rule").map((r) => r.id);
    const limits = decision.rules.filter((r) => r.kind === "limit").map((r) => r.id);
    const terms = [
      ...policy.rules.filter((r) => rules.includes(r.rule.id)).map((r) => r.decides),
      ...policy.limits.filter((l) => limits.includes(l.limit.id)).map((l) => l.capped),
    ];
    return terms.length > 0 ? terms : [not(or(...policy.rules.map((r) => r.decides)))];
  };
  return [...pin(now, newPolicy), ...pin(was, oldPolicy)];
}

/** What decided, as the change text names it: `` `rule` `` or `` limit `id` ``. */
function decidedBy(decision: Decision): string[] {
  return decision.rules.map((r) => (r.kind === "limit" ? `limit:${r.id}` : r.id));
}

function changeFinding(
  input: DiffInput,
  action: string,
  direction: "widens" | "narrows",
  found: { request: Record<string, unknown>; state?: Record<string, unknown> },
  was: Decision,
  now: Decision,
): Finding & { side: "before" | "after" } {
  const beforeRules = decidingRules(was);
  const afterRules = decidingRules(now);
  const why = (d: Decision) => {
    const named = d.rules.map((r) => (r.kind === "limit" ? `limit \`${r.id}\`` : `\`${r.id}\``));
    if (named.length > 0) return `by ${named.length === 1 ? named[0] : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`}`;
    return d.error !== undefined ? `(${d.error.code === "unknown_action" ? "an unknown action" : d.error.code})` : "(no rule allows it)";
  };
  const change = `${was.effect} ${why(was)} → ${now.effect} ${why(now)}${found.state === undefined ? "" : " (with the runtime state shown)"}`;
  // Point at a rule responsible on the side that has one: the new deciding rule, else the old one.
  const newRule = input.after.checked.rules.find((r) => afterRules.includes(r.id));
  const oldRule = input.before.checked.rules.find((r) => beforeRules.includes(r.id));
  const side: "before" | "after" = newRule !== undefined || oldRule === undefined ? "after" : "before";
  const span = newRule?.decl.id.span ?? oldRule?.decl.id.span ?? actionSpan(input, action);
  return {
    kind: direction,
    diagnostic: diagnostic(direction === "widens" ? "AGP720" : "AGP721", span, { action, change }),
    action,
    example: { ...found, decision: now, before: was },
    rules: { before: beforeRules, after: afterRules },
    side,
  };
}

function notCompared(input: DiffInput, action: string, reason: string): Finding & { side: "before" | "after" } {
  return { kind: "not-compared", diagnostic: diagnostic("AGP722", actionSpan(input, action), { action, reason }), action, side: "after" };
}

/** AGP722 for a change that depends on what the encoding leaves unconstrained (ADR 0020): no claim, and no "bug". */
function approximated(input: DiffInput, action: string, what: readonly string[]): Finding & { side: "before" | "after" } {
  const reason = `the encoding is approximate (${what.join("; ")}) and the example it found was not a change`;
  const help = "no claim is made for this action; compare it with `agp replay` on recorded requests, or by hand";
  return { kind: "not-compared", diagnostic: diagnostic("AGP722", actionSpan(input, action), { action, reason }, { help }), action, side: "after" };
}

function unconfirmed(input: DiffInput, action: string, direction: string, why: string): Finding {
  const question = `whether \`${action}\` ${direction}`;
  return { kind: "unconfirmed", diagnostic: diagnostic("AGP709", actionSpan(input, action), { question, why }), action };
}

function actionSpan(input: DiffInput, action: string): Span {
  const side = input.after.catalogs.actions.has(action) ? input.after : input.before;
  const entry = side.catalogs.actions.get(action)!;
  return side.locate?.(entry.location) ?? fileSpan(entry.location.file);
}

/** Whether the action's args and the request shape read the same in both catalog sets. */
function sameSchema(a: CatalogSet, b: CatalogSet, action: string): boolean {
  const shape = (set: CatalogSet) => JSON.stringify([set.actions.get(action)!.args, set.actions.get(action)!.metadata, set.request], strip);
  return shape(a) === shape(b);
}

function strip(key: string, value: unknown): unknown {
  if (key === "location" || key === "description") return undefined;
  return value instanceof Map ? [...value.entries()] : value;
}
