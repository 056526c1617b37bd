/**
 * Session monitors in the module (docs/decisions/0024-session-rules.md;
 * layouts in docs/abi.md, "Sessions"): the session region the host fills,
 * the queries rules make, the overflow checks of a decision, and the
 * exports that start a session and record its calls and outcomes.
 *
 * In: the IR's session (monitors, offsets) and, per action, its watches and
 * queries. Out: reserved memory (region, key scratch, hashes), helper
 * functions (`agp_ring_*`, `agp_bucket_*`), the exports `agp_session`,
 * `agp_session_init`, `agp_session_record`, `agp_session_outcome`, and
 * expressions for queries and checks. Must not import binaryen (module.ts
 * does); must not write outside the session region and its scratch; every
 * loop is bounded by a capacity, a ring size, a bucket count or `maxItems`.
 *
 * `now` of a call is max(the host's now, the last event's time): time never
 * goes backwards in a session. It is kept in the global `agp_now`, set by
 * every decision, record and outcome before anything reads it.
 */
import { SESSION } from "../../runtime/abi.js";
import type { IrAction, IrActionSession, IrExpr, IrKeyPart, IrMonitor, IrNum, IrSession, IrWatch } from "../ir/index.js";
import type { ExprContext } from "./emit-expr.js";
import { FunctionBuilder } from "./function-builder.js";
import type { Expr, PolicyModule } from "./module.js";

/** Where the session lives in memory, and what queries need. */
export interface SessionLayout {
  readonly session: IrSession;
  /** Address of the region: f64 now, then the state. */
  readonly region: number;
  readonly state: number;
  /** Key bytes are built here before hashing. */
  readonly scratch: number;
  /** One event's distinct hashes (array correlations). */
  readonly hashes: number;
  /**
   * Aggregates read once per decision (ADR 0043): an uncorrelated `count`
   * (per monitor and window) or `sum` (per monitor) is computed by its
   * first reader and kept in an f64 cell, so every further rule comparing
   * it with a threshold costs one load and one comparison. `flags` (one
   * byte per cell) are cleared at the start of every decision.
   */
  readonly aggregates: { readonly cells: number; readonly flags: number; readonly count: number; readonly index: ReadonlyMap<string, number> };
}

/** The cache key of an aggregate query: undefined for correlated ones (their value depends on the key read). */
export function aggregateKey(e: Extract<IrExpr, { op: "session" }>): string | undefined {
  const q = e.query;
  if (q.kind === "count" && q.key === undefined) return `count:${String(e.monitor)}:${String(q.windowMs)}`;
  if (q.kind === "sum" && q.key === undefined) return `sum:${String(e.monitor)}`;
  return undefined;
}

/** Every distinct uncorrelated aggregate the actions' rules read (rule conditions and index residuals). */
function aggregatesOf(actions: readonly IrAction[]): Map<string, number> {
  const index = new Map<string, number>();
  const work: IrExpr[] = [];
  for (const action of actions) {
    for (const side of [action.agent, action.human]) {
      for (const use of side.unindexed) work.push(use.condition);
      for (const use of side.indexed) work.push(use.condition);
      for (const ix of side.indexes) for (const entry of ix.entries) work.push(entry.residual);
    }
  }
  while (work.length > 0) {
    const e = work.pop()!;
    if (e.op === "and" || e.op === "or") work.push(e.left, e.right);
    else if (e.op === "not") work.push(e.operand);
    else if (e.op === "quantifier") work.push(e.body);
    else if (e.op === "session") {
      const key = aggregateKey(e);
      if (key !== undefined && !index.has(key)) index.set(key, index.size);
    }
  }
  return index;
}

const NOW = "agp_now";
const KEY_TAG = { str: 1, num: 2, bool: 3 } as const;

