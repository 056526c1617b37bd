/**
 * The codegen stage's entry: an `IrProgram` → one wasm module with no
 * imports and its manifest in the `agp.manifest` custom section.
 *
 * In: a validated IR program, the manifest's header (compiler version,
 * content hash, bundle version). Out: the optimized binary and the
 * `Manifest` it carries. Must not import binaryen (module.ts does), must
 * optimize once, and must emit a module that imports nothing.
 *
 * Memory: static tables (DFAs, literal strings, bitsets, number sets, the
 * combining tables), then the input region (slot area, string arena), the
 * rule lists (./helpers.ts) and the result region (runtime/abi.ts).
 * Exports: `agp_abi_version`, `agp_input`, `agp_decide(action, flags)` (a
 * br_table on the action id to one function per action), `memory`.
 *
 * One decide function per action: reset the lists; evaluate the agent's
 * rules (always-evaluated ones, then per index only the bucket the input
 * selects), the human's when the request names one and the human side may
 * speak; look the two side codes up in the mode's combining table; write
 * effect, blockedBy, deciding and obligation rules; then, unless denied,
 * the charges of the limits whose condition holds.
 */
import { ABI_VERSION, DEFAULT_REQUEST_BOUNDS, MANIFEST_SECTION, type Manifest, type RequestBounds } from "../../runtime/manifest.js";
import { packManifest } from "../../runtime/load/manifest-wire.js";
import { DECIDE_FLAGS, EFFECT_CODES, EXPORTS, RESULT } from "../../runtime/abi.js";
import type { IrAction, IrExpr, IrProgram, IrRuleUse, IrSide, IrStr, IrWatch } from "../ir/index.js";
import { canonical, compileGlob } from "../lower/index.js";
import { dispatch } from "./br-table.js";
import { combineTable, ENTRY_SIZE } from "./combine-table.js";
import { emitExpr, viewBytes, type ExprContext } from "./emit-expr.js";
import { FunctionBuilder } from "./function-builder.js";
import { addHelpers } from "./helpers.js";
import { emitIndexes } from "./index-emit.js";
import { IndexRuntime, LARGE_FUNCTION } from "./index-runtime.js";
import { createModule, type Expr, type PolicyModule } from "./module.js";
import { placeDfa } from "./static-tables.js";
import { addJsonEntry, jsonLimits } from "./json-entry.js"; // JSON entry point hook
import { addSessionExports, clearAggregates, faultChecks, reserveSession, setNow } from "./session.js";
import { outcomeReads } from "./outcome-reads.js";

/** The manifest fields codegen does not derive from the IR. */
export interface EmitOptions {
  readonly compiler: string;
  readonly hash: string;
  readonly version: string;
  /** Stdlib bytes (default: the build). */
  readonly stdlib?: Uint8Array;
  /** The request bounds (ADR 0008); default DEFAULT_REQUEST_BOUNDS. */
  readonly bounds?: RequestBounds;
  /** The JSON input buffer's size in bytes; default JSON_LIMITS.inputBytes. */
  readonly jsonInputBytes?: number;
}

/** What `emit` returns. */
export interface Emitted {
  readonly wasm: Uint8Array;
  readonly manifest: Manifest;
}

/** Compiles an IR program to a module. */
export function emit(program: IrProgram, options: EmitOptions): Emitted {
  const manifest = manifestOf(program, options);
  const module = createModule(options.stdlib === undefined ? {} : { stdlib: options.stdlib });
  try {
    build(module, program, manifest);
    module.optimize({ light: ruleUses(program) > LIGHT_AFTER });
    return { wasm: module.emitBinary(), manifest };
  } finally {
    module.dispose();
  }
}

/** Past this many rule instances, the module is optimized at -O1 (compile time; see module.ts). */
const LIGHT_AFTER = 2000;

function ruleUses(program: IrProgram): number {
  const side = (s: IrSide) => s.unindexed.length + s.indexed.length;
  return program.actions.reduce((n, a) => n + side(a.agent) + side(a.human), 0);
}

