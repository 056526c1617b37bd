/**
 * The one binaryen wrapper: a policy module under construction.
 *
 * In: the stdlib build (stdlib-file.ts, or bytes passed in), then functions,
 * globals, static data, custom sections and exports in codegen terms.
 * Out: one validated, optimized wasm binary with no imports, exporting only
 * what the caller exported plus `memory`.
 * Must not: let binaryen types or refs escape (expressions are opaque `Expr`
 * numbers), optimize twice, re-optimize the stdlib (it is optimized when
 * built), or emit a module that imports anything.
 *
 * Order of calls: createModule() → addFunction / addGlobal / addData /
 * reserve / addCustomSection / export* (any order) → optimize() (once) →
 * emitBinary() → dispose(). seal() lays out memory; validate, optimize and
 * emitBinary call it, and after it nothing can be added.
 *
 * The expression builder (`Code`) lives here too, so that binaryen stays in
 * this one file; that is why the file is near 500 lines rather than 400.
 *
 * Known binaryen.js pitfalls handled here: features go to `readBinary`'s
 * second argument (`readBinaryWithFeatures` is absent); `BulkMemory` needs
 * `BulkMemoryOpt`; `setMemory` replaces every data segment and throws if its
 * export name exists, so it is called once, at seal time, after the stdlib's
 * segments were read and its memory export removed; optimize levels (and
 * debug info) are process-global, so they are set right before optimizing or
 * emitting and restored afterwards.
 */
import binaryen from "binaryen";
import { DataLayout, type DataSegment, type PlaceOptions } from "./data-layout.js";
import { STDLIB_FUNCTIONS, STDLIB_VERSION, type StdlibFunction, type ValueType } from "./stdlib-abi.js";
import { readStdlib } from "./stdlib-file.js";
import { assertNoImports } from "./wasm-sections.js";

export type { ValueType, StdlibFunction } from "./stdlib-abi.js";

declare const exprBrand: unique symbol;
/** An expression under construction; opaque outside this file. */
export type Expr = number & { readonly [exprBrand]: true };

const TYPES: Readonly<Record<ValueType, binaryen.Type>> = {
  i32: binaryen.i32,
  i64: binaryen.i64,
  f32: binaryen.f32,
  f64: binaryen.f64,
};

/** Wasm features the artifact may use: what every mainstream engine (V8, wasmtime, wazero) runs. */
const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt;

/** The one function table (internal, never exported). */
const TABLE = "agp_table";

/** Optimization settings, fixed so builds are reproducible whatever else ran in the process. */
const OPTIMIZE_LEVEL = 3;
const SHRINK_LEVEL = 1;

/** A function the code generator adds. */
export interface FunctionSpec {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly result: ValueType | "none";
  /** Locals beyond the parameters; their indices follow the parameters'. */
  readonly locals?: readonly ValueType[];
  readonly body: Expr;
  /**
   * Code few decisions reach (an index's residual conditions): it gets only
   * CHEAP_PASSES, which keep most of the size gain for a fraction of the
   * time (ADR 0052: the full pipeline over residuals was most of a
   * 1,000-rule compile).
   */
  readonly rarelyRun?: boolean;
  /**
   * A function of thousands of expressions (one rule's condition over a
   * huge literal set, say): it always gets only CHEAP_PASSES, since the
   * full pipeline grows faster than linearly with a function's size.
   */
  readonly large?: boolean;
}

/** Passes for rarely run and for large functions. */
const CHEAP_PASSES = ["remove-unused-brs", "vacuum", "merge-blocks"] as const;

/** Options of createModule. */
export interface CreateModuleOptions {
  /** Stdlib build bytes; default: stdlib/build/stdlib.wasm. */
  readonly stdlib?: Uint8Array;
  /** First address static data may use (default 16). */
  readonly dataBase?: number;
}

/** Options of PolicyModule.seal. */
export interface SealOptions {
  /** Extra zeroed pages beyond static data and reservations (default 0). */
  readonly extraPages?: number;
}

/** Loads the stdlib and returns a module to add the policy to. */
export function createModule(options: CreateModuleOptions = {}): PolicyModule {
  return new PolicyModule(options.stdlib ?? readStdlib(), options.dataBase);
}

