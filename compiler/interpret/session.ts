/**
 * Session rules over the full trace: the reference meaning of every session
 * operator (docs/decisions/0024-session-rules.md), written for clarity, not
 * speed. The compiled module keeps compact monitors instead; differential
 * tests compare the two after every step of generated traces.
 *
 * In: the model, the validated current request, the host's session input
 * (`now` and the trace of earlier events). Out: a `SessionScope` (the trace
 * with effective times and validated requests), the values of operators
 * (`evaluateSession`), whether the action needs the session
 * (`sessionNeed`), and the first overflowed correlated set (`sessionFault`).
 * Throws `Refusal("session_error")` for a bad `now` or trace. Must not keep
 * state between calls or combine rules.
 */
import type { CallPattern, CallStatus, Expr, LabelExpr, PastExpr, Path } from "../syntax/index.js";
import type { ModelLabel, ModelRule, PolicyModel } from "./model.js";
import { evaluate, evaluateCondition, type Scope } from "./evaluate.js";
import { patternMatches } from "./match.js";
import { validateRequest, type ValidRequest } from "./validate.js";
import { Refusal, describe, isScalar, type Scalar } from "./values.js";

/** One event of a session as the host gives it. `call` of an outcome is the index (in the trace) of its call event. */
export type SessionEvent =
  | { readonly kind: "call"; readonly time: number; readonly request: unknown; readonly effect: "allow" | "approve" | "deny" }
  | { readonly kind: "outcome"; readonly time: number; readonly call: number; readonly outcome: "succeeded" | "failed" | "rolled_back" };

/** What the host passes for a session: the time of this decision and every earlier event. */
export interface SessionInput {
  readonly now: number;
  readonly trace: readonly SessionEvent[];
}

/** An event with its effective time, status and its call's validated request. */
export interface TraceEvent {
  readonly time: number;
  readonly status: CallStatus;
  /** Index (in `events`) of the call event this event belongs to (itself for a call). */
  readonly call: number;
  readonly request: ValidRequest;
}

/** What operators read: the prepared trace and the model. */
export interface SessionScope {
  readonly now: number;
  readonly events: readonly TraceEvent[];
  readonly model: PolicyModel;
}

const EFFECT_STATUS = { allow: "allowed", approve: "parked", deny: "refused" } as const;
const UNIT_MS: Readonly<Record<string, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/** A duration's milliseconds. */
export function ms(d: { readonly count: number; readonly unit: string }): number {
  return d.count * (UNIT_MS[d.unit] ?? 0);
}

function sessionError(message: string, path = ""): Refusal {
  return new Refusal("session_error", message, path);
}

/** A `now` or event time: a whole number of milliseconds in [0, 2^53 − 1]. */
export function checkTime(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw sessionError(`${what} must be a whole number of milliseconds at least 0, got ${describe(value)}`);
  }
  return value;
}

/** Validates the trace and applies the clock rule: time never goes backwards in a session. */
export function prepareSession(model: PolicyModel, input: SessionInput): SessionScope {
  let clock = Number.NEGATIVE_INFINITY;
  const events: TraceEvent[] = [];
  // Trace index → index in `events`; calls of actions no session rule watches are no events (§4).
  const kept = new Map<number, number>();
  input.trace.forEach((event, i) => {
    if (event.kind === "call") {
      let request: ValidRequest;
      try {
        request = validateRequest(event.request, model.catalogs);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        throw sessionError(`session event ${String(i)} is not a valid request: ${error.message}`);
      }
      if (!watched(model, request)) return;
      if (!Object.hasOwn(EFFECT_STATUS, event.effect)) throw sessionError(`session event ${String(i)} records the effect ${JSON.stringify(event.effect) ?? String(event.effect)}; use allow, approve or deny`);
      const time = Math.max(checkTime(event.time, `the time of session event ${String(i)}`), clock);
      clock = time;
      kept.set(i, events.length);
      events.push({ time, status: EFFECT_STATUS[event.effect], call: events.length, request });
      return;
    }
    const at = kept.get(event.call);
    const call = at === undefined ? undefined : events[at];
    if (call === undefined || event.call >= i || call.status !== "allowed") {
      if (call === undefined && event.call < i && input.trace[event.call]?.kind === "call") return; // an unwatched call's outcome
      throw sessionError(`session event ${String(i)} reports the outcome of event ${String(event.call)}, which is not an earlier allowed call`);
    }
    const time = Math.max(checkTime(event.time, `the time of session event ${String(i)}`), clock);
    clock = time;
    events.push({ time, status: event.outcome, call: at!, request: call.request });
  });
  const now = Math.max(checkTime(input.now, "`now`"), clock);
  return { now, events, model };
}