/** Reserves the region and scratch, adds the `agp_now` global and the helpers. */
export function reserveSession(module: PolicyModule, session: IrSession, actions: readonly IrAction[]): SessionLayout {
  const region = module.reserve(SESSION.state + session.stateBytes, 8);
  const scratch = module.reserve(session.keyBytes, 8);
  const hashes = module.reserve(8 * session.keyItems, 8);
  const index = aggregatesOf(actions);
  const cells = module.reserve(Math.max(8, 8 * index.size), 8);
  const flags = module.reserve(Math.max(8, index.size), 8);
  module.addGlobal(NOW, "f64", true, 0);
  addHelpers(module);
  return { session, region, state: region + SESSION.state, scratch, hashes, aggregates: { cells, flags, count: index.size, index } };
}

/** Clears the aggregate cells' flags: the second statement of every decision that reads monitors (after `setNow`). */
export function clearAggregates(module: PolicyModule, layout: SessionLayout): Expr | undefined {
  const a = layout.aggregates;
  if (a.count === 0) return undefined;
  return module.code.fillMemory(module.code.i32(a.flags), module.code.i32(0), module.code.i32(a.count));
}

/** An aggregate's value through its cell: computed by the first reader of this decision, loaded by the rest. */
function cached(module: PolicyModule, layout: SessionLayout, key: string | undefined, compute: Expr): Expr {
  const slot = key === undefined ? undefined : layout.aggregates.index.get(key);
  if (slot === undefined) return compute;
  const c = module.code;
  const cell = layout.aggregates.cells + 8 * slot;
  const flag = layout.aggregates.flags + slot;
  return c.block(
    null,
    [
      c.if(c.eqz(c.load("u8", c.i32(flag))), c.block(null, [c.store("f64", c.i32(cell), compute), c.store("u8", c.i32(flag), c.i32(1))])),
      c.load("f64", c.i32(cell)),
    ],
    "f64",
  );
}

/** `agp_now = max(region.now, state.lastEvent)`: the first statement of every session-aware call. */
export function setNow(module: PolicyModule, layout: SessionLayout): Expr {
  const c = module.code;
  return c.setGlobal(NOW, c.f64Op("max", c.load("f64", c.i32(layout.region), SESSION.now), c.load("f64", c.i32(layout.state), SESSION.lastEventAt)));
}

function now(module: PolicyModule): Expr {
  return module.code.global(NOW, "f64");
}

/**
 * The overflow checks of an action's decision: a local holding 0, or k + 1
 * for the first of `checks` whose monitor lost an event still within its
 * window. Returns the statements and the local.
 */
export function faultChecks(module: PolicyModule, layout: SessionLayout, part: IrActionSession, fn: FunctionBuilder): { code: Expr[]; fault: number } {
  const c = module.code;
  const fault = fn.local("i32");
  const code: Expr[] = [c.setLocal(fault, c.i32(0))];
  // Latest first, so the first failing check is what stays.
  for (let k = part.checks.length - 1; k >= 0; k--) {
    const monitor = layout.session.monitors[part.checks[k]!.monitor]!;
    const base = layout.state + monitor.offset;
    code.push(c.if(liveAt(module, monitor, c.load("f64", c.i32(base), 0)), c.setLocal(fault, c.i32(k + 1))));
  }
  return { code, fault };
}

/** Whether an event at time `t` still counts now for this monitor (window, or buckets for sums). */
function liveAt(module: PolicyModule, monitor: IrMonitor, t: Expr): Expr {
  const c = module.code;
  if (monitor.buckets !== undefined) {
    const step = c.f64(monitor.buckets.stepMs);
    return c.f64Op("le", c.f64Op("sub", c.floor(c.f64Op("div", now(module), step)), c.floor(c.f64Op("div", t, step))), c.f64(monitor.buckets.n));
  }
  return c.f64Op("lt", c.f64Op("sub", now(module), t), c.f64(monitor.windowMs));
}

// ---------------------------------------------------------------- queries