/** A policy module under construction (see the file header for the order of calls). */
export class PolicyModule {
  /** Expression builders for function bodies. */
  readonly code: Code;
  private readonly mod: binaryen.Module;
  private readonly data: DataLayout;
  private readonly stdlibNames = new Map<StdlibFunction, string>();
  private readonly exported = new Set<string>();
  private readonly tableFunctions: string[] = [];
  private sealed = false;
  private optimized = false;
  /** Functions this module added (the policy's code), in order: what optimize() works on. */
  private readonly generated: string[] = [];
  /** Of those, the ones marked `rarelyRun`, and the ones marked `large`. */
  private readonly rarelyRun = new Set<string>();
  private readonly large = new Set<string>();

  constructor(stdlib: Uint8Array, dataBase?: number) {
    // binaryen.js takes the features as readBinary's second argument; its
    // typings omit it (and declare a readBinaryWithFeatures that is absent).
    const readBinary = binaryen.readBinary as (data: Uint8Array, features: binaryen.Features) => binaryen.Module;
    this.mod = readBinary(stdlib, FEATURES);
    this.mod.setFeatures(FEATURES);
    this.data = new DataLayout(dataBase);
    this.checkStdlib();
    this.code = new Code(this.mod, this.stdlibNames);
  }

  /** Adds a function; it stays internal unless exported. */
  addFunction(spec: FunctionSpec): void {
    this.assertOpen();
    // binaryen throws an opaque object on a duplicate name; say what happened.
    if (this.mod.getFunction(spec.name) !== 0) throw new Error(`internal error: function \`${spec.name}\` added twice`);
    this.mod.addFunction(
      spec.name,
      binaryen.createType(spec.params.map((p) => TYPES[p])),
      spec.result === "none" ? binaryen.none : TYPES[spec.result],
      (spec.locals ?? []).map((l) => TYPES[l]),
      spec.body,
    );
    this.generated.push(spec.name);
    if (spec.rarelyRun === true) this.rarelyRun.add(spec.name);
    if (spec.large === true) this.large.add(spec.name);
  }

  /** Adds a global with a constant initial value. */
  addGlobal(name: string, type: ValueType, mutable: boolean, init: number | bigint): void {
    this.assertOpen();
    if (this.mod.getGlobal(name) !== 0) throw new Error(`internal error: global \`${name}\` added twice`);
    this.mod.addGlobal(name, TYPES[type], mutable, this.code.constant(type, init));
  }

  /** Places static bytes in memory and returns their address. */
  addData(bytes: Uint8Array, options?: PlaceOptions): number {
    this.assertOpen();
    return this.data.place(bytes, options);
  }

  /** Reserves zeroed memory (not stored in the binary) and returns its address. */
  reserve(size: number, align?: number): number {
    this.assertOpen();
    return this.data.reserve(size, align);
  }

  /**
   * Places functions (added with addFunction, `(i32) → none`) in the
   * module's one function table and returns the table index of the first;
   * code calls them with `code.callIndirect`. Dispatch through the table is
   * how an index selects its bucket in O(1) without a deeply nested br_table.
   */
  addTableFunctions(names: readonly string[]): number {
    this.assertOpen();
    const base = this.tableFunctions.length;
    for (const item of names) this.tableFunctions.push(item);
    return base;
  }

  /** Adds a custom section (e.g. the manifest); kept through optimization. */
  addCustomSection(name: string, contents: Uint8Array): void {
    this.assertOpen();
    this.mod.addCustomSection(name, contents);
  }

  /** Exports a function added with addFunction, or a stdlib function, under `as`. */
  exportFunction(name: string, as: string = name): void {
    this.assertOpen();
    const internal = this.stdlibNames.get(name as StdlibFunction) ?? name;
    this.claimExportName(as);
    this.mod.addFunctionExport(internal, as);
  }

  /** Exports a global added with addGlobal under `as`. */
  exportGlobal(name: string, as: string = name): void {
    this.assertOpen();
    this.claimExportName(as);
    this.mod.addGlobalExport(name, as);
  }