// ---------------------------------------------------------------- needing the session

/** Whether calls of the request's action are events of a session at all. */
function watched(model: PolicyModel, request: ValidRequest): boolean {
  const action = request.action.name;
  const covering = model.rules.filter((r) => r.patterns.some((p) => patternMatches(p, action)) && (r.actions === undefined || r.actions.has(action)));
  return sessionNeed(model, covering, action) !== undefined;
}

/** Whether an expression reads the session's history (`carries` does not). */
export function readsHistory(expr: Expr | undefined): boolean {
  return walk(expr).some((e) => e.kind === "Past" || (e.kind === "LabelTest" && e.op === "exposed"));
}

/** Every node of an expression, in source order (filters and summed values included). */
export function walk(expr: Expr | undefined): Expr[] {
  if (expr === undefined) return [];
  const out: Expr[] = [expr];
  switch (expr.kind) {
    case "Logical":
    case "Compare":
      out.push(...walk(expr.left), ...walk(expr.right));
      break;
    case "Not":
      out.push(...walk(expr.operand));
      break;
    case "Has":
      out.push(...walk(expr.path));
      break;
    case "Quantified":
      out.push(...walk(expr.collection), ...walk(expr.body));
      break;
    case "Past":
      out.push(...walk(expr.value), ...walk(expr.call.filter), ...walk(expr.anchor?.filter));
      break;
    case "Call":
      out.push(...expr.args.flatMap((a) => walk(a)));
      break;
    default:
      break;
  }
  return out;
}

/** The session operators of a rule's condition, in source order (not those inside filters: there are none). */
export function pastNodes(expr: Expr | undefined): PastExpr[] {
  return walk(expr).filter((e): e is PastExpr => e.kind === "Past");
}

/**
 * Why an action needs the session, or undefined: the first rule covering it
 * (rule order) that reads history, else `watched` when some operator or
 * exposure label looks at its calls.
 */
export function sessionNeed(model: PolicyModel, covering: readonly ModelRule[], action: string): { rule: string } | { watched: true } | undefined {
  const reader = covering.find((r) => readsHistory(r.condition));
  if (reader !== undefined) return { rule: reader.id };
  for (const rule of model.rules) {
    for (const node of walk(rule.condition)) {
      if (node.kind === "Past") {
        if (node.op === "previous" || node.op === "only_since") return { watched: true };
        const calls = [node.call, ...(node.anchor === undefined ? [] : [node.anchor])];
        if (calls.some((c) => coversCall(model, rule.packageName, c, action))) return { watched: true };
      }
      if (node.kind === "LabelTest" && node.op === "exposed" && labelsOf(model, node.label.name).some((l) => l.actions.has(action))) {
        return { watched: true };
      }
    }
  }
  return undefined;
}

function coversCall(model: PolicyModel, pkg: string, call: CallPattern, action: string): boolean {
  const actions = model.packageActions?.get(pkg);
  return patternMatches({ segments: call.pattern.segments, wildcard: call.pattern.wildcard }, action) && (actions === undefined || actions.has(action));
}

function labelsOf(model: PolicyModel, name: string): ModelLabel[] {
  return model.labels.filter((l) => l.name === name);
}

/**
 * Whether a call of `request` is an event of its session: it is valid, its
 * action needs the session, and it carries the key (a host records only
 * those; the harness of `agp test` asks this).
 */
export function needsSession(model: PolicyModel, request: unknown): boolean {
  let valid: ValidRequest;
  try {
    valid = validateRequest(request, model.catalogs);
  } catch {
    return false;
  }
  const action = valid.action.name;
  const covering = model.rules.filter((r) => r.patterns.some((p) => patternMatches(p, action)) && (r.actions === undefined || r.actions.has(action)));
  return sessionNeed(model, covering, action) !== undefined && sessionKeyOf(model, valid) !== undefined;
}

/** The session key's value in the request (a string or number), or undefined when absent or null. */
export function sessionKeyOf(model: PolicyModel, request: ValidRequest): string | undefined {
  const [root, ...fields] = model.session?.key ?? ["context", "session"];
  let value: unknown = root === "agent" ? request.agent : root === "human" ? request.human : root === "context" ? request.context : root === "env" ? request.env : undefined;
  for (const field of fields) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof value === "string" ? value : undefined;
}