/** A query of a monitor by a rule (an i32 0 / 1). */
export function emitQuery(e: Extract<IrExpr, { op: "session" }>, cx: ExprContext, fn: FunctionBuilder): Expr {
  const m = cx.module;
  const c = m.code;
  const layout = cx.session!;
  const monitor = layout.session.monitors[e.monitor]!;
  const base = layout.state + monitor.offset;
  const q = e.query;
  const within = (t: Expr, windowMs: number) => c.f64Op("lt", c.f64Op("sub", now(m), t), c.f64(windowMs));
  // A keyed monitor's entry for the current key (0: none).
  const entry = (key: readonly IrKeyPart[]): Expr =>
    c.callStdlib("keyed_find", [c.i32(base), c.i32(monitor.keyed!.entryBytes), hashKey(key, cx, fn)]);
  switch (q.kind) {
    case "within": {
      if (q.key === undefined) return within(c.load("f64", c.i32(base)), q.windowMs);
      const e1 = fn.local("i32");
      return c.if(c.teeLocal(e1, entry(q.key), "i32"), within(c.load("f64", c.local(e1, "i32"), 8), q.windowMs), c.i32(0));
    }
    case "previous": {
      const status =
        q.status <= 2
          ? c.i32Op("eq", c.load("i32", c.i32(layout.state), SESSION.lastEffectAt), c.i32(q.status))
          : c.i32Op("ne", c.i32Op("and", c.load("i32", c.i32(layout.state), SESSION.lastOutcomeAt), c.i32(1 << (q.status - 3))), c.i32(0));
      let test = c.if(within(c.load("f64", c.i32(layout.state), SESSION.lastCallAt), q.windowMs), c.if(c.load("i32", c.i32(base)), status, c.i32(0)), c.i32(0));
      if (q.key !== undefined) test = c.if(test, c.i64Op("eq", c.load("i64", c.i32(base), 8), hashKey(q.key, cx, fn)), c.i32(0));
      return test;
    }
    case "since":
      return c.if(within(c.load("f64", c.i32(base)), q.windowMs), c.eqz(c.load("i32", c.i32(base), 8)), c.i32(0));
    case "count": {
      const ring = (p: Expr) => c.call("agp_ring_count", [p, now(m), c.f64(q.windowMs)], "i32");
      let count: Expr;
      if (q.key === undefined) count = ring(c.i32(base));
      else {
        const e1 = fn.local("i32");
        count = c.if(c.teeLocal(e1, entry(q.key), "i32"), ring(c.i32Op("add", c.local(e1, "i32"), c.i32(16))), c.i32(0));
      }
      return c.f64Op(F64[q.cmp], cached(m, layout, aggregateKey(e), c.convert("f64.convert_i32_u", count)), c.f64(q.value));
    }
    case "sum": {
      const b = monitor.buckets!;
      const sum = (p: Expr) => c.call("agp_bucket_sum", [p, now(m), c.f64(b.stepMs), c.f64(b.n)], "f64");
      let total: Expr;
      if (q.key === undefined) total = sum(c.i32(base));
      else {
        const e1 = fn.local("i32");
        total = c.if(c.teeLocal(e1, entry(q.key), "i32"), sum(c.i32Op("add", c.local(e1, "i32"), c.i32(16))), c.f64(0));
      }
      return c.f64Op(F64[q.cmp], cached(m, layout, aggregateKey(e), total), num(q.right, cx));
    }
  }
}

const F64 = { "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" } as const;

function num(n: IrNum, cx: ExprContext): Expr {
  const c = cx.module.code;
  return n.kind === "const" ? c.f64(n.value) : c.load("f64", c.i32(cx.input + cx.reads[n.ref.slot]!.offset));
}

/**
 * The SipHash of a key (the session's key): the parts are written to the
 * scratch as tag, then a u32 length and the bytes (strings), the f64 (-0 as
 * 0) or one byte (booleans). `item` gives an array item's address for an
 * `item` part.
 */