  /**
   * Lays out memory (static data as segments, exported as `memory`). Called
   * by validate/optimize/emitBinary if not called before; after it nothing
   * can be added.
   */
  seal(options: SealOptions = {}): void {
    if (this.sealed) return;
    this.sealed = true;
    if (this.tableFunctions.length > 0) {
      const size = this.tableFunctions.length;
      this.mod.addTable(TABLE, size, size);
      this.mod.addActiveElementSegment(TABLE, "agp_elements", this.tableFunctions, this.mod.i32.const(0));
    }
    const existing = this.stdlibSegments();
    const segments: DataSegment[] = [...existing, ...this.data.seal()];
    const pages = Math.max(this.data.pages, ...existing.map((s) => Math.ceil((s.address + s.bytes.length) / 65536))) + (options.extraPages ?? 0);
    // The memory never grows: nothing allocates, so its size is part of the contract.
    this.mod.setMemory(
      pages,
      pages,
      "memory",
      segments.map((s) => ({ offset: this.mod.i32.const(s.address), data: s.bytes, passive: false })),
      false,
      false,
      // readBinary names the stdlib's (unnamed) memory "0" and its loads refer
      // to that name; replacing it under the same name keeps them valid, and
      // validate() catches it if that ever changes.
      "0",
    );
  }

  /** Throws an internal error if binaryen finds the module invalid (always our bug). */
  validate(): void {
    this.seal();
    if (this.mod.validate() !== 1) throw new Error("internal error: generated wasm module is invalid");
  }

  /**
   * Optimizes the policy's functions (the stdlib's are optimized at build
   * time) and the module's layout, exactly once. Rarely run and large
   * functions get CHEAP_PASSES only; `light` optimizes the rest at -O1
   * instead of -O3 (for very large policies, whose compile time the
   * optimizer would dominate; the choice must depend on the input only, so
   * builds stay reproducible).
   */
  optimize(options: { readonly light?: boolean } = {}): void {
    if (this.optimized) throw new Error("internal error: module optimized twice");
    this.validate();
    this.optimized = true;
    const light = options.light === true;
    withSettings(() => {
      // The stdlib arrives optimized (asc -O3); re-optimizing it dominated
      // small compiles. Only the policy's own functions are optimized, then
      // module-wide passes that are cheap: merge identical functions, drop
      // what nothing calls (most of the stdlib), pack zero runs out of data.
      for (const name of this.generated) {
        if (this.large.has(name) || this.rarelyRun.has(name)) this.mod.runPassesOnFunction(name, CHEAP_PASSES);
        else this.mod.optimizeFunction(name);
      }
      this.mod.runPasses(["duplicate-function-elimination", "remove-unused-module-elements", "memory-packing"]);
    }, light ? { optimize: 1, shrink: 0 } : undefined);
    this.validate();
  }

  /** The binary; asserts it imports nothing. */
  emitBinary(): Uint8Array {
    this.validate();
    const binary = withSettings(() => this.mod.emitBinary());
    assertNoImports(binary);
    return binary;
  }

  /** The text form, for reading and golden tests. */
  emitText(): string {
    this.seal();
    return this.mod.emitText();
  }

  /** Frees binaryen's memory for this module; the object is unusable afterwards. */
  dispose(): void {
    this.mod.dispose();
  }

  /** Checks the stdlib's version and signatures, records internal names, drops its exports. */
  private checkStdlib(): void {
    const exports = new Map<string, string>();
    for (let i = 0; i < this.mod.getNumExports(); i++) {
      const info = binaryen.getExportInfo(this.mod.getExportByIndex(i));
      if (info.kind === binaryen.ExternalFunction) exports.set(info.name, info.value);
    }
    const fix = "rebuild it with `npm run build:stdlib`";
    const version = exports.get("stdlib_version");
    const body = version === undefined ? undefined : binaryen.getFunctionInfo(this.mod.getFunction(version)).body;
    const info = body === undefined ? undefined : binaryen.getExpressionInfo(body);
    const found = info !== undefined && info.id === binaryen.ConstId ? (info as binaryen.ConstInfo).value : undefined;
    if (found !== STDLIB_VERSION) {
      throw new Error(`the agp stdlib build has version ${String(found ?? "unknown")}, this compiler needs ${STDLIB_VERSION}: ${fix}`);
    }
    for (const [name, signature] of Object.entries(STDLIB_FUNCTIONS) as [StdlibFunction, (typeof STDLIB_FUNCTIONS)[StdlibFunction]][]) {
      const internal = exports.get(name);
      if (internal === undefined) throw new Error(`the agp stdlib build lacks \`${name}\`: ${fix}`);
      const fn = binaryen.getFunctionInfo(this.mod.getFunction(internal));
      const params = binaryen.createType(signature.params.map((p) => TYPES[p]));
      if (fn.params !== params || fn.results !== TYPES[signature.result]) {
        throw new Error(`the agp stdlib build's \`${name}\` has an unexpected signature: ${fix}`);
      }
      this.stdlibNames.set(name, internal);
    }
    // Stdlib functions are internal unless exported again; optimize() drops the unused ones.
    for (let i = this.mod.getNumExports() - 1; i >= 0; i--) {
      this.mod.removeExport(binaryen.getExportInfo(this.mod.getExportByIndex(i)).name);
    }
  }

