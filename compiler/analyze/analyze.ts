/**
 * `agp analyze`: what a policy set can never do, proved over every valid
 * request, with an example request confirmed by the compiled module where
 * one exists.
 *
 * In: a checked policy set, its catalogs, a running solver and a confirmer.
 * Out: findings (AGP701–AGP709) sorted by location, and query counts.
 * Must not print. Findings, per rule over the actions it covers:
 * - AGP701 its condition can never hold (on any action it covers);
 * - AGP702 whenever it matches, deny rules of its principal match too;
 * - AGP703 whenever it matches, something stricter decides (an approve over
 *   an allow, the other principal under `both`);
 * - AGP704 another rule of its principal and effect matches whenever it does;
 * per action: AGP705 no request can be allowed or approved; per limit:
 * AGP706 it can never be charged. AGP707/AGP708/AGP709 say where an answer
 * is approximate, unknown, or an example failed to confirm (then no claim).
 */
import type { CatalogSet, SchemaLocation } from "../catalog/index.js";
import type { CheckedLimit, CheckedPolicySet, CheckedRule, TypedExpr } from "../check/index.js";
import { diagnostic, fileSpan, sortDiagnostics, type Diagnostic, type Span } from "../diagnostics/index.js";
import { mergeObligationValues } from "../interpret/index.js";
import { actionQuery, type ActionQuery } from "./action-query.js";
import { decidingRules, type Confirmer } from "./confirm.js";
import { encodeCondition } from "./encode-expr.js";
import { ruleQuorums, type RuleEncoding } from "./encode-policy.js";
import type { QuorumSpec } from "./state.js";
import { listIds, type Example, type Finding } from "./findings.js";
import { coreReason } from "./core-reason.js";
import type { QueryRunner } from "./query-runner.js";
import { cmp, not, or, TRUE } from "./smt.js";
import type { SolveResult } from "./solver.js";

export interface AnalyzeInput {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly runner: QueryRunner;
  readonly confirmer: Confirmer;
  /** Only these actions (default: every action of the catalogs). */
  readonly actions?: readonly string[];
  /** Where a catalog's action is, for findings about an action no rule covers. */
  readonly locate?: (location: SchemaLocation) => Span | undefined;
}

export interface AnalysisResult {
  readonly findings: readonly Finding[];
  readonly actions: number;
}

type Outcome = "yes" | "no" | "unknown";

interface RuleOnAction {
  readonly action: string;
  readonly query: ActionQuery;
  readonly encoding: RuleEncoding;
  match: Outcome;
  matchResult?: SolveResult;
  decides?: Outcome;
  /** Other rules (same principal and effect) that match whenever this one does, here. */
  coveredBy?: Set<string>;
}

