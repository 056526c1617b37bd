/**
 * Session rules → monitors (docs/decisions/0024-session-rules.md): each
 * distinct operator of the policy set becomes one monitor with a fixed place
 * in the session state; each action gets the watches its recorded calls and
 * outcomes apply, the overflow checks its decisions make, and its rules'
 * operators become queries of their monitors.
 *
 * In: the checked policy set (its rules' typed conditions, labels, session)
 * and, per action, the lowering scope. Out: `MonitorTable` (pass 1, over
 * every rule), per action `IrActionSession` and queries (pass 2), and the
 * `IrSession` layout. Must be deterministic (the layout id and the content
 * hash are taken over its output) and must not import codegen.
 */
import { sha256Hex } from "../../runtime/governance/sha256.js";
import { showExpr, type CheckedLabel, type CheckedPolicySet, type CheckedRule, type Correlation, type TypedExpr, type TypedPast } from "../check/index.js";
import type { Span } from "../diagnostics/index.js";
import type { IrAction, IrActionSession, IrCompare, IrExpr, IrKeyPart, IrMonitor, IrNum, IrSession, IrWatch } from "../ir/index.js";
import { SESSION, SESSION_STATUS as STATUS_CODES } from "../../runtime/abi.js";
import type { CallStatus } from "../syntax/index.js";
import { arrayRef, boolRef, numRef, operandOf, splitNull, strRef, unsupported, type Operand, type Scope } from "./operands.js";

/** What lowering a condition needs to turn operators into queries. */
export interface SessionContext {
  readonly table: MonitorTable;
  /** Lowers a condition in a scope (expr.ts's lowerCondition, passed in to keep imports acyclic). */
  readonly lower: (e: TypedExpr, scope: Scope) => IrExpr;
}

interface MonitorEntry {
  readonly spec: string;
  readonly kind: IrMonitor["kind"];
  readonly text: string;
  readonly window: string;
  readonly source: TypedPast | { readonly label: string };
  readonly pkg: string;
  readonly windowMs: number;
  /** A count's ring: the largest K of the rules that share it (ADR 0043). */
  ring?: number;
  readonly capacity?: number;
  readonly buckets?: { readonly n: number; readonly stepMs: number };
}

/** Every distinct operator of the policy set, in the order first met (rule order, then source order). */
export class MonitorTable {
  readonly entries: MonitorEntry[] = [];
  private readonly bySpec = new Map<string, number>();
  /** Per rule id: the monitors its condition reads, in source order. */
  readonly ruleMonitors = new Map<string, number[]>();

  constructor(readonly checked: CheckedPolicySet) {}

  /** Pass 1: every rule's operators, so that actions lowered early watch monitors of rules met later. */
  collect(rules: readonly CheckedRule[]): void {
    for (const rule of rules) {
      const ids: number[] = [];
      for (const node of sessionNodes(rule.condition)) {
        const id = node.kind === "Past" ? this.forPast(node, rule.package) : this.forLabel(node.label);
        if (id !== undefined) ids.push(id);
      }
      this.ruleMonitors.set(rule.id, ids);
    }
  }

  /** The monitor of an operator (registered by `collect`). */
  forPast(e: TypedPast, pkg: string): number {
    const spec = specOf(e, pkg);
    const known = this.bySpec.get(spec);
    if (known !== undefined) {
      // A threshold family: one ring long enough for every threshold (min(count, K) decides each comparison for any K at least its own).
      const entry = this.entries[known]!;
      if (entry.kind === "count" && e.ring !== undefined && (entry.ring === undefined || e.ring > entry.ring)) entry.ring = e.ring;
      return known;
    }
    const kind: IrMonitor["kind"] = e.op === "earlier" ? "last" : e.op === "count" ? "count" : e.op === "sum" ? "sum" : e.op === "previous" ? "previous" : "since";
    const entry: MonitorEntry = {
      spec,
      kind,
      text: textOf(e),
      window: `${String(e.node.window.count)} ${e.node.window.unit}${e.node.window.count === 1 ? "" : "s"}`,
      source: e,
      pkg,
      windowMs: e.windowMs,
      ...(e.ring === undefined ? {} : { ring: e.ring }),
      ...(e.capacity === undefined ? {} : { capacity: e.capacity }),
      ...(e.op === "sum" && e.stepMs !== undefined ? { buckets: { n: e.windowMs / e.stepMs, stepMs: e.stepMs } } : {}),
    };
    this.bySpec.set(spec, this.entries.length);
    this.entries.push(entry);
    return this.entries.length - 1;
  }