function manifestOf(program: IrProgram, options: EmitOptions): Manifest {
  return {
    abi: ABI_VERSION,
    compiler: options.compiler,
    policy: { hash: options.hash, version: options.version },
    actions: program.actions.map((a) => ({
      name: a.name,
      family: a.family,
      args: a.args,
      slots: a.slots,
      costBound: a.costBound,
      humanCovered: a.humanCovered,
      readOnly: a.readOnly,
      ...(a.session === undefined ? {} : { session: { ...(a.session.needs === undefined ? {} : { needs: a.session.needs }), checks: a.session.checks, reads: outcomeReads(a) } }),
    })),
    rules: program.rules,
    limits: program.limits,
    ...(program.obligations === undefined ? {} : { obligations: program.obligations }),
    request: program.request,
    memory: program.memory,
    json: jsonLimits(options.jsonInputBytes, options.bounds), // JSON entry point hook (json-entry.ts)
    bounds: options.bounds ?? DEFAULT_REQUEST_BOUNDS,
    ...(program.session === undefined
      ? {}
      : {
          session: {
            key: program.session.key,
            stateBytes: program.session.stateBytes,
            layout: program.session.layout,
            retainMs: program.session.retainMs,
            monitors: program.session.monitors.map((m) => ({
              kind: m.kind,
              text: m.text,
              window: m.window,
              offset: m.offset,
              bytes: m.bytes,
              windowMs: m.windowMs,
              ...(m.keyed === undefined ? {} : { capacity: m.keyed.capacity }),
            })),
          },
        }),
  };
}