function hashKey(parts: readonly IrKeyPart[], cx: ExprContext, fn: FunctionBuilder, item?: () => Expr): Expr {
  const m = cx.module;
  const c = m.code;
  const layout = cx.session!;
  const at = fn.local("i32");
  const code: Expr[] = [c.setLocal(at, c.i32(layout.scratch))];
  const p = () => c.local(at, "i32");
  const advance = (n: Expr) => c.setLocal(at, c.i32Op("add", p(), n));
  for (const part of parts) {
    const read = cx.reads[part.from === "slot" ? part.ref.slot : part.item]!;
    // The value's address: a slot of the request (or of a quantifier's item), or of the array item given.
    const address = (extra: number): [Expr, number] => {
      if (part.from === "item") return [item!(), read.offset + extra];
      if (part.ref.binding === 0) return [c.i32(cx.input + read.offset), extra];
      return [c.local(fn.items.get(part.ref.binding)!, "i32"), read.offset + extra];
    };
    code.push(c.store("u8", p(), c.i32(KEY_TAG[part.kind])));
    if (part.kind === "str") {
      const [a, o] = address(0);
      const [a2, o2] = address(4);
      const len = fn.local("i32");
      code.push(
        c.setLocal(len, c.load("i32", a2, o2)),
        c.store("i32", p(), c.local(len, "i32"), 1),
        c.copyMemory(c.i32Op("add", p(), c.i32(5)), c.load("i32", a, o), c.local(len, "i32")),
        advance(c.i32Op("add", c.local(len, "i32"), c.i32(5))),
      );
    } else if (part.kind === "num") {
      const [a, o] = address(0);
      code.push(c.store("f64", p(), c.f64Op("add", c.load("f64", a, o), c.f64(0)), 1), advance(c.i32(9)));
    } else {
      const [a, o] = address(0);
      code.push(c.store("u8", p(), c.load("i32", a, o), 1), advance(c.i32(2)));
    }
  }
  const key0 = c.load("i64", c.i32(layout.state), SESSION.keyAt);
  const key1 = c.load("i64", c.i32(layout.state), SESSION.keyAt + 8);
  code.push(c.callStdlib("siphash", [key0, key1, c.i32(layout.scratch), c.i32Op("sub", p(), c.i32(layout.scratch))]));
  return c.block(null, code, "i64");
}

// ---------------------------------------------------------------- recording

/**
 * Applies an action's watches for one event: `status` (a local) is the
 * event's status code; `previous` watches apply to every call.
 */
function applyWatches(watches: readonly IrWatch[], status: number, cx: ExprContext, fn: FunctionBuilder, emitCondition: (e: IrExpr) => Expr): Expr[] {
  const m = cx.module;
  const c = m.code;
  const layout = cx.session!;
  const out: Expr[] = [];
  for (const w of watches) {
    const monitor = layout.session.monitors[w.monitor]!;
    const base = layout.state + monitor.offset;
    const condition = emitCondition(w.condition);
    if (w.role === "previous") {
      const matched = fn.local("i32");
      out.push(c.setLocal(matched, condition), c.store("i32", c.i32(base), c.local(matched, "i32")));
      if (w.keys !== undefined) out.push(c.store("i64", c.i32(base), c.if(c.local(matched, "i32"), hashKey(w.keys, cx, fn), c.i64(0n)), 8));
      continue;
    }
    const when = c.i32Op("and", c.i32Op("eq", c.local(status, "i32"), c.i32(w.status)), condition);
    if (w.role === "anchor") {
      out.push(c.if(when, c.block(null, [c.store("f64", c.i32(base), now(m)), c.store("i32", c.i32(base), c.i32(0), 8)])));
      continue;
    }
    if (w.role === "break") {
      out.push(c.if(when, c.store("i32", c.i32(base), c.i32(1), 8)));
      continue;
    }
    out.push(c.if(when, eventUpdate(w, monitor, base, cx, fn)));
  }
  return out;
}