  /** The monitor of `exposed L` (one per label, whatever the window). */
  forLabel(label: string): number | undefined {
    const spec = `label\u0000${label}`;
    const known = this.bySpec.get(spec);
    if (known !== undefined) return known;
    this.bySpec.set(spec, this.entries.length);
    this.entries.push({ spec, kind: "last", text: `exposed ${label}`, window: "", source: { label }, pkg: "", windowMs: 0 });
    return this.entries.length - 1;
  }

  /** Steps of walking a monitor once: its entries (keyed) times its ring or buckets. */
  scanSteps(monitor: number): number {
    const e = this.entries[monitor];
    if (e === undefined) return 1;
    const inner = e.kind === "count" ? (e.ring ?? 1) : e.kind === "sum" ? (e.buckets?.n ?? 0) + 1 : 1;
    return (e.capacity ?? 0) + inner + 1;
  }

  /** The labels (declarations) of one name. */
  labels(name: string): CheckedLabel[] {
    return this.checked.labels.filter((l) => l.name === name);
  }
}

/** The operators and exposure tests of a condition, in source order (`carries` reads no history). */
function sessionNodes(e: TypedExpr | undefined): (TypedPast | Extract<TypedExpr, { kind: "LabelTest" }>)[] {
  if (e === undefined) return [];
  switch (e.kind) {
    case "Past":
      return [e];
    case "LabelTest":
      return e.node.op === "exposed" ? [e] : [];
    case "Logical":
    case "Compare":
      return [...sessionNodes(e.left), ...sessionNodes(e.right)];
    case "Not":
      return sessionNodes(e.operand);
    case "Quantified":
      return [...sessionNodes(e.collection), ...sessionNodes(e.body)];
    default:
      return [];
  }
}

/** What makes two operators the same monitor: the operator as written (spans aside), its package, and what the checker derived. */
function specOf(e: TypedPast, pkg: string): string {
  const node = JSON.stringify(e.node, (key, value: unknown) => (key === "span" || key === "keySpan" ? undefined : value));
  const correlated = e.call.correlations.length > 0;
  // An uncorrelated `earlier` is one last time whatever its window, and an
  // uncorrelated `count` one ring of the latest times whatever its window
  // and threshold (ADR 0043): each use reads it with its own window.
  const anyWindow = (e.op === "earlier" || e.op === "count") && !correlated;
  const window = anyWindow ? 0 : e.windowMs;
  const node2 = anyWindow ? node.replace(/"window":\{[^}]*\}/, "").replace(/"track":\{[^}]*\}/, "") : node;
  return JSON.stringify([pkg, node2, window, e.op === "count" && !correlated ? undefined : e.ring, e.capacity, e.stepMs, e.call.actions, e.anchor?.actions]);
}

/** The operator as written (spans aside), for messages and `agp inspect`. */
function textOf(e: TypedPast): string {
  return showExpr(e.node);
}

// ---------------------------------------------------------------- layout

/** Entry header of a keyed monitor: u64 hash, f64 newest time. */
const ENTRY_HEADER = 16;