function build(module: PolicyModule, program: IrProgram, manifest: Manifest): void {
  const c = module.code;
  // A glob's DFA is placed when first used: globs an index replaced by a key need none.
  const placed = new Map<number, number>();
  const dfas = (glob: number): number => {
    let at = placed.get(glob);
    if (at === undefined) {
      const pattern = program.globs[glob]!.pattern;
      const compiled = compileGlob(pattern);
      if (!compiled.ok) throw new Error(`internal error: glob ${JSON.stringify(pattern)} no longer compiles`);
      at = placeDfa(module, compiled.dfa);
      placed.set(glob, at);
    }
    return at;
  };
  const literals = new Map<string, { address: number; length: number }>();
  const literal = (text: string) => {
    let found = literals.get(text);
    if (found === undefined) {
      const bytes = new TextEncoder().encode(text);
      found = { address: module.addData(bytes.length === 0 ? new Uint8Array(1) : bytes, { align: 1, shared: true }), length: bytes.length };
      literals.set(text, found);
    }
    return found;
  };
  const tables = {
    both: module.addData(combineTable("both"), { align: 4 }),
    either: module.addData(combineTable("either"), { align: 4 }),
    agent_only: module.addData(combineTable("agent_only"), { align: 4 }),
    // Placed only when an action uses it, so modules without `human_only` keep their size.
    human_only: program.actions.some((a) => a.mode === "human_only") ? module.addData(combineTable("human_only"), { align: 4 }) : 0,
  };
  const input = module.reserve(program.memory.slotBytes + program.memory.arenaBytes, 8);
  // String views (lower, domain, normpath) write to buffers of their own; one action decides at a time, so actions share them.
  const viewSize = Math.max(0, ...program.actions.map(actionViewBytes));
  const views = viewSize === 0 ? 0 : module.reserve(viewSize, 8);
  const sideRules = (s: IrSide) => s.unindexed.length + s.indexed.length;
  const capacity = Math.max(1, ...program.actions.map((a) => Math.max(sideRules(a.agent), sideRules(a.human))));
  const listSize = 4 + 4 * capacity;
  const lists = module.reserve(6 * listSize, 8);
  const maxLimits = Math.max(0, ...program.actions.map((a) => a.limits.length));
  const result = module.reserve(RESULT.lists + 8 * capacity + 8 + RESULT.chargeSize * maxLimits, 8);
  addHelpers(module, { lists, listSize, result });
  const runtime = new IndexRuntime(module, { lists, listSize, ruleCount: program.rules.length });
  const list = (p: number, e: number) => lists + (p * 3 + e) * listSize;
  const session = program.session === undefined ? undefined : reserveSession(module, program.session, program.actions);
  const contextOf = (m: PolicyModule, action: IrAction, views: ExprContext["views"]): ExprContext => ({
    module: m,
    reads: action.reads,
    input,
    dfas,
    literal,
    views,
    ...(session === undefined ? {} : { session }),
  });

  const names: string[] = [];
  let emptyAdded = false;
  for (const action of program.actions) {
    const empty = sideRules(action.agent) === 0 && sideRules(action.human) === 0 && action.limits.length === 0;
    if (empty) {
      // Every action without rules or limits decides the same: no rule allows it.
      if (!emptyAdded) addDecide(module, "agp_decide_empty", undefined);
      emptyAdded = true;
      names.push("agp_decide_empty");
      continue;
    }
    const name = `agp_decide_${action.id}`;
    addDecide(module, name, action);
    names.push(name);
  }

  function addDecide(m: PolicyModule, name: string, action: IrAction | undefined): void {
    const fn = new FunctionBuilder(["i32"]);
    const body: Expr[] = [];
    for (let k = 0; k < 6; k++) body.push(c.store("i32", c.i32(lists + k * listSize), c.i32(0)));
    let humanCode: Expr = c.i32(4);
    let table = tables.both;
    let fault: number | undefined;
    if (action !== undefined && session !== undefined && action.session !== undefined) {
      body.push(setNow(m, session));
      const clear = clearAggregates(m, session);
      if (clear !== undefined) body.push(clear);
      if (action.session.checks.length > 0) {
        const checks = faultChecks(m, session, action.session, fn);
        body.push(...checks.code);
        fault = checks.fault;
      }
    }
    const viewCursor = { next: views, end: views + viewSize, placed: new Map<IrStr, number>() };
    if (action !== undefined) {
      const cx: ExprContext = contextOf(m, action, viewCursor);
      // Stamps written in this decision must differ from every earlier one's (index-runtime.ts).
      if (action.agent.indexes.length > 0 || action.human.indexes.length > 0) body.push(runtime.bumpEpoch());
      for (const item of emitSide(action.agent, 0, cx, fn, list, action, m, runtime)) body.push(item);
      table = tables[action.mode];
      if (action.humanCovered && action.mode !== "agent_only") {
        const human = emitSide(action.human, 1, cx, fn, list, action, m, runtime);
        const code = fn.local("i32");
        body.push(
          c.if(
            c.i32Op("and", c.local(0, "i32"), c.i32(DECIDE_FLAGS.humanPresent)),
            c.block(null, [...human, c.setLocal(code, c.call("agp_side1", [], "i32"))]),
            c.setLocal(code, c.i32(4)),
          ),
        );
        humanCode = c.local(code, "i32");
      }
    }
    const entry = c.i32Op("add", c.i32(table), c.i32Op("mul", c.i32Op("add", c.i32Op("mul", c.call("agp_side0", [], "i32"), c.i32(5)), humanCode), c.i32(ENTRY_SIZE)));
    const charges = fn.local("i32");
    body.push(c.setLocal(charges, c.call("agp_finish", [entry], "i32")));
    // The session fault (result +20, reserved in ABI 1): the first overflowed check, or 0.
    if (fault !== undefined) body.push(c.store("i32", c.i32(result), c.local(fault, "i32"), RESULT.fault));
    if (action !== undefined && action.limits.length > 0) {
      const cx: ExprContext = contextOf(m, action, viewCursor);
      const count = fn.local("i32");
      const writes: Expr[] = [c.setLocal(count, c.i32(0))];
      for (const limit of action.limits) {
        const amount = limit.amount.kind === "const" ? c.f64(limit.amount.value) : c.load("f64", c.i32(input + action.reads[limit.amount.ref.slot]!.offset));
        writes.push(
          c.if(
            emitExpr(limit.condition, cx, fn),
            c.block(null, [
              c.store("i32", c.local(charges, "i32"), c.i32(limit.limit)),
              c.store("i32", c.local(charges, "i32"), c.i32(0), 4),
              c.store("f64", c.local(charges, "i32"), amount, 8),
              c.setLocal(charges, c.i32Op("add", c.local(charges, "i32"), c.i32(RESULT.chargeSize))),
              c.setLocal(count, c.i32Op("add", c.local(count, "i32"), c.i32(1))),
            ]),
          ),
        );
      }
      writes.push(c.store("i32", c.i32(result), c.local(count, "i32"), RESULT.charges));
      body.push(c.if(c.i32Op("ne", c.load("i32", c.i32(result), RESULT.effect), c.i32(EFFECT_CODES.deny)), c.block(null, writes)));
    }
    body.push(c.i32(result));
    m.addFunction({ name, params: ["i32"], result: "i32", locals: fn.locals, body: c.block(null, body, "i32") });
  }

  runtime.finish();

  // agp_decide(action, flags): one br_table to the action's function.
  {
    const fn = new FunctionBuilder(["i32", "i32"]);
    const calls = names.map((name) => c.return(c.call(name, [c.local(1, "i32")], "i32")));
    module.addFunction({ name: "agp_decide", params: ["i32", "i32"], result: "i32", locals: fn.locals, body: c.block(null, [dispatch(module, fn, c.local(0, "i32"), calls, c.nop()), c.unreachable()], "i32") });
  }
  module.addFunction({ name: "agp_abi_version", params: [], result: "i32", body: c.i32(ABI_VERSION) });
  module.addFunction({ name: "agp_input", params: [], result: "i32", body: c.i32(input) });
  module.exportFunction("agp_abi_version", EXPORTS.abiVersion);
  module.exportFunction("agp_input", EXPORTS.input);
  module.exportFunction("agp_decide", EXPORTS.decide);
  addJsonEntry(module, manifest, input, "agp_decide"); // JSON entry point hook (json-entry.ts)
  if (session !== undefined) {
    addSessionExports(module, session, program.actions, (action) => contextOf(module, action, { next: views, end: views + viewSize, placed: new Map<IrStr, number>() }), emitExpr, (fn, index, arms) => dispatch(module, fn, index, arms, c.nop()));
  }
  module.addCustomSection(MANIFEST_SECTION, new TextEncoder().encode(JSON.stringify(packManifest(manifest))));
}