/** Analyzes a policy set. */
export async function analyze(input: AnalyzeInput): Promise<AnalysisResult> {
  const { checked, catalogs, runner } = input;
  const findings: Finding[] = [];
  const perRule = new Map<CheckedRule, RuleOnAction[]>();
  const perLimit = new Map<CheckedLimit, { action: string; query: ActionQuery; applies: Outcome; charged: Outcome; paid: Outcome }[]>();
  const actions = input.actions ?? [...catalogs.actions.keys()].sort();
  const approximate = new Set<string>();

  for (const action of actions) {
    const query = actionQuery([checked], catalogs, action);
    const policy = query.policies[0]!;
    for (const a of query.enc.approximations) {
      if (approximate.has(`${action}\u0000${a.what}`)) continue;
      approximate.add(`${action}\u0000${a.what}`);
      findings.push(finding("approximate", diagnostic("AGP707", spanOfAction(input, action), { action, why: a.what }), { action }));
    }
    const outcome = (r: SolveResult): Outcome => (r.status === "sat" ? "yes" : r.status === "unsat" ? (query.enc.unsatIsProof ? "no" : "unknown") : "unknown");

    // Rules: can each match, decide, and is another one always matching with it?
    for (const encoding of policy.rules) {
      // A request the rule decides is one it matches: ask the stronger question first.
      let entry: RuleOnAction | undefined;
      if (encoding.rule.effect !== "deny") {
        const decides = await runner.solve(query, [encoding.decides]);
        if (decides.status === "sat") entry = { action, query, encoding, match: "yes", matchResult: decides, decides: "yes" };
        else {
          const result = await runner.solve(query, [encoding.match]);
          entry = { action, query, encoding, match: outcome(result), matchResult: result };
          if (entry.match === "yes") entry.decides = outcome(decides);
        }
      } else {
        const result = await runner.solve(query, [encoding.match]);
        entry = { action, query, encoding, match: outcome(result), matchResult: result };
      }
      perRule.set(encoding.rule, [...(perRule.get(encoding.rule) ?? []), entry]);
    }
    for (const entry of policy.rules.flatMap((e) => perRule.get(e.rule)!.filter((x) => x.action === action))) {
      if (entry.match !== "yes") continue;
      for (const other of policy.rules) {
        const r = entry.encoding.rule;
        const s = other.rule;
        if (s === r || s.effect !== r.effect || s.principal !== r.principal || !r.actions.every((a) => s.actions.includes(a))) continue;
        if (outcome(await runner.solve(query, [entry.encoding.match, not(other.match)])) === "no") {
          entry.coveredBy ??= new Set();
          entry.coveredBy.add(s.id);
        }
      }
    }

    // The action: can any request be allowed or approved?
    if (policy.rules.length === 0) {
      const example = confirmDeny(input.confirmer, query.example(EMPTY_MODEL));
      if (example !== undefined) {
        findings.push(finding("always-denied", diagnostic("AGP705", spanOfAction(input, action), { action, why: "no rule covers it" }), { action, example }));
      }
    } else {
      const decidingPermit = policy.rules.some((e) => e.rule.effect !== "deny" && perRule.get(e.rule)!.some((x) => x.action === action && x.decides === "yes"));
      const permitted: SolveResult = decidingPermit ? { status: "sat", model: EMPTY_MODEL } : await runner.solve(query, [not(policy.deny)]);
      if (outcome(permitted) === "no") {
        const example = confirmDeny(input.confirmer, query.example(EMPTY_MODEL));
        const why = policy.rules.some((r) => r.rule.effect !== "deny") ? "no allow or approve rule can decide any valid request" : "only deny rules cover it";
        if (example !== undefined) findings.push(finding("always-denied", diagnostic("AGP705", spanOfAction(input, action), { action, why }), { action, example }));
      } else if (permitted.status === "unknown") {
        findings.push(unknown(spanOfAction(input, action), `whether any request for \`${action}\` can be allowed`, permitted.reason, { action }));
      }
    }

    // Limits: can each be charged, and by a positive amount?
    for (const l of policy.limits) {
      const applies = outcome(await runner.solve(query, [l.applies]));
      const charged = applies === "yes" ? outcome(await runner.solve(query, [l.charged])) : "no";
      const paid = charged === "yes" && l.limit.decl.measure.kind === "Budget" ? outcome(await runner.solve(query, [l.charged, cmp(">", l.amount, "0.0")])) : charged;
      perLimit.set(l.limit, [...(perLimit.get(l.limit) ?? []), { action, query, applies, charged, paid }]);
    }
  }

  for (const [rule, entries] of perRule) findings.push(...(await ruleFindings(rule, entries, input, runner, perRule)));
  for (const [limit, entries] of perLimit) findings.push(...(await limitFindings(limit, entries, input)));
  return { findings: sortFindings(findings), actions: actions.length };
}

const EMPTY_MODEL = { bool: () => undefined, number: () => undefined, string: () => undefined };