  /** The stdlib's own active data segments (none today), kept across setMemory. */
  private stdlibSegments(): DataSegment[] {
    const m = this.mod as unknown as {
      getNumDataSegments(): number;
      getDataSegmentByIndex(i: number): number;
      getDataSegmentInfo(ref: number): { offset: number | null; data: ArrayBuffer; passive: boolean };
    };
    const out: DataSegment[] = [];
    for (let i = 0; i < m.getNumDataSegments(); i++) {
      const info = m.getDataSegmentInfo(m.getDataSegmentByIndex(i));
      if (info.passive || info.offset === null) throw new Error("internal error: the stdlib has a passive data segment");
      if (info.offset + info.data.byteLength > 16) {
        // Static data starts at 16 by default; stdlib data there would overlap it.
        throw new Error("internal error: the stdlib has data above address 16; it must keep no static data");
      }
      out.push({ address: info.offset, bytes: new Uint8Array(info.data) });
    }
    return out;
  }

  private claimExportName(as: string): void {
    if (as === "memory" || this.exported.has(as)) throw new Error(`internal error: export name \`${as}\` used twice`);
    this.exported.add(as);
  }

  private assertOpen(): void {
    if (this.sealed) throw new Error("internal error: module changed after its memory was laid out");
  }
}

/**
 * Runs `fn` with our optimize levels and no debug info (no names section),
 * restoring binaryen's process-global settings afterwards.
 */
function withSettings<T>(fn: () => T, levels: { optimize: number; shrink: number } = { optimize: OPTIMIZE_LEVEL, shrink: SHRINK_LEVEL }): T {
  const saved = { optimize: binaryen.getOptimizeLevel(), shrink: binaryen.getShrinkLevel(), debug: binaryen.getDebugInfo() };
  try {
    binaryen.setOptimizeLevel(levels.optimize);
    binaryen.setShrinkLevel(levels.shrink);
    binaryen.setDebugInfo(false);
    return fn();
  } finally {
    binaryen.setOptimizeLevel(saved.optimize);
    binaryen.setShrinkLevel(saved.shrink);
    binaryen.setDebugInfo(saved.debug);
  }
}

/** Width and signedness of a memory load. */
export type LoadKind = "u8" | "s8" | "u16" | "s16" | "i32" | "i64" | "f64";
/** Width of a memory store. */
export type StoreKind = "u8" | "u16" | "i32" | "i64" | "f64";

/** Binary operators, as named by the wasm instruction set. */
export type I32Op =
  | "add" | "sub" | "mul" | "div_s" | "div_u" | "rem_s" | "rem_u" | "and" | "or" | "xor" | "shl" | "shr_s" | "shr_u"
  | "eq" | "ne" | "lt_s" | "lt_u" | "le_s" | "le_u" | "gt_s" | "gt_u" | "ge_s" | "ge_u";
/** i64 binary operators: the same names as i32's. */
export type I64Op = I32Op;
/** f64 binary operators. */
export type F64Op = "add" | "sub" | "mul" | "div" | "min" | "max" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";

/** Conversions between value types, named `<to>.<instruction>_<from>` as in wasm text. */
export type Conversion =
  | "i32.wrap_i64"
  | "i64.extend_i32_s"
  | "i64.extend_i32_u"
  | "f64.convert_i32_s"
  | "f64.convert_i32_u"
  | "f64.convert_i64_s"
  | "i32.trunc_sat_f64_s"
  | "i64.trunc_sat_f64_s"
  | "i64.reinterpret_f64"
  | "f64.reinterpret_i64";

/**
 * Expression builders. Names follow wasm instructions; everything takes and
 * returns opaque `Expr`s, so callers never see binaryen.
 */