// ---------------------------------------------------------------- evaluating operators

/** The value of a session operator or label test in `scope` (whose `session` is set). */
export function evaluateSession(expr: PastExpr | LabelExpr, scope: Scope): unknown {
  const session = scope.session;
  if (session === undefined) throw sessionError("a session rule was evaluated without the session");
  if (expr.kind === "LabelTest") {
    if (expr.op === "carries") return carries(session.model, expr.label.name, scope.request);
    const window = ms(expr.window!);
    return session.events.some((e) => e.status === "allowed" && session.now - e.time < window && carries(session.model, expr.label.name, e.request));
  }
  const window = ms(expr.window);
  const pkg = scope.packageName ?? "";
  switch (expr.op) {
    case "previous":
      return previous(expr, scope, session, window, pkg);
    case "no_since":
    case "only_since":
      return since(expr, scope, session, window, pkg);
    default:
      break;
  }
  const retained = retainedEvents(expr, scope, session, pkg);
  const key = currentKey(expr, scope);
  const mine = retained.events.filter((r) => key === undefined || r.keys.some((k) => sameKey(k, key)));
  if (expr.op === "earlier") return mine.some((r) => session.now - r.event.time < window);
  if (expr.op === "count") return mine.filter((r) => session.now - r.event.time < window).length;
  // sum: buckets of `step`, the window's n buckets and the current one, oldest first.
  const step = stepMs(expr);
  const newest = Math.floor(session.now / step);
  const n = window / step;
  const buckets = new Map<number, number>();
  for (const r of mine) {
    const b = Math.floor(r.event.time / step);
    if (newest - b > n) continue;
    buckets.set(b, (buckets.get(b) ?? 0) + summed(expr, r.event, scope));
  }
  let total = 0;
  for (let b = newest - n; b <= newest; b++) if (buckets.has(b)) total += buckets.get(b)!;
  return total;
}

/** A sum's bucket length: `step`, else a 24th of the window. */
export function stepMs(expr: PastExpr): number {
  return expr.step === undefined ? ms(expr.window) / 24 : ms(expr.step);
}

/** Whether a request carries a label: a declaration covers its action and its condition holds. */
export function carries(model: PolicyModel, label: string, request: ValidRequest): boolean {
  return labelsOf(model, label).some((l) => {
    if (!l.actions.has(request.action.name)) return false;
    if (l.condition === undefined) return true;
    return evaluateCondition(l.condition, { request, catalogs: model.catalogs, constants: l.constants, ...(l.conditions === undefined ? {} : { conditions: l.conditions }), variables: new Map() });
  });
}

function previous(expr: PastExpr, scope: Scope, session: SessionScope, window: number, pkg: string): boolean {
  let index = -1;
  session.events.forEach((e, i) => {
    if (isDecision(e.status)) index = i;
  });
  const last = session.events[index];
  if (last === undefined || session.now - last.time >= window) return false;
  const call = expr.call;
  if (!coversCall(session.model, pkg, call, last.request.action.name)) return false;
  const status = call.status?.value ?? "allowed";
  const statusHolds = isDecision(status) ? last.status === status : session.events.some((e) => e.call === index && e.status === status);
  return statusHolds && filterHolds(call, last.request, scope);
}

function since(expr: PastExpr, scope: Scope, session: SessionScope, window: number, pkg: string): boolean {
  const anchor = expr.anchor!;
  let at = -1;
  session.events.forEach((e, i) => {
    if (matches(anchor, e, scope, session, pkg)) at = i;
  });
  if (at < 0 || session.now - session.events[at]!.time >= window) return false;
  const call = expr.call;
  const status = call.status?.value ?? "allowed";
  for (const e of session.events.slice(at + 1)) {
    if (expr.op === "no_since" ? matches(call, e, scope, session, pkg) : e.status === status && !(coversCall(session.model, pkg, call, e.request.action.name) && filterHolds(call, e.request, scope))) {
      return false;
    }
  }
  return true;
}

function isDecision(status: CallStatus): boolean {
  return status === "allowed" || status === "parked" || status === "refused";
}

/** An event matches a call pattern: its status, its action (in the rule's package), its filter. */
function matches(call: CallPattern, e: TraceEvent, scope: Scope, session: SessionScope, pkg: string): boolean {
  return e.status === (call.status?.value ?? "allowed") && coversCall(session.model, pkg, call, e.request.action.name) && filterHolds(call, e.request, scope);
}

