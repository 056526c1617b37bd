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
import { DECIDE_FLAGS, EFFECT_CODES, EXPORTS, RESULT } from "../../runtime/abi.js";
import type { IrAction, IrProgram, IrRuleUse, IrSide } from "../ir/index.js";
import { buildStringSet, compileGlob } from "../lower/index.js";
import { combineTable, ENTRY_SIZE } from "./combine-table.js";
import { emitExpr, type ExprContext } from "./emit-expr.js";
import { FunctionBuilder } from "./function-builder.js";
import { addHelpers } from "./helpers.js";
import { createModule, type Expr, type PolicyModule } from "./module.js";
import { placeDfa, placeHashSet } from "./static-tables.js";
import { addJsonEntry, jsonLimits } from "./json-entry.js"; // JSON entry point hook

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
  const side = (s: IrSide) => s.unindexed.length + s.indexes.reduce((n, i) => n + i.rules.length, 0);
  return program.actions.reduce((n, a) => n + side(a.agent) + side(a.human), 0);
}

function manifestOf(program: IrProgram, options: EmitOptions): Manifest {
  return {
    abi: ABI_VERSION,
    compiler: options.compiler,
    policy: { hash: options.hash, version: options.version },
    actions: program.actions.map((a) => ({ name: a.name, family: a.family, args: a.args, slots: a.slots, costBound: a.costBound, humanCovered: a.humanCovered, readOnly: a.readOnly })),
    rules: program.rules,
    limits: program.limits,
    request: program.request,
    memory: program.memory,
    json: jsonLimits(options.jsonInputBytes, options.bounds), // JSON entry point hook (json-entry.ts)
    bounds: options.bounds ?? DEFAULT_REQUEST_BOUNDS,
  };
}