/** A matching event: the monitor's update, once per distinct key (one key when it does not correlate). */
function eventUpdate(w: IrWatch, monitor: IrMonitor, base: number, cx: ExprContext, fn: FunctionBuilder): Expr {
  const m = cx.module;
  const c = m.code;
  const amount = w.amount === undefined ? c.f64(0) : num(w.amount, cx);
  const payload = (p: Expr): Expr => {
    if (monitor.kind === "count") return c.call("agp_ring_push", [p, c.i32(monitor.ring!), now(m)], "none");
    if (monitor.kind === "sum") {
      const b = monitor.buckets!;
      return c.call("agp_bucket_add", [p, now(m), c.f64(b.stepMs), c.f64(b.n), amount], "none");
    }
    return c.nop();
  };
  if (monitor.keyed === undefined) {
    if (monitor.kind === "last") return c.store("f64", c.i32(base), now(m));
    return payload(c.i32(base));
  }
  const keyed = monitor.keyed;
  const step = monitor.buckets?.stepMs ?? 0;
  const window = monitor.buckets === undefined ? monitor.windowMs : monitor.buckets.n * monitor.buckets.stepMs;
  const insert = (hash: Expr): Expr => {
    const e = fn.local("i32");
    const made = c.teeLocal(e, c.callStdlib("keyed_insert", [c.i32(base), c.i32(keyed.capacity), c.i32(keyed.entryBytes), hash, now(m), c.f64(window), c.f64(step)]), "i32");
    return monitor.kind === "last" ? c.drop(made) : c.if(made, payload(c.i32Op("add", c.local(e, "i32"), c.i32(16))));
  };
  const keys = w.keys ?? [];
  const itemPart = keys.find((k) => k.from === "item");
  if (itemPart === undefined || itemPart.from !== "item") return insert(hashKey(keys, cx, fn));
  // One key per distinct item: hash each, skip a hash this event already had.
  const layout = cx.session!;
  const array = cx.reads[itemPart.array]!;
  const count = fn.local("i32");
  const i = fn.local("i32");
  const n = fn.local("i32");
  const j = fn.local("i32");
  const h = fn.local("i64");
  const seen = fn.local("i32");
  const done = fn.label("keys_done");
  const next = fn.label("keys_next");
  const scanDone = fn.label("seen_done");
  const scanNext = fn.label("seen_next");
  const itemAddress = () => c.i32Op("add", c.i32(cx.input + array.itemsOffset!), c.i32Op("mul", c.local(i, "i32"), c.i32(array.stride!)));
  return c.block(null, [
    c.setLocal(count, c.load("i32", c.i32(cx.input + array.offset))),
    c.setLocal(i, c.i32(0)),
    c.setLocal(n, c.i32(0)),
    c.block(done, [
      c.loop(
        next,
        c.block(null, [
          c.br(done, c.i32Op("ge_u", c.local(i, "i32"), c.local(count, "i32"))),
          c.setLocal(h, hashKey(keys, cx, fn, itemAddress)),
          c.setLocal(seen, c.i32(0)),
          c.setLocal(j, c.i32(0)),
          c.block(scanDone, [
            c.loop(
              scanNext,
              c.block(null, [
                c.br(scanDone, c.i32Op("ge_u", c.local(j, "i32"), c.local(n, "i32"))),
                c.if(c.i64Op("eq", c.load("i64", c.i32Op("add", c.i32(layout.hashes), c.i32Op("shl", c.local(j, "i32"), c.i32(3)))), c.local(h, "i64")), c.block(null, [c.setLocal(seen, c.i32(1)), c.br(scanDone)])),
                c.setLocal(j, c.i32Op("add", c.local(j, "i32"), c.i32(1))),
                c.br(scanNext),
              ]),
            ),
          ]),
          c.if(
            c.eqz(c.local(seen, "i32")),
            c.block(null, [
              c.store("i64", c.i32Op("add", c.i32(layout.hashes), c.i32Op("shl", c.local(n, "i32"), c.i32(3))), c.local(h, "i64")),
              c.setLocal(n, c.i32Op("add", c.local(n, "i32"), c.i32(1))),
              insert(c.local(h, "i64")),
            ]),
          ),
          c.setLocal(i, c.i32Op("add", c.local(i, "i32"), c.i32(1))),
          c.br(next),
        ]),
      ),
    ]),
  ]);
}