export class Code {
  constructor(
    private readonly mod: binaryen.Module,
    private readonly stdlib: ReadonlyMap<StdlibFunction, string>,
  ) {}

  i32(value: number): Expr {
    return this.mod.i32.const(value | 0) as Expr;
  }
  i64(value: bigint): Expr {
    // binaryen.js (this version) takes one bigint; the (low, high) pair its typings still allow aborts.
    return this.mod.i64.const(BigInt.asIntN(64, value)) as Expr;
  }
  f64(value: number): Expr {
    return this.mod.f64.const(value) as Expr;
  }
  /** A constant of the given type. */
  constant(type: ValueType, value: number | bigint): Expr {
    if (type === "i64") return this.i64(BigInt(value));
    if (type === "f32") return this.mod.f32.const(Number(value)) as Expr;
    return type === "i32" ? this.i32(Number(value)) : this.f64(Number(value));
  }

  local(index: number, type: ValueType): Expr {
    return this.mod.local.get(index, TYPES[type]) as Expr;
  }
  setLocal(index: number, value: Expr): Expr {
    return this.mod.local.set(index, value) as Expr;
  }
  teeLocal(index: number, value: Expr, type: ValueType): Expr {
    return this.mod.local.tee(index, value, TYPES[type]) as Expr;
  }
  global(name: string, type: ValueType): Expr {
    return this.mod.global.get(name, TYPES[type]) as Expr;
  }
  setGlobal(name: string, value: Expr): Expr {
    return this.mod.global.set(name, value) as Expr;
  }

  /** Loads from `address + offset` (offset a constant, folded into the instruction). */
  load(kind: LoadKind, address: Expr, offset = 0): Expr {
    const m = this.mod;
    switch (kind) {
      case "u8": return m.i32.load8_u(offset, 1, address) as Expr;
      case "s8": return m.i32.load8_s(offset, 1, address) as Expr;
      case "u16": return m.i32.load16_u(offset, 2, address) as Expr;
      case "s16": return m.i32.load16_s(offset, 2, address) as Expr;
      case "i32": return m.i32.load(offset, 4, address) as Expr;
      case "i64": return m.i64.load(offset, 8, address) as Expr;
      case "f64": return m.f64.load(offset, 8, address) as Expr;
    }
  }
  store(kind: StoreKind, address: Expr, value: Expr, offset = 0): Expr {
    const m = this.mod;
    switch (kind) {
      case "u8": return m.i32.store8(offset, 1, address, value) as Expr;
      case "u16": return m.i32.store16(offset, 2, address, value) as Expr;
      case "i32": return m.i32.store(offset, 4, address, value) as Expr;
      case "i64": return m.i64.store(offset, 8, address, value) as Expr;
      case "f64": return m.f64.store(offset, 8, address, value) as Expr;
    }
  }

  i32Op(op: I32Op, a: Expr, b: Expr): Expr {
    return this.mod.i32[op](a, b) as Expr;
  }
  i64Op(op: I64Op, a: Expr, b: Expr): Expr {
    return this.mod.i64[op](a, b) as Expr;
  }
  f64Op(op: F64Op, a: Expr, b: Expr): Expr {
    return this.mod.f64[op](a, b) as Expr;
  }
  /** f64.floor. */
  floor(a: Expr): Expr {
    return this.mod.f64.floor(a) as Expr;
  }
  /** 1 when the i32 is 0. */
  eqz(a: Expr): Expr {
    return this.mod.i32.eqz(a) as Expr;
  }
  convert(conversion: Conversion, a: Expr): Expr {
    const m = this.mod;
    switch (conversion) {
      case "i32.wrap_i64": return m.i32.wrap(a) as Expr;
      case "i64.extend_i32_s": return m.i64.extend_s(a) as Expr;
      case "i64.extend_i32_u": return m.i64.extend_u(a) as Expr;
      case "f64.convert_i32_s": return m.f64.convert_s.i32(a) as Expr;
      case "f64.convert_i32_u": return m.f64.convert_u.i32(a) as Expr;
      case "f64.convert_i64_s": return m.f64.convert_s.i64(a) as Expr;
      case "i32.trunc_sat_f64_s": return m.i32.trunc_s_sat.f64(a) as Expr;
      case "i64.trunc_sat_f64_s": return m.i64.trunc_s_sat.f64(a) as Expr;
      case "i64.reinterpret_f64": return m.i64.reinterpret(a) as Expr;
      case "f64.reinterpret_i64": return m.f64.reinterpret(a) as Expr;
    }
  }
  /** memory.copy / memory.fill (bulk memory). */
  copyMemory(destination: Expr, source: Expr, size: Expr): Expr {
    return this.mod.memory.copy(destination, source, size) as Expr;
  }
  fillMemory(destination: Expr, byte: Expr, size: Expr): Expr {
    return this.mod.memory.fill(destination, byte, size) as Expr;
  }