function build(module: PolicyModule, program: IrProgram, manifest: Manifest): void {
  const c = module.code;
  const dfas = program.globs.map((g) => {
    const compiled = compileGlob(g.pattern);
    if (!compiled.ok) throw new Error(`internal error: glob ${JSON.stringify(g.pattern)} no longer compiles`);
    return placeDfa(module, compiled.dfa);
  });
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
  };
  const input = module.reserve(program.memory.slotBytes + program.memory.arenaBytes, 8);
  const sideRules = (s: IrSide) => s.unindexed.length + s.indexes.reduce((n, i) => n + i.rules.length, 0);
  const capacity = Math.max(1, ...program.actions.map((a) => Math.max(sideRules(a.agent), sideRules(a.human))));
  const listSize = 4 + 4 * capacity;
  const lists = module.reserve(6 * listSize, 8);
  const maxLimits = Math.max(0, ...program.actions.map((a) => a.limits.length));
  const result = module.reserve(RESULT.lists + 8 * capacity + 8 + RESULT.chargeSize * maxLimits, 8);
  addHelpers(module, { lists, listSize, result });
  const list = (p: number, e: number) => lists + (p * 3 + e) * listSize;

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
    if (action !== undefined) {
      const cx: ExprContext = { module: m, reads: action.reads, input, dfas, literal };
      for (const item of emitSide(action.agent, 0, cx, fn, list, action, m)) body.push(item);
      table = tables[action.mode];
      if (action.humanCovered && action.mode !== "agent_only") {
        const human = emitSide(action.human, 1, cx, fn, list, action, m);
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
    if (action !== undefined && action.limits.length > 0) {
      const cx: ExprContext = { module: m, reads: action.reads, input, dfas, literal };
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
  module.addCustomSection(MANIFEST_SECTION, new TextEncoder().encode(JSON.stringify(manifest)));
}

type ListOf = (p: number, e: number) => number;
const EFFECT_INDEX = { allow: 0, approve: 1, deny: 2 } as const;

/** One principal's rules: always-evaluated ones, then each index's selected bucket. */
function emitSide(side: IrSide, p: number, cx: ExprContext, fn: FunctionBuilder, list: ListOf, action: IrAction, m: PolicyModule): Expr[] {
  const c = m.code;
  const push = (use: IrRuleUse, test: Expr): Expr => c.if(test, c.call("agp_push", [c.i32(list(p, EFFECT_INDEX[use.effect])), c.i32(use.rule)], "none"));
  const out: Expr[] = side.unindexed.map((use) => push(use, emitExpr(use.condition, cx, fn)));
  side.indexes.forEach((index, k) => {
    // A rule in many buckets (`in` a large set) gets its own function, so its code is not repeated.
    // Ids whose buckets hold the same rules (`in {"a", "b"}`) share one arm: key → group → arm.
    const groups = new Map<string, { rules: readonly number[]; ids: number[] }>();
    for (const bucket of index.buckets) {
      const key = "id" in bucket ? bucket.rules.join(",") : `prefix:${bucket.prefix}`;
      const group = groups.get(key) ?? { rules: bucket.rules, ids: [] };
      groups.set(key, group);
      if ("id" in bucket) group.ids.push(bucket.id);
    }
    const seen = new Map<number, number>();
    for (const group of groups.values()) for (const position of group.rules) seen.set(position, (seen.get(position) ?? 0) + 1);
    const test = (position: number, own: FunctionBuilder): Expr => {
      const use = index.rules[position]!;
      if ((seen.get(position) ?? 0) <= SHARE_AFTER) return emitExpr(use.condition, cx, own);
      const name = `agp_rule_${action.id}_${p}_${k}_${position}`;
      const shared = sharedFunctions.get(m) ?? new Set<string>();
      sharedFunctions.set(m, shared);
      if (!shared.has(name)) {
        const fb = new FunctionBuilder([]);
        m.addFunction({ name, params: [], result: "i32", locals: fb.locals, body: emitExpr(use.condition, cx, fb) });
        shared.add(name);
      }
      return c.call(name, [], "i32");
    };
    const arm = (rules: readonly number[]) => (own: FunctionBuilder): Expr => c.block(null, rules.map((position) => push(index.rules[position]!, test(position, own))));
    const read = action.reads[index.slot]!;
    const prefix = `agp_index_${action.id}_${p}_${k}`;
    if (index.kind === "sym") {
      const size = index.buckets.reduce((m, bucket) => Math.max(m, bucket.id), -Infinity) + 1;
      const key = c.load("i32", c.i32(cx.input + read.offset));
      if (groups.size === index.buckets.length) {
        const byId = new Map(index.buckets.map((bucket) => [bucket.id, arm(bucket.rules)]));
        out.push(chunked(m, fn, key, Array.from({ length: size }, (_, id) => byId.get(id)), prefix));
        return;
      }
      // One u32 per dictionary id: its group, or 0xFFFFFFFF (no rule), which the bounds check skips.
      const groupOf = new Uint32Array(size).fill(0xffffffff);
      const arms = [...groups.values()].map((group, g) => {
        for (const id of group.ids) groupOf[id] = g;
        return arm(group.rules);
      });
      const table = m.addData(new Uint8Array(groupOf.buffer), { align: 4 });
      const v = fn.local("i32");
      const group = c.if(
        c.i32Op("lt_u", c.teeLocal(v, key, "i32"), c.i32(size)),
        c.load("i32", c.i32Op("add", c.i32Op("shl", c.local(v, "i32"), c.i32(2)), c.i32(table))),
        c.i32(-1),
      );
      out.push(chunked(m, fn, group, arms, prefix));
      return;
    }
    // Prefix index: per literal length, one hash lookup of the input's prefix of that length.
    const byLength = new Map<number, { prefix: string; rules: readonly number[] }[]>();
    for (const bucket of index.buckets) {
      const length = new TextEncoder().encode(bucket.prefix).length;
      byLength.set(length, [...(byLength.get(length) ?? []), bucket]);
    }
    const ptr = () => c.load("i32", c.i32(cx.input + read.offset));
    const len = () => c.load("i32", c.i32(cx.input + read.offset + 4));
    for (const [length, buckets] of [...byLength].sort((a, b) => a[0] - b[0])) {
      const table = placeHashSet(m, buildStringSet(buckets.map((bucket) => bucket.prefix)));
      const lookup = c.callStdlib("set_lookup", [c.i32(table), ptr(), c.i32(length)]);
      out.push(c.if(c.i32Op("ge_u", len(), c.i32(length)), chunked(m, fn, lookup, buckets.map((bucket) => arm(bucket.rules)), `${prefix}_${length}`)));
    }
  });
  return out;
}

/** Per module: rule functions already added. */
const sharedFunctions = new WeakMap<PolicyModule, Set<string>>();

/** A rule in more buckets than this gets its own function. */
const SHARE_AFTER = 4;
/** Buckets per chunk function: a br_table this wide nests this many blocks. */
const CHUNK = 64;

/**
 * Dispatch on a key to bucket code: keys are grouped in chunks of 64, each
 * chunk a function `(key) → none` in the module's table holding a br_table
 * over its buckets; the caller makes one bounds check and one indirect call.
 * Few, mid-sized functions keep the optimizer linear in the rules.
 */
function chunked(m: PolicyModule, fn: FunctionBuilder, key: Expr, arms: readonly (((own: FunctionBuilder) => Expr) | undefined)[], prefix: string): Expr {
  const c = m.code;
  const names: string[] = [];
  for (let start = 0; start < arms.length; start += CHUNK) {
    const own = new FunctionBuilder(["i32"]);
    const slice = arms.slice(start, start + CHUNK).map((a) => (a === undefined ? c.nop() : a(own)));
    const name = `${prefix}_${start / CHUNK}`;
    const body = dispatch(m, own, c.i32Op("and", c.local(0, "i32"), c.i32(CHUNK - 1)), slice, c.nop());
    m.addFunction({ name, params: ["i32"], result: "none", locals: own.locals, body });
    names.push(name);
  }
  const base = m.addTableFunctions(names);
  const v = fn.local("i32");
  return c.if(
    c.i32Op("lt_u", c.teeLocal(v, key, "i32"), c.i32(arms.length)),
    c.callIndirect(c.i32Op("add", c.i32Op("shr_u", c.local(v, "i32"), c.i32(6)), c.i32(base)), c.local(v, "i32")),
  );
}

/**
 * A br_table: `index` selects one of `arms` (each ends by leaving the whole
 * dispatch), anything else runs `otherwise`. Nested blocks, innermost holds
 * the br_table; arm k follows block k.
 */
function dispatch(m: PolicyModule, fn: FunctionBuilder, index: Expr, arms: readonly Expr[], otherwise: Expr): Expr {
  const c = m.code;
  if (arms.length === 0) return c.block(null, [c.drop(index), otherwise]);
  const end = fn.label("end");
  const fallback = fn.label("default");
  const labels = arms.map(() => fn.label("case"));
  let current = c.block(labels[0] ?? fallback, [c.switch(labels, fallback, index)]);
  for (let k = 0; k < arms.length; k++) {
    const next = k + 1 < arms.length ? labels[k + 1]! : fallback;
    current = c.block(next, [current, arms[k]!, c.br(end)]);
  }
  return c.block(end, [current, otherwise]);
}