/**
 * The exports: `agp_session`, `agp_session_init`, and `agp_session_record`
 * / `agp_session_outcome`, each a br_table on the action id to the action's
 * recording function (one shared function for actions nothing watches).
 */
export function addSessionExports(
  module: PolicyModule,
  layout: SessionLayout,
  actions: readonly IrAction[],
  context: (action: IrAction) => ExprContext,
  emitCondition: (e: IrExpr, cx: ExprContext, fn: FunctionBuilder) => Expr,
  dispatch: (fn: FunctionBuilder, index: Expr, arms: readonly Expr[]) => Expr,
): void {
  const c = module.code;
  const state = layout.state;
  module.addFunction({ name: "agp_session", params: [], result: "i32", body: c.i32(layout.region) });
  module.exportFunction("agp_session", "agp_session");

  // init: everything after the key zeroed, then the header and the monitors' "never" times.
  {
    const session = layout.session;
    const body: Expr[] = [
      c.fillMemory(c.i32(state + SESSION.lastEventAt), c.i32(0), c.i32(session.stateBytes - SESSION.lastEventAt)),
      c.store("i32", c.i32(state), c.i32(SESSION.magic), SESSION.magicAt),
      c.store("i32", c.i32(state), c.i32(session.stateBytes), SESSION.stateBytesAt),
      c.store("i32", c.i32(state), c.i32(Number.parseInt(session.layout, 16) | 0), SESSION.layoutAt),
      c.store("i32", c.i32(state), c.i32(0), SESSION.callsAt),
      c.store("f64", c.i32(state), c.f64(Number.NEGATIVE_INFINITY), SESSION.lastEventAt),
      c.store("f64", c.i32(state), c.f64(Number.NEGATIVE_INFINITY), SESSION.lastCallAt),
    ];
    for (const monitor of session.monitors) {
      const base = state + monitor.offset;
      if (monitor.keyed !== undefined || (monitor.kind === "last" && monitor.keyed === undefined) || monitor.kind === "since") {
        body.push(c.store("f64", c.i32(base), c.f64(Number.NEGATIVE_INFINITY)));
      }
    }
    module.addFunction({ name: "agp_session_init", params: [], result: "none", body: c.block(null, body) });
    module.exportFunction("agp_session_init", "agp_session_init");
  }

  const recorders: { record: string; outcome: string }[] = [];
  const header = (kind: "record" | "outcome", fn: FunctionBuilder): Expr[] =>
    kind === "record"
      ? [
          c.store("i32", c.i32(state), c.i32Op("add", c.load("i32", c.i32(state), SESSION.callsAt), c.i32(1)), SESSION.callsAt),
          c.store("f64", c.i32(state), now(module), SESSION.lastEventAt),
          c.store("f64", c.i32(state), now(module), SESSION.lastCallAt),
          c.store("i32", c.i32(state), c.local(0, "i32"), SESSION.lastEffectAt),
          c.store("i32", c.i32(state), c.i32(0), SESSION.lastOutcomeAt),
        ]
      : [
          c.store("f64", c.i32(state), now(module), SESSION.lastEventAt),
          c.if(c.i32Op("eq", c.local(1, "i32"), c.load("i32", c.i32(state), SESSION.callsAt)), c.store("i32", c.i32(state), c.i32Op("or", c.load("i32", c.i32(state), SESSION.lastOutcomeAt), c.i32Op("shl", c.i32(1), c.i32Op("sub", c.local(0, "i32"), c.i32(1)))), SESSION.lastOutcomeAt)),
        ].map((e) => {
          void fn;
          return e;
        });
  const add = (name: string, kind: "record" | "outcome", action: IrAction | undefined) => {
    const params = kind === "record" ? ["i32"] as const : ["i32", "i32"] as const;
    const fn = new FunctionBuilder(params);
    const status = fn.local("i32");
    const body: Expr[] = [setNow(module, layout)];
    // record: status = effect; outcome: status = outcome + 2 (succeeded 3, failed 4, rolled_back 5).
    body.push(c.setLocal(status, kind === "record" ? c.local(0, "i32") : c.i32Op("add", c.local(0, "i32"), c.i32(2))));
    if (action?.session !== undefined) {
      const cx = context(action);
      const watches = kind === "record" ? action.session.record : action.session.outcome;
      body.push(...applyWatches(watches, status, cx, fn, (e) => emitCondition(e, cx, fn)));
    }
    body.push(...header(kind, fn), c.i32(0));
    module.addFunction({ name, params: [...params], result: "i32", locals: fn.locals, body: c.block(null, body, "i32") });
  };
  add("agp_record_none", "record", undefined);
  add("agp_outcome_none", "outcome", undefined);
  for (const action of actions) {
    const s = action.session;
    const record = s !== undefined && s.record.length > 0 ? `agp_record_${action.id}` : "agp_record_none";
    const outcome = s !== undefined && s.outcome.length > 0 ? `agp_outcome_${action.id}` : "agp_outcome_none";
    if (record !== "agp_record_none") add(record, "record", action);
    if (outcome !== "agp_outcome_none") add(outcome, "outcome", action);
    recorders.push({ record, outcome });
  }
  {
    const fn = new FunctionBuilder(["i32", "i32"]);
    const arms = recorders.map((r) => c.return(c.call(r.record, [c.local(1, "i32")], "i32")));
    module.addFunction({ name: "agp_session_record", params: ["i32", "i32"], result: "i32", locals: fn.locals, body: c.block(null, [dispatch(fn, c.local(0, "i32"), arms), c.i32(-1)], "i32") });
    module.exportFunction("agp_session_record", "agp_session_record");
  }
  {
    const fn = new FunctionBuilder(["i32", "i32", "i32"]);
    const arms = recorders.map((r) => c.return(c.call(r.outcome, [c.local(1, "i32"), c.local(2, "i32")], "i32")));
    module.addFunction({ name: "agp_session_outcome", params: ["i32", "i32", "i32"], result: "i32", locals: fn.locals, body: c.block(null, [dispatch(fn, c.local(0, "i32"), arms), c.i32(-1)], "i32") });
    module.exportFunction("agp_session_outcome", "agp_session_outcome");
  }
}