/** The filter on a past request; `current.…` and variables bound outside read the current request. */
function filterHolds(call: CallPattern, past: ValidRequest, scope: Scope): boolean {
  if (call.filter === undefined) return true;
  return evaluateCondition(call.filter, pastScope(past, scope));
}

function pastScope(past: ValidRequest, scope: Scope): Scope {
  const { session: _session, ...rest } = scope;
  return { ...rest, request: past, current: scope.request };
}

// ---------------------------------------------------------------- correlated sets

type Key = readonly Scalar[];

interface Retained {
  readonly event: TraceEvent;
  /** The keys this event is kept under (all its keys when the operator does not correlate). */
  readonly keys: readonly Key[];
}

/**
 * The events an `earlier` / `count` / `sum` keeps, walking the trace in
 * order: events of the call's status, action and static filter; for a
 * correlated operator, each event's keys (its past-side values) are kept
 * only while the live keys fit the capacity. A key that does not fit is
 * lost, at that event's time (`lostAt`, the latest such time).
 */
export function retainedEvents(expr: PastExpr, scope: Scope, session: SessionScope, pkg: string): { events: Retained[]; lostAt?: number } {
  const call = expr.call;
  const status = call.status?.value ?? "allowed";
  const split = splitFilter(call.filter, new Set(scope.variables.keys()));
  const capacity = capacityOf(expr, session.model, pkg);
  const live = (r: Retained, t: number) => within(expr, r.event.time, t);
  const kept: Retained[] = [];
  let lostAt: number | undefined;
  for (const e of session.events) {
    if (e.status !== status || !coversCall(session.model, pkg, call, e.request.action.name)) continue;
    const past = pastScope(e.request, scope);
    if (!split.statics.every((s) => evaluateCondition(s, past))) continue;
    if (split.correlations.length === 0) {
      kept.push({ event: e, keys: [] });
      continue;
    }
    const keys = keysOf(split.correlations, past);
    const mine: Key[] = [];
    for (const key of keys) {
      const liveKeys = distinct(kept.filter((r) => live(r, e.time)).flatMap((r) => r.keys).concat(mine));
      if (liveKeys.some((k) => sameKey(k, key)) || liveKeys.length < capacity) mine.push(key);
      else lostAt = e.time;
    }
    if (mine.length > 0) kept.push({ event: e, keys: mine });
  }
  return { events: kept, ...(lostAt === undefined ? {} : { lostAt }) };
}

/** Whether an event at `t` still counts at `now`: within the window (sums: within its buckets). */
function within(expr: PastExpr, t: number, now: number): boolean {
  if (expr.op === "sum") {
    const step = stepMs(expr);
    return Math.floor(now / step) - Math.floor(t / step) <= ms(expr.window) / step;
  }
  return now - t < ms(expr.window);
}

/** The declared capacity (`track` on the operator, else the package's); infinite without one (then the catalog bounds the keys). */
function capacityOf(expr: PastExpr, model: PolicyModel, pkg: string): number {
  return expr.track?.value ?? model.session?.tracks.get(pkg) ?? Number.POSITIVE_INFINITY;
}

interface Correlated {
  readonly op: "eq" | "in";
  readonly past: Expr;
  readonly current: Expr;
}

/**
 * The filter's top-level conjuncts: static ones (they read only the past
 * call) and correlations (`<past> == <current>`, `<current> in <past
 * array>`, `<past array> contains <current>`), in order.
 */
export function splitFilter(filter: Expr | undefined, outer: ReadonlySet<string>): { statics: Expr[]; correlations: Correlated[] } {
  const statics: Expr[] = [];
  const correlations: Correlated[] = [];
  const conjuncts = (e: Expr): Expr[] => (e.kind === "Logical" && e.op === "and" ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e]);
  for (const c of filter === undefined ? [] : conjuncts(filter)) {
    if (!readsCurrent(c, outer)) {
      statics.push(c);
      continue;
    }
    if (c.kind === "Compare" && c.op === "==") correlations.push(readsCurrent(c.left, outer) ? { op: "eq", past: c.right, current: c.left } : { op: "eq", past: c.left, current: c.right });
    else if (c.kind === "Compare" && c.op === "in") correlations.push({ op: "in", past: c.right, current: c.left });
    else if (c.kind === "Compare" && c.op === "contains") correlations.push({ op: "in", past: c.left, current: c.right });
    else statics.push(c); // the checker refuses anything else (AGP245)
  }
  return { statics, correlations };
}