async function ruleFindings(
  rule: CheckedRule,
  entries: readonly RuleOnAction[],
  input: AnalyzeInput,
  runner: QueryRunner,
  perRule: ReadonlyMap<CheckedRule, readonly RuleOnAction[]>,
): Promise<Finding[]> {
  const span = rule.decl.id.span;
  const unknownOn = entries.filter((e) => e.match === "unknown");
  if (unknownOn.length > 0) {
    const reason = unknownOn[0]!.matchResult?.status === "unknown" ? (unknownOn[0]!.matchResult as { reason: string }).reason : "the analysis of this action is approximate";
    return [unknown(span, `whether rule \`${rule.id}\` can match on \`${unknownOn[0]!.action}\``, reason, { rule: rule.id, action: unknownOn[0]!.action })];
  }
  const matching = entries.filter((e) => e.match === "yes");
  if (matching.length === 0) {
    if (rule.condition === undefined || entries.length === 0) return [];
    const why = await neverMatchReason(rule, entries[0]!, runner);
    return [finding("never-matches", diagnostic("AGP701", rule.decl.condition?.span ?? span, { id: rule.id, why }), { rule: rule.id })];
  }
  if (rule.effect !== "deny") {
    if (matching.some((e) => e.decides === "unknown")) {
      const e = matching.find((x) => x.decides === "unknown")!;
      return [unknown(span, `whether rule \`${rule.id}\` can decide on \`${e.action}\``, "the solver could not decide", { rule: rule.id, action: e.action })];
    }
    if (matching.every((e) => e.decides === "no")) return [await neverDecides(rule, matching, input, runner)];
  }
  const common = matching.map((e) => e.coveredBy ?? new Set<string>()).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  const others = [...common].filter((id) => !equivalentAndEarlier(id, rule, perRule) && addsNothing(rule, input.checked.rules.find((r) => r.id === id)!, input.checked.obligations));
  if (others.length > 0) {
    const other = others.sort()[0]!;
    const e = matching[0]!;
    const result = await runner.solve(e.query, [e.encoding.decides]);
    const found = result.status === "sat" ? e.query.example(result.model) : e.query.example(modelOf(e.matchResult));
    const decision = input.confirmer.decide(found.request, found.state);
    const ok = input.confirmer.holds(found.request, found.state, rule.id) === true && input.confirmer.holds(found.request, found.state, other) === true;
    const question = `whether rule \`${rule.id}\` is redundant`;
    if (!ok) return [unconfirmed(span, question, `rule \`${rule.id}\` or \`${other}\` does not hold on it`, { rule: rule.id })];
    return [
      finding("redundant", diagnostic("AGP704", span, { id: rule.id, other }, { related: related(input.checked, other) }), {
        rule: rule.id,
        action: e.action,
        example: { ...found, decision },
      }),
    ];
  }
  return [];
}

/**
 * Whether `rule` adds nothing to decisions `other` also makes: no quorum
 * `other` does not already ask for (same groups, at least the count), no
 * obligation stricter than `other`'s, no higher audit level. Otherwise
 * removing it would change what a gateway enforces, so it is not redundant.
 */
function addsNothing(rule: CheckedRule, other: CheckedRule, declared: CheckedPolicySet["obligations"]): boolean {
  if (rule.effect === "approve") {
    const key = (q: QuorumSpec) => JSON.stringify([...q.groups].sort());
    const theirs = ruleQuorums(other);
    if (!ruleQuorums(rule).every((q) => theirs.some((t) => key(t) === key(q) && t.count >= q.count))) return false;
  }
  for (const o of rule.obligations) {
    if (o.value === null) continue;
    const match = other.obligations.find((t) => t.key === o.key);
    if (match === undefined || match.value === null) return false;
    // Nothing added when merging this rule's value into the other's leaves the other's.
    const merged = mergeObligationValues(match.value, o.value, declared?.get(o.key));
    if (merged === undefined || JSON.stringify(merged) !== JSON.stringify(match.value)) return false;
  }
  const levels = ["info", "notice", "security"];
  return levels.indexOf(rule.decl.audit?.value ?? "info") <= levels.indexOf(other.decl.audit?.value ?? "info");
}

/**
 * Two rules that match exactly the same requests cover each other: only the
 * later one (by file, then line) is reported as redundant.
 */