  block(label: string | null, body: readonly Expr[], result: ValueType | "none" = "none"): Expr {
    return this.mod.block(label, body, result === "none" ? binaryen.none : TYPES[result]) as Expr;
  }
  /**
   * A block of type `none` named `label` that some branch targets, built
   * without binaryen re-deriving its type: when a child is unreachable,
   * binaryen searches the whole block for a branch to its name, and blocks
   * nested n deep (a br_table's arms) made that quadratic. The caller must
   * make sure a branch targets `label` (else the type would be wrong;
   * validate() catches it).
   */
  branchTarget(label: string, body: readonly Expr[]): Expr {
    const block = this.mod.block(label, [], binaryen.none);
    const append = (binaryen as unknown as { Block: { appendChild(block: number, child: number): number } }).Block.appendChild;
    for (const child of body) append(block, child);
    return block as Expr;
  }
  loop(label: string, body: Expr): Expr {
    return this.mod.loop(label, body) as Expr;
  }
  if(condition: Expr, then: Expr, otherwise?: Expr): Expr {
    return this.mod.if(condition, then, otherwise) as Expr;
  }
  /** Branch to `label` (if `condition` is given, only when it is non-zero). */
  br(label: string, condition?: Expr, value?: Expr): Expr {
    return this.mod.br(label, condition, value) as Expr;
  }
  /**
   * br_table: branch to `labels[index]`, or to `otherwise` when the index is
   * out of range. Dispatch on an action id or an interned string id is one
   * of these, not a chain of comparisons.
   */
  switch(labels: readonly string[], otherwise: string, index: Expr, value?: Expr): Expr {
    return this.mod.switch(labels, otherwise, index, value) as Expr;
  }
  return(value?: Expr): Expr {
    return this.mod.return(value) as Expr;
  }
  select(condition: Expr, ifTrue: Expr, ifFalse: Expr): Expr {
    return this.mod.select(condition, ifTrue, ifFalse) as Expr;
  }
  drop(value: Expr): Expr {
    return this.mod.drop(value) as Expr;
  }
  unreachable(): Expr {
    return this.mod.unreachable() as Expr;
  }
  nop(): Expr {
    return this.mod.nop() as Expr;
  }

  /** Calls a function added with addFunction. */
  call(name: string, args: readonly Expr[], result: ValueType | "none"): Expr {
    return this.mod.call(name, args, result === "none" ? binaryen.none : TYPES[result]) as Expr;
  }
  /** Calls the `(i32) → none` function at `index` of the module's table (see addTableFunctions) with `argument`. */
  callIndirect(index: Expr, argument: Expr): Expr {
    return this.mod.call_indirect(TABLE, index, [argument], binaryen.i32, binaryen.none) as Expr;
  }
  /** Calls the function at `index` of the module's table, whose signature must be `params → result` (checked by the engine). */
  callIndirectTyped(index: Expr, args: readonly Expr[], params: readonly ValueType[], result: ValueType | "none"): Expr {
    return this.mod.call_indirect(TABLE, index, args as Expr[], binaryen.createType(params.map((p) => TYPES[p])), result === "none" ? binaryen.none : TYPES[result]) as Expr;
  }
  /** Calls a stdlib export by its stdlib name (signatures in stdlib-abi.ts). */
  callStdlib(name: StdlibFunction, args: readonly Expr[]): Expr {
    const signature = STDLIB_FUNCTIONS[name];
    if (args.length !== signature.params.length) {
      throw new Error(`internal error: \`${name}\` takes ${signature.params.length} arguments, got ${args.length}`);
    }
    return this.mod.call(this.stdlib.get(name)!, args, TYPES[signature.result]) as Expr;
  }
}