/**
 * Bytes of view buffers an action's rules and limits need, or its session
 * watches (recorded by their own exports, never during a decision), whichever is more.
 */
function actionViewBytes(action: IrAction): number {
  const side = (s: IrSide) => [...s.unindexed, ...s.indexed].reduce((n, use) => n + viewBytes(use.condition), 0);
  const decide = side(action.agent) + side(action.human) + action.limits.reduce((n, l) => n + viewBytes(l.condition), 0);
  const watches = (ws: readonly IrWatch[]) => ws.reduce((n, w) => n + viewBytes(w.condition), 0);
  const session = action.session === undefined ? 0 : Math.max(watches(action.session.record), watches(action.session.outcome));
  return Math.max(decide, session);
}

type ListOf = (p: number, e: number) => number;
const EFFECT_INDEX = { allow: 0, approve: 1, deny: 2 } as const;

/** Expression nodes of a condition (a walk with its own stack: conditions can be wide). */
function exprSize(e: IrExpr): number {
  let count = 0;
  const work: IrExpr[] = [e];
  while (work.length > 0) {
    const x = work.pop()!;
    count++;
    if (x.op === "and" || x.op === "or") work.push(x.left, x.right);
    else if (x.op === "not") work.push(x.operand);
    else if (x.op === "quantifier") work.push(x.body);
  }
  return count;
}

/** Always-evaluated rules past this many go into functions of this many each (binaryen's passes are superlinear in a function's size). */
const RULES_PER_FUNCTION = 64;

/** One principal's rules: always-evaluated ones, then each index's lookup (index-emit.ts). */
function emitSide(side: IrSide, p: number, cx: ExprContext, fn: FunctionBuilder, list: ListOf, action: IrAction, m: PolicyModule, runtime: IndexRuntime): Expr[] {
  const c = m.code;
  const push = (use: IrRuleUse, own: FunctionBuilder): Expr =>
    c.if(emitExpr(use.condition, cx, own), c.call("agp_push", [c.i32(list(p, EFFECT_INDEX[use.effect])), c.i32(use.rule)], "none"));
  const out: Expr[] = [];
  // A rule of thousands of tests gets a function of its own, optimized cheaply (module.ts `large`).
  const large = side.unindexed.filter((use) => exprSize(use.condition) > LARGE_FUNCTION);
  const small = side.unindexed.filter((use) => !large.includes(use));
  large.forEach((use, k) => {
    const own = new FunctionBuilder([]);
    const name = `agp_rule_${action.id}_${p}_${k}`;
    m.addFunction({ name, params: [], result: "none", locals: own.locals, body: push(use, own), large: true });
    out.push(c.call(name, [], "none"));
  });
  if (small.length <= RULES_PER_FUNCTION) {
    for (const use of small) out.push(push(use, fn));
  } else {
    for (let start = 0; start < small.length; start += RULES_PER_FUNCTION) {
      const own = new FunctionBuilder([]);
      const name = `agp_rules_${action.id}_${p}_${start / RULES_PER_FUNCTION}`;
      const body = c.block(null, small.slice(start, start + RULES_PER_FUNCTION).map((use) => push(use, own)));
      m.addFunction({ name, params: [], result: "none", locals: own.locals, body });
      out.push(c.call(name, [], "none"));
    }
  }
  const residualOf = (k: number, position: number): number => {
    const index = side.indexes[k]!;
    const residual = index.entries[position]!.residual;
    const isTrue = residual.op === "const" && residual.value;
    return runtime.residual(`${action.id}|${index.array ?? -1}|${canonical(residual)}`, isTrue, exprSize(residual), (own) => emitExpr(residual, cx, own));
  };
  out.push(...emitIndexes(side, { module: m, runtime, reads: action.reads, input: cx.input, principal: p, fn, residualOf }));
  return out;
}