function equivalentAndEarlier(id: string, rule: CheckedRule, perRule: ReadonlyMap<CheckedRule, readonly RuleOnAction[]>): boolean {
  const other = [...perRule.keys()].find((r) => r.id === id);
  if (other === undefined) return false;
  const back = perRule.get(other)!.filter((e) => e.match === "yes").every((e) => e.coveredBy?.has(rule.id) === true);
  if (!back) return false;
  const key = (r: CheckedRule): [string, number] => [r.file, r.decl.span.line];
  const [fr, lr] = key(rule);
  const [fo, lo] = key(other);
  return fr < fo || (fr === fo && lr < lo);
}

async function neverDecides(rule: CheckedRule, matching: readonly RuleOnAction[], input: AnalyzeInput, runner: QueryRunner): Promise<Finding> {
  const span = rule.decl.id.span;
  const e = matching[0]!;
  const found = e.query.example(modelOf(e.matchResult));
  const decision = input.confirmer.decide(found.request, found.state);
  const holds = input.confirmer.holds(found.request, found.state, rule.id);
  const deciders = decidingRules(decision);
  const question = `whether rule \`${rule.id}\` can decide`;
  if (holds !== true || deciders.includes(rule.id)) {
    return unconfirmed(span, question, holds !== true ? `its condition does not hold on the example` : "it decides the example", { rule: rule.id });
  }
  const example: Example = { ...found, decision };
  // Shadowed by denies of its own principal on every action?
  const denies = new Set<string>();
  let shadowed = true;
  for (const m of matching) {
    const sideDenies = m.query.policies[0]!.rules.filter((x) => x.rule.effect === "deny" && x.rule.principal === rule.principal);
    const escape = await runner.solve(m.query, [m.encoding.match, not(or(...sideDenies.map((d) => d.match)))]);
    if (escape.status !== "unsat") {
      shadowed = false;
      break;
    }
    const single = [];
    for (const d of sideDenies) if ((await runner.solve(m.query, [m.encoding.match, not(d.match)])).status === "unsat") single.push(d.rule.id);
    if (single.length > 0) denies.add(single.sort()[0]!);
    else for (const d of sideDenies) if ((await runner.solve(m.query, [m.encoding.match, d.match])).status === "sat") denies.add(d.rule.id);
  }
  if (shadowed && denies.size > 0) {
    const ids = [...denies].sort();
    const text = `${ids.length === 1 ? "rule" : "rules"} ${listIds(ids)} ${ids.length === 1 ? "denies" : "deny"}`;
    return finding("shadowed-by-deny", diagnostic("AGP702", span, { id: rule.id, denies: text }, { related: ids.flatMap((id) => related(input.checked, id)) }), {
      rule: rule.id,
      action: e.action,
      example,
    });
  }
  const what = deciders.length > 0 ? `${listIds(deciders)} ${deciders.length === 1 ? "decides" : "decide"} instead (here: ${decision.effect})` : `the decision is ${decision.effect} (here: ${decision.reasons[0] ?? ""})`;
  return finding("never-decides", diagnostic("AGP703", span, { id: rule.id, what }, { related: deciders.flatMap((id) => related(input.checked, id)) }), {
    rule: rule.id,
    action: e.action,
    example,
  });
}

async function neverMatchReason(rule: CheckedRule, entry: RuleOnAction, runner: QueryRunner): Promise<string> {
  const conjuncts = flatten(rule.condition!);
  const scope = { layout: entry.query.layout, enc: entry.query.enc, variables: new Map() };
  const tracked = conjuncts.map((c, i) => ({ name: `part_${i}`, term: encodeCondition(c, scope) }));
  const result = await runner.solve(entry.query, rule.principal === "human" ? [entry.query.layout.humanPresent] : [TRUE], tracked);
  const indices = result.status === "unsat" ? result.core.map((n) => Number(n.replace("part_", ""))).sort((a, b) => a - b) : [];
  const core = indices.map((i) => conjuncts[i]).filter((c): c is TypedExpr => c !== undefined);
  const actions = rule.actions.length === 1 ? "" : ` on any of the ${rule.actions.length} actions it covers`;
  return `${coreReason(core, rule.condition!)}${actions}`;
}