function bytesOf(e: MonitorEntry): { bytes: number; keyed?: { capacity: number; entryBytes: number } } {
  const payload = e.kind === "last" ? 0 : e.kind === "count" ? 8 + 8 * (e.ring ?? 1) : e.kind === "sum" ? 16 * ((e.buckets?.n ?? 1) + 1) : 0;
  if (e.capacity !== undefined && (e.kind === "last" || e.kind === "count" || e.kind === "sum")) {
    const entryBytes = ENTRY_HEADER + payload;
    return { bytes: 16 + e.capacity * entryBytes, keyed: { capacity: e.capacity, entryBytes } };
  }
  if (e.kind === "last") return { bytes: 8 };
  if (e.kind === "previous") return { bytes: 16 };
  if (e.kind === "since") return { bytes: 16 };
  return { bytes: payload };
}

/** Lays the monitors out after the header; the layout id hashes what the state means. */
export function sessionLayout(table: MonitorTable, checked: CheckedPolicySet, scratch: { bytes: number; items: number }): IrSession {
  let offset: number = SESSION.headerBytes;
  const monitors: IrMonitor[] = table.entries.map((e) => {
    const { bytes, keyed } = bytesOf(e);
    const m: IrMonitor = {
      kind: e.kind,
      offset,
      bytes,
      windowMs: e.windowMs,
      text: e.text,
      window: e.window,
      ...(keyed === undefined ? {} : { keyed }),
      ...(e.ring === undefined ? {} : { ring: e.ring }),
      ...(e.buckets === undefined ? {} : { buckets: e.buckets }),
    };
    offset += (bytes + 7) & ~7;
    return m;
  });
  const session = checked.session!;
  const maxStep = Math.max(0, ...table.entries.map((e) => e.buckets?.stepMs ?? 0));
  const constants = checked.constants.map((c) => [c.package, c.name, c.value]);
  const meaning = JSON.stringify([session.key, monitors, table.entries.map((e) => e.spec), checked.labels.map((l) => [l.name, l.actions, l.condition?.node]), constants], (k, v: unknown) =>
    k === "span" || k === "keySpan" ? undefined : v,
  );
  return {
    key: session.key,
    stateBytes: offset,
    layout: sha256Hex(meaning).slice(0, 8), // pure SHA-256: the compiler also runs in browsers (ADR 0022)
    retainMs: session.retainMs + maxStep,
    keyBytes: Math.max(8, scratch.bytes),
    keyItems: Math.max(1, scratch.items),
    monitors,
  };
}

// ---------------------------------------------------------------- queries

/**
 * The scratch a module needs for hashing keys: the most bytes one key
 * encodes to (a tag per part; strings add a u32 length and their bytes) and
 * the most items one recorded array correlation has.
 */
export function keyScratch(actions: readonly IrAction[]): { bytes: number; items: number } {
  let bytes = 0;
  let items = 0;
  for (const action of actions) {
    const size = (parts: readonly IrKeyPart[]) =>
      parts.reduce((n, p) => {
        const slot = p.from === "slot" ? p.ref.slot : p.item;
        return n + 1 + (p.kind === "str" ? 4 + (action.reads[slot]?.maxBytes ?? 0) : p.kind === "num" ? 8 : 1);
      }, 0);
    const note = (parts: readonly IrKeyPart[] | undefined) => {
      if (parts === undefined) return;
      bytes = Math.max(bytes, size(parts));
      for (const p of parts) if (p.from === "item") items = Math.max(items, action.reads[p.array]?.maxItems ?? 0);
    };
    for (const w of [...(action.session?.record ?? []), ...(action.session?.outcome ?? [])]) note(w.keys);
    const visit = (e: IrExpr): void => {
      switch (e.op) {
        case "and":
        case "or":
          visit(e.left);
          visit(e.right);
          return;
        case "not":
          visit(e.operand);
          return;
        case "quantifier":
          visit(e.body);
          return;
        case "session":
          if ("key" in e.query) note(e.query.key);
          return;
        default:
          return;
      }
    };
    for (const side of [action.agent, action.human]) {
      for (const use of side.unindexed) visit(use.condition);
      for (const use of side.indexed) visit(use.condition);
    }
  }
  return { bytes, items };
}