// ---------------------------------------------------------------- helpers

/**
 * - `agp_ring_push(p, K, t)`: a ring of K times at p: u32 head, u32 size, f64 times.
 * - `agp_ring_count(p, now, W) → i32`: how many of its times are within W.
 * - `agp_bucket_add(p, t, step, n, x)`: adds x to t's bucket (slot b mod (n+1) holds bucket b + 1 and its sum).
 * - `agp_bucket_sum(p, now, step, n) → f64`: the sum of the n + 1 buckets up to now's, oldest first.
 */
function addHelpers(module: PolicyModule): void {
  const c = module.code;
  const get = (i: number, t: "i32" | "f64" = "i32") => c.local(i, t);
  {
    // (p, K, t)
    const head = c.load("i32", get(0));
    module.addFunction({
      name: "agp_ring_push",
      params: ["i32", "i32", "f64"],
      result: "none",
      locals: ["i32"],
      body: c.block(null, [
        c.setLocal(3, head),
        c.store("f64", c.i32Op("add", get(0), c.i32Op("shl", get(3), c.i32(3))), get(2, "f64"), 8),
        c.store("i32", get(0), c.i32Op("rem_u", c.i32Op("add", get(3), c.i32(1)), get(1))),
        c.store("i32", get(0), c.select(c.i32Op("lt_u", c.load("i32", get(0), 4), get(1)), c.i32Op("add", c.load("i32", get(0), 4), c.i32(1)), get(1)), 4),
      ]),
    });
  }
  {
    // (p, now, W) → count; locals: i (3), n (4), size (5)
    module.addFunction({
      name: "agp_ring_count",
      params: ["i32", "f64", "f64"],
      result: "i32",
      locals: ["i32", "i32", "i32"],
      body: c.block(
        null,
        [
          c.setLocal(5, c.load("i32", get(0), 4)),
          c.setLocal(3, c.i32(0)),
          c.setLocal(4, c.i32(0)),
          c.block("ring_done", [
            c.loop(
              "ring_next",
              c.block(null, [
                c.br("ring_done", c.i32Op("ge_u", get(3), get(5))),
                c.if(
                  c.f64Op("lt", c.f64Op("sub", get(1, "f64"), c.load("f64", c.i32Op("add", get(0), c.i32Op("shl", get(3), c.i32(3))), 8)), get(2, "f64")),
                  c.setLocal(4, c.i32Op("add", get(4), c.i32(1))),
                ),
                c.setLocal(3, c.i32Op("add", get(3), c.i32(1))),
                c.br("ring_next"),
              ]),
            ),
          ]),
          get(4),
        ],
        "i32",
      ),
    });
  }
  // slot address of bucket b (an f64 local) in p: p + 16·(b − (n+1)·floor(b / (n+1)))
  const slotOf = (p: Expr, b: () => Expr, n: () => Expr): Expr => {
    // Expressions are trees: every use builds its own node.
    const size = () => c.f64Op("add", n(), c.f64(1));
    const index = c.f64Op("sub", b(), c.f64Op("mul", size(), c.floor(c.f64Op("div", b(), size()))));
    return c.i32Op("add", p, c.i32Op("shl", c.convert("i32.trunc_sat_f64_s", index), c.i32(4)));
  };
  {
    // (p, t, step, n, x); locals: b (5 f64), slot (6 i32)
    module.addFunction({
      name: "agp_bucket_add",
      params: ["i32", "f64", "f64", "f64", "f64"],
      result: "none",
      locals: ["f64", "i32"],
      body: c.block(null, [
        c.setLocal(5, c.floor(c.f64Op("div", get(1, "f64"), get(2, "f64")))),
        c.setLocal(6, slotOf(get(0), () => get(5, "f64"), () => get(3, "f64"))),
        c.if(
          c.f64Op("ne", c.load("f64", get(6)), c.f64Op("add", get(5, "f64"), c.f64(1))),
          c.block(null, [c.store("f64", get(6), c.f64Op("add", get(5, "f64"), c.f64(1))), c.store("f64", get(6), c.f64(0), 8)]),
        ),
        c.store("f64", get(6), c.f64Op("add", c.load("f64", get(6), 8), get(4, "f64")), 8),
      ]),
    });
  }
  {
    // (p, now, step, n) → f64; locals: b (4 f64), last (5 f64), total (6 f64), slot (7 i32)
    module.addFunction({
      name: "agp_bucket_sum",
      params: ["i32", "f64", "f64", "f64"],
      result: "f64",
      locals: ["f64", "f64", "f64", "i32"],
      body: c.block(
        null,
        [
          c.setLocal(5, c.floor(c.f64Op("div", get(1, "f64"), get(2, "f64")))),
          c.setLocal(4, c.f64Op("sub", get(5, "f64"), get(3, "f64"))),
          c.setLocal(6, c.f64(0)),
          c.block("sum_done", [
            c.loop(
              "sum_next",
              c.block(null, [
                c.br("sum_done", c.f64Op("gt", get(4, "f64"), get(5, "f64"))),
                c.setLocal(7, slotOf(get(0), () => get(4, "f64"), () => get(3, "f64"))),
                c.if(c.f64Op("eq", c.load("f64", get(7)), c.f64Op("add", get(4, "f64"), c.f64(1))), c.setLocal(6, c.f64Op("add", get(6, "f64"), c.load("f64", get(7), 8)))),
                c.setLocal(4, c.f64Op("add", get(4, "f64"), c.f64(1))),
                c.br("sum_next"),
              ]),
            ),
          ]),
          get(6, "f64"),
        ],
        "f64",
      ),
    });
  }
}