async function limitFindings(
  limit: CheckedLimit,
  entries: readonly { action: string; query: ActionQuery; applies: Outcome; charged: Outcome; paid: Outcome }[],
  input: AnalyzeInput,
): Promise<Finding[]> {
  const span = limit.decl.id.span;
  if (entries.length === 0 || entries.some((e) => e.applies === "unknown" || e.charged === "unknown" || e.paid === "unknown")) return [];
  if (entries.every((e) => e.applies === "no")) {
    return [finding("limit-never-charged", diagnostic("AGP706", span, { id: limit.id, why: "its `when` can never hold on the actions it covers" }), { limit: limit.id })];
  }
  if (entries.every((e) => e.charged === "no")) {
    const e = entries.find((x) => x.applies === "yes")!;
    const result = await input.runner.solve(e.query, [e.query.policies[0]!.limits.find((l) => l.limit === limit)!.applies]);
    if (result.status !== "sat") return [];
    const found = e.query.example(result.model);
    const decision = input.confirmer.decide(found.request, found.state);
    if (decision.effect !== "deny") return [unconfirmed(span, `whether limit \`${limit.id}\` can be charged`, `the example is not denied`, { limit: limit.id })];
    return [
      finding("limit-never-charged", diagnostic("AGP706", span, { id: limit.id, why: "every request it applies to is denied, and denied requests are never charged" }), {
        limit: limit.id,
        action: e.action,
        example: { ...found, decision },
      }),
    ];
  }
  if (entries.every((e) => e.paid === "no")) {
    return [finding("limit-never-charged", diagnostic("AGP706", span, { id: limit.id, why: "its cost is 0 on every request it is charged for" }), { limit: limit.id })];
  }
  return [];
}

function confirmDeny(confirmer: Confirmer, found: { request: Record<string, unknown>; state?: Record<string, unknown> }): Example | undefined {
  const decision = confirmer.decide(found.request, found.state);
  return decision.effect === "deny" && decision.error === undefined ? { ...found, decision } : undefined;
}

function modelOf(result: SolveResult | undefined) {
  return result?.status === "sat" ? result.model : EMPTY_MODEL;
}

function flatten(expr: TypedExpr): TypedExpr[] {
  return expr.kind === "Logical" && expr.op === "and" ? [...flatten(expr.left), ...flatten(expr.right)] : [expr];
}

function finding(kind: Finding["kind"], d: Diagnostic, extra: Omit<Finding, "kind" | "diagnostic"> = {}): Finding {
  return { kind, diagnostic: d, ...extra };
}

function unknown(span: Diagnostic["span"], question: string, reason: string, extra: Omit<Finding, "kind" | "diagnostic">): Finding {
  return finding("unknown", diagnostic("AGP708", span, { question, reason }), extra);
}

function unconfirmed(span: Diagnostic["span"], question: string, why: string, extra: Omit<Finding, "kind" | "diagnostic">): Finding {
  return finding("unconfirmed", diagnostic("AGP709", span, { question, why }), extra);
}

function related(checked: CheckedPolicySet, id: string) {
  const rule = checked.rules.find((r) => r.id === id);
  return rule === undefined ? [] : [{ span: rule.decl.id.span, message: `\`${id}\` is defined here` }];
}

/** Where an action-level finding points: the action in its catalog (as AGP305 does). */
function spanOfAction(input: AnalyzeInput, action: string): Span {
  const entry = input.catalogs.actions.get(action)!;
  return input.locate?.(entry.location) ?? fileSpan(entry.location.file);
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  const order = sortDiagnostics(findings.map((f) => f.diagnostic));
  return [...findings].sort((a, b) => order.indexOf(a.diagnostic) - order.indexOf(b.diagnostic) || (a.action ?? "").localeCompare(b.action ?? ""));
}