/** A boolean operator (`earlier`, `previous`, `no/only … since`, `exposed`) as a query. */
export function lowerPastTest(e: TypedExpr, scope: Scope, cx: SessionContext): IrExpr {
  const line = e.node.span.line;
  if (e.kind === "LabelTest") {
    if (e.node.op === "carries") return carriesTest(e.label, scope, cx, line);
    const monitor = cx.table.forLabel(e.label)!;
    return { op: "session", line, monitor, query: { kind: "within", windowMs: e.windowMs ?? 0 } };
  }
  if (e.kind !== "Past") return { op: "const", line, value: false };
  const monitor = cx.table.forPast(e, packageOf(scope));
  const key = currentKey(e.call.correlations, scope, e.node.span);
  if (key === undefined) return { op: "const", line, value: false };
  const keyed = key.length === 0 ? {} : { key };
  switch (e.op) {
    case "earlier":
      return { op: "session", line, monitor, query: { kind: "within", windowMs: e.windowMs, ...keyed } };
    case "previous":
      return { op: "session", line, monitor, query: { kind: "previous", windowMs: e.windowMs, status: STATUS_CODES[e.call.status], ...keyed } };
    case "no_since":
    case "only_since":
      return { op: "session", line, monitor, query: { kind: "since", windowMs: e.windowMs } };
    default:
      return { op: "const", line, value: false };
  }
}

/** `count … <cmp> n` or `sum … <cmp> x` (the operator on the left; `flip` when it was written on the right). */
export function lowerAggregate(
  past: TypedPast,
  cmp: IrCompare,
  other: Operand,
  scope: Scope,
  cx: SessionContext,
  line: number,
): IrExpr {
  const monitor = cx.table.forPast(past, packageOf(scope));
  const key = currentKey(past.call.correlations, scope, past.node.span);
  if (key === undefined) return { op: "const", line, value: false };
  const keyed = key.length === 0 ? {} : { key };
  if (past.op === "count") {
    if (other.k !== "const" || typeof other.value !== "number") return { op: "const", line, value: false };
    return { op: "session", line, monitor, query: { kind: "count", windowMs: past.windowMs, ...keyed, cmp, value: other.value } };
  }
  let right: IrNum;
  if (other.k === "const" && typeof other.value === "number") right = { kind: "const", value: other.value };
  else if (other.k === "field" && splitNull(other.type).base.kind === "number" && !splitNull(other.type).nullable) right = { kind: "slot", ref: numRef(other, scope) };
  else {
    unsupported(scope, past.node.span, "sum", "a sum is compared with a number or a number field that is never null");
    return { op: "const", line, value: false };
  }
  return { op: "session", line, monitor, query: { kind: "sum", ...keyed, cmp, right } };
}

/** The scope's package (the rule's): set by program.ts on the scope. */
function packageOf(scope: Scope): string {
  return scope.pkg ?? "";
}

/** `carries L` for this action: any declaration covering it whose condition holds (lowered inline). */
function carriesTest(label: string, scope: Scope, cx: SessionContext, line: number): IrExpr {
  let result: IrExpr = { op: "const", line, value: false };
  for (const decl of cx.table.labels(label)) {
    if (!decl.actions.includes(scope.action.name)) continue;
    const test = decl.condition === undefined ? ({ op: "const", line, value: true } as IrExpr) : cx.lower(decl.condition, { ...scope, bindings: [] });
    result = or(result, test, line);
  }
  return result;
}

function or(a: IrExpr, b: IrExpr, line: number): IrExpr {
  if (a.op === "const") return a.value ? a : b;
  if (b.op === "const") return b.value ? b : a;
  return { op: "or", line, left: a, right: b };
}

function and(a: IrExpr, b: IrExpr, line: number): IrExpr {
  if (a.op === "const") return a.value ? b : a;
  if (b.op === "const") return b.value ? a : b;
  return { op: "and", line, left: a, right: b };
}