function readsCurrent(e: Expr, outer: ReadonlySet<string>): boolean {
  return walk(e).some((n) => n.kind === "Path" && (n.root.name === "current" || outer.has(n.root.name)));
}

/** An event's distinct keys: the tuple of its correlated values, one per item of an `in` correlation's array. */
function keysOf(correlations: readonly Correlated[], past: Scope): Key[] {
  let keys: Scalar[][] = [[]];
  for (const c of correlations) {
    const value = evaluate(c.past, past);
    const values = c.op === "in" ? (Array.isArray(value) ? value : []) : [value];
    keys = keys.flatMap((k) => values.filter(isScalar).map((v) => [...k, v]));
  }
  return distinct(keys);
}

/** The current request's key for a correlated operator, or undefined when it does not correlate. */
function currentKey(expr: PastExpr, scope: Scope): Key | undefined {
  const split = splitFilter(expr.call.filter, new Set(scope.variables.keys()));
  if (split.correlations.length === 0) return undefined;
  const current: Scope = { ...scope };
  return split.correlations.map((c) => {
    const value = evaluate(currentSide(c.current), current);
    if (!isScalar(value)) throw new Refusal("evaluation_error", `a correlated value must be a string, number or boolean, got ${describe(value)}`, "");
    return value;
  });
}

/** `current.args.x` reads `args.x` of the current request; an outer variable reads itself. */
function currentSide(e: Expr): Expr {
  if (e.kind === "Path" && e.root.name === "current" && e.fields.length > 0) {
    const [first, ...rest] = e.fields;
    const path: Path = { kind: "Path", root: first!, fields: rest, span: e.span };
    return path;
  }
  return e;
}

function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && a.every((v, i) => typeof v === typeof b[i] && v === b[i]);
}

function distinct(keys: readonly Key[]): Key[] {
  const out: Key[] = [];
  for (const k of keys) if (!out.some((o) => sameKey(o, k))) out.push(k);
  return out;
}

function summed(expr: PastExpr, e: TraceEvent, scope: Scope): number {
  const value = evaluate(expr.value!, { ...pastScope(e.request, scope), variables: new Map() });
  if (typeof value !== "number") throw new Refusal("evaluation_error", `a summed value must be a number, got ${describe(value)}`, "");
  return value;
}

// ---------------------------------------------------------------- overflow

/**
 * The first correlated operator of the covering rules (rule order, then
 * source order) that lost an event still within its window: the decision
 * fails closed, naming it. Undefined when none.
 */
export function sessionFault(covering: readonly ModelRule[], scope: Scope): string | undefined {
  const session = scope.session!;
  for (const rule of covering) {
    for (const node of pastNodes(rule.condition)) {
      if (node.op !== "earlier" && node.op !== "count" && node.op !== "sum") continue;
      const split = splitFilter(node.call.filter, outerVariablesAt(rule.condition!, node));
      if (split.correlations.length === 0) continue;
      const capacity = capacityOf(node, session.model, rule.packageName);
      if (!Number.isFinite(capacity)) continue;
      const ruleScope: Scope = { ...scope, constants: rule.constants, packageName: rule.packageName, variables: new Map() };
      const { lostAt } = retainedEvents(node, { ...ruleScope, variables: new Map([...outerVariablesAt(rule.condition!, node)].map((v) => [v, { value: null }])) }, session, rule.packageName);
      if (lostAt === undefined || !within(node, lostAt, session.now)) continue;
      const window = `${String(node.window.count)} ${node.window.unit}${node.window.count === 1 ? "" : "s"}`;
      return `session rule \`${rule.id}\` keeps at most ${String(capacity)} distinct values of its correlated fields within ${window}, and this session has had more; it recovers ${window} after the last value it could not keep`;
    }
  }
  return undefined;
}

/** The quantifier variables bound around `target` inside `condition`. */
function outerVariablesAt(condition: Expr, target: Expr): Set<string> {
  const found = new Set<string>();
  const visit = (e: Expr, bound: readonly string[]): boolean => {
    if (e === target) {
      for (const b of bound) found.add(b);
      return true;
    }
    switch (e.kind) {
      case "Logical":
      case "Compare":
        return visit(e.left, bound) || visit(e.right, bound);
      case "Not":
        return visit(e.operand, bound);
      case "Quantified":
        return visit(e.collection, bound) || visit(e.body, [...bound, e.variable.name]);
      default:
        return false;
    }
  };
  visit(condition, []);
  return found;
}