/** The current request's side of each correlation, as key parts (undefined: reported, cannot compile). */
function currentKey(correlations: readonly Correlation[], scope: Scope, span: Span): IrKeyPart[] | undefined {
  const parts: IrKeyPart[] = [];
  for (const c of correlations) {
    const part = scalarPart(operandOf(c.current, scope), scope, span);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts;
}

function scalarPart(o: Operand, scope: Scope, span: Span): IrKeyPart | undefined {
  if (o.k !== "field") {
    unsupported(scope, span, "a correlated value", "it must be a field of the request");
    return undefined;
  }
  const base = splitNull(o.type).base;
  if (base.kind === "string") {
    const ref = strRef(o, scope, span);
    return ref === undefined ? undefined : { from: "slot", kind: "str", ref };
  }
  if (base.kind === "number") return { from: "slot", kind: "num", ref: numRef(o, scope) };
  if (base.kind === "boolean") return { from: "slot", kind: "bool", ref: boolRef(o, scope) };
  unsupported(scope, span, o.text, "a correlated value must be a string, a number or a boolean");
  return undefined;
}

// ---------------------------------------------------------------- watches

/**
 * Pass 2, per action: what its recorded calls and reported outcomes do to
 * each monitor, the overflow checks of its decisions, and why it needs the
 * session. `covering` is every rule covering the action, in rule order,
 * with its rule index.
 */
export function actionSession(
  scope: Scope,
  covering: readonly { readonly rule: CheckedRule; readonly index: number }[],
  cx: SessionContext,
): IrActionSession {
  const action = scope.action.name;
  const watches: IrWatch[] = [];
  const staticsOf = (statics: readonly TypedExpr[], line: number, pkg: string): IrExpr =>
    statics.reduce<IrExpr>((acc, s) => and(acc, cx.lower(s, { ...scope, bindings: [], pkg }), line), { op: "const", line, value: true });
  cx.table.entries.forEach((entry, monitor) => {
    const src = entry.source;
    if ("label" in src) {
      let test: IrExpr = { op: "const", line: 0, value: false };
      for (const decl of cx.table.labels(src.label)) {
        if (!decl.actions.includes(action)) continue;
        const line = decl.decl?.span.line ?? 0;
        test = or(test, decl.condition === undefined ? { op: "const", line, value: true } : cx.lower(decl.condition, { ...scope, bindings: [], pkg: decl.package }), line);
      }
      if (!(test.op === "const" && !test.value)) watches.push({ monitor, role: "event", status: STATUS_CODES.allowed, line: 0, condition: test });
      return;
    }
    const e = src;
    const line = e.node.span.line;
    const call = e.call;
    const covered = call.actions.includes(action);
    const status = STATUS_CODES[call.status];
    switch (e.op) {
      case "earlier":
      case "count":
      case "sum": {
        if (!covered) return;
        const keys = pastKey(call.correlations, scope, e.node.span);
        if (keys === undefined) return;
        const amount = e.op === "sum" ? amountOf(e, scope) : undefined;
        watches.push({ monitor, role: "event", status, line, condition: staticsOf(call.statics, line, entry.pkg), ...(keys.length === 0 ? {} : { keys }), ...(amount === undefined ? {} : { amount }) });
        return;
      }
      case "previous": {
        const keys = covered ? pastKey(call.correlations, scope, e.node.span) : [];
        const condition = covered && keys !== undefined ? staticsOf(call.statics, line, entry.pkg) : ({ op: "const", line, value: false } as IrExpr);
        watches.push({ monitor, role: "previous", status, line, condition, ...(keys === undefined || keys.length === 0 ? {} : { keys }) });
        return;
      }
      case "no_since":
      case "only_since": {
        // A breaking event that also anchors anchors: breaks are applied first.
        if (e.op === "no_since" && covered) watches.push({ monitor, role: "break", status, line, condition: staticsOf(call.statics, line, entry.pkg) });
        if (e.op === "only_since") {
          const condition: IrExpr = covered ? negate(staticsOf(call.statics, line, entry.pkg), line) : { op: "const", line, value: true };
          if (!(condition.op === "const" && !condition.value)) watches.push({ monitor, role: "break", status, line, condition });
        }
        const anchor = e.anchor!;
        if (anchor.actions.includes(action)) {
          watches.push({ monitor, role: "anchor", status: STATUS_CODES[anchor.status], line, condition: staticsOf(anchor.statics, line, entry.pkg) });
        }
        return;
      }
    }
  });
  const record = watches.filter((w) => w.role === "previous" || w.status <= STATUS_CODES.refused).filter((w) => !(w.role !== "previous" && w.condition.op === "const" && !w.condition.value));
  const outcome = watches.filter((w) => w.role !== "previous" && w.status > STATUS_CODES.refused).filter((w) => !(w.condition.op === "const" && !w.condition.value));
  const checks: { monitor: number; rule: number }[] = [];
  for (const { rule, index } of covering) {
    for (const m of cx.table.ruleMonitors.get(rule.id) ?? []) {
      if (cx.table.entries[m]?.capacity === undefined || checks.some((c) => c.monitor === m)) continue;
      checks.push({ monitor: m, rule: index });
    }
  }
  const reader = covering.find(({ rule }) => (cx.table.ruleMonitors.get(rule.id) ?? []).length > 0);
  // Watched is a matter of patterns, not of filters (which may fold away): the interpreter's definition.
  const watched = cx.table.entries.some((entry) => {
    const src = entry.source;
    if ("label" in src) return cx.table.labels(src.label).some((l) => l.actions.includes(action));
    if (src.op === "previous" || src.op === "only_since") return true;
    return src.call.actions.includes(action) || (src.anchor?.actions.includes(action) ?? false);
  });
  const needs = reader !== undefined ? { rule: reader.index } : watched ? { watched: true as const } : undefined;
  return { ...(needs === undefined ? {} : { needs }), checks, record, outcome };
}

function negate(e: IrExpr, line: number): IrExpr {
  if (e.op === "const") return { op: "const", line, value: !e.value };
  if (e.op === "not") return e.operand;
  return { op: "not", line, operand: e };
}

/** The past call's side of each correlation, for the recorded call: scalar slots, or each item of one array. */
function pastKey(correlations: readonly Correlation[], scope: Scope, span: Span): IrKeyPart[] | undefined {
  const parts: IrKeyPart[] = [];
  for (const c of correlations) {
    const o = operandOf(c.past, { ...scope, bindings: [] });
    if (c.op === "eq") {
      const part = scalarPart(o, scope, span);
      if (part === undefined) return undefined;
      parts.push(part);
      continue;
    }
    if (o.k !== "field") return undefined;
    const array = arrayRef(o, scope, span);
    if (array === undefined) return undefined;
    const itemType = splitNull(o.type).base;
    const item = itemType.kind === "array" ? splitNull(itemType.items).base : undefined;
    if (item?.kind === "string") {
      if (item.maxLength === undefined) return undefined;
      const slot = scope.slots.slot("str", [], array.slot, { maxBytes: 4 * item.maxLength });
      parts.push({ from: "item", kind: "str", array: array.slot, item: slot });
    } else if (item?.kind === "number") {
      parts.push({ from: "item", kind: "num", array: array.slot, item: scope.slots.slot("num", [], array.slot) });
    } else if (item?.kind === "boolean") {
      parts.push({ from: "item", kind: "bool", array: array.slot, item: scope.slots.slot("bool", [], array.slot) });
    } else return undefined;
  }
  return parts;
}

function amountOf(e: TypedPast, scope: Scope): IrNum {
  const o = operandOf(e.value!, { ...scope, bindings: [] });
  if (o.k === "const") return { kind: "const", value: typeof o.value === "number" ? o.value : 0 };
  if (o.k === "field") return { kind: "slot", ref: numRef(o, scope) };
  return { kind: "const", value: 0 };
}

/** Every status an event can have, by code. */
export const STATUS_NAMES: readonly CallStatus[] = ["allowed", "parked", "refused", "succeeded", "failed", "rolled_back"];
