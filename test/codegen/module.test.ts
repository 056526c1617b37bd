/**
 * The binaryen wrapper: loads the stdlib (checking its version), takes
 * generated functions, data and custom sections, optimizes once, and emits
 * one module with no imports that exports only what the caller asked for.
 */
import asc from "assemblyscript/asc";
import { beforeAll, describe, expect, test } from "vitest";
import { STDLIB_FUNCTIONS, STDLIB_VERSION, countImports, createModule, listSections, placeDfa, placeHashSet, type PolicyModule } from "../../compiler/codegen/index.js";
import { buildStringSet, compileGlob } from "../../compiler/lower/index.js";
import { dispatch } from "../../compiler/codegen/br-table.js";
import { FunctionBuilder } from "../../compiler/codegen/function-builder.js";
import { ensureStdlib } from "../stdlib/stdlib-build.js";
import { wasm, type WasmGlobal, type WasmMemory } from "../stdlib/wasm-api.js";

let stdlib: Uint8Array;
beforeAll(async () => {
  stdlib = await ensureStdlib();
});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A little policy-shaped module: three generated tests over an input area. */
function buildSample(module: PolicyModule): void {
  const c = module.code;
  const glob = compileGlob("*.md");
  if (!glob.ok) throw new Error("glob");
  const dfaTable = placeDfa(module, glob.dfa);
  const repos = placeHashSet(module, buildStringSet(["acme/production-infra", "acme/payments"]));
  const production = utf8("production");
  const productionAt = module.addData(production, { align: 1 });
  const input = module.reserve(4096);
  module.addGlobal("input_base", "i32", false, input);
  module.exportGlobal("input_base");
  const args = [c.local(0, "i32"), c.local(1, "i32")];
  const fn = (name: string, body: ReturnType<typeof c.i32>) => {
    module.addFunction({ name, params: ["i32", "i32"], result: "i32", body });
    module.exportFunction(name);
  };
  fn("is_markdown", c.callStdlib("dfa_matches", [c.i32(dfaTable), ...args]));
  fn("repo_id", c.callStdlib("set_lookup", [c.i32(repos), ...args]));
  fn("is_production", c.callStdlib("bytes_eq", [...args, c.i32(productionAt), c.i32(production.length)]));
}

async function instantiate(binary: Uint8Array) {
  const { instance } = await wasm.instantiate(binary, {});
  const e = instance.exports;
  const memory = e.memory as WasmMemory;
  const base = (e.input_base as WasmGlobal).value as number;
  const ask = (name: string, text: string): number => {
    const bytes = utf8(text);
    new Uint8Array(memory.buffer).set(bytes, base);
    return (e[name] as (...a: number[]) => number)(base, bytes.length);
  };
  return { ask, memory, exports: e };
}

describe("a generated module", () => {
  test("calls stdlib functions on static data and imports nothing", async () => {
    const module = createModule({ stdlib });
    buildSample(module);
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    expect(countImports(binary)).toBe(0);
    expect(wasm.Module.imports(new wasm.Module(binary))).toEqual([]);
    const { ask } = await instantiate(binary);
    expect(ask("is_markdown", "docs/README.md")).toBe(1);
    expect(ask("is_markdown", "docs/README.txt")).toBe(0);
    expect(ask("repo_id", "acme/payments")).toBe(1);
    expect(ask("repo_id", "acme/pay")).toBe(-1);
    expect(ask("is_production", "production")).toBe(1);
    expect(ask("is_production", "productio")).toBe(0);
  });

  test("a br_table dispatch of many arms runs exactly the selected arm, and the default out of range", async () => {
    // The dispatch's blocks are built as branch targets (ADR 0052): their
    // type is stated, not derived, so this checks it is right both before
    // and after optimizing (validate runs in both), for residual functions
    // in the cheap passes and for the rest at -O3.
    for (const rarelyRun of [true, false]) {
      const module = createModule({ stdlib });
      const c = module.code;
      const fn = new FunctionBuilder(["i32"]);
      const arms = Array.from({ length: 300 }, (_, k) => c.return(c.i32(k * 3 + 1)));
      module.addFunction({ name: "pick", params: ["i32"], result: "i32", locals: fn.locals, body: c.block(null, [dispatch(module, fn, c.local(0, "i32"), arms, c.nop()), c.i32(-7)], "i32"), rarelyRun });
      module.exportFunction("pick");
      module.optimize();
      const binary = module.emitBinary();
      module.dispose();
      const pick = (await wasm.instantiate(binary, {})).instance.exports.pick as (k: number) => number;
      for (const k of [0, 1, 150, 298, 299]) expect(pick(k)).toBe(k * 3 + 1);
      for (const k of [300, 1000, -1]) expect(pick(k)).toBe(-7);
    }
  });

  test("exports only what was exported (plus memory); unused stdlib code is dropped", async () => {
    const module = createModule({ stdlib });
    buildSample(module);
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    const names = wasm.Module.exports(new wasm.Module(binary)).map((e) => e.name).sort();
    expect(names).toEqual(["input_base", "is_markdown", "is_production", "memory", "repo_id"]);
    // Only the stdlib functions called survive optimization: a module calling
    // one small function is much smaller than the whole stdlib.
    const tiny = createModule({ stdlib });
    tiny.addFunction({ name: "f", params: ["i32", "i32"], result: "i32", body: tiny.code.callStdlib("bytes_eq", [tiny.code.local(0, "i32"), tiny.code.local(1, "i32"), tiny.code.i32(16), tiny.code.i32(0)]) });
    tiny.exportFunction("f");
    tiny.optimize();
    const tinyBinary = tiny.emitBinary();
    tiny.dispose();
    expect(tinyBinary.length).toBeLessThan(stdlib.length / 2);
  });

  test("the memory is exactly the static data plus reservations, and cannot grow", async () => {
    const module = createModule({ stdlib });
    const at = module.addData(utf8("hello"));
    module.reserve(100_000);
    module.addFunction({ name: "at", params: [], result: "i32", body: module.code.i32(at) });
    module.exportFunction("at");
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    const { memory, exports } = await instantiate2(binary);
    expect(memory.buffer.byteLength).toBe(2 * 65536);
    const address = (exports.at as () => number)();
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, address, 5))).toBe("hello");
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  test("globs with the same byte classes share one class map", async () => {
    const module = createModule({ stdlib });
    const dfa = (g: string) => {
      const r = compileGlob(g);
      if (!r.ok) throw new Error(g);
      return r.dfa;
    };
    const a = placeDfa(module, dfa("*.md"));
    const b = placeDfa(module, dfa("*.dm"));
    const c = placeDfa(module, dfa("rm -rf /*"));
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    const { memory } = await instantiate2(binary);
    const view = new DataView(memory.buffer);
    expect(view.getUint32(a, true)).toBe(view.getUint32(b, true));
    expect(view.getUint32(c, true)).not.toBe(view.getUint32(a, true));
  });

  test("interned ids dispatch through br_table: equality against many literals in one lookup", async () => {
    // A `when args.env == "dev" / "staging" / "production"` family of rules:
    // one set lookup gives the literal's id, one br_table picks the branch.
    const module = createModule({ stdlib });
    const c = module.code;
    const envs = placeHashSet(module, buildStringSet(["dev", "staging", "production"]));
    const input = module.reserve(64);
    module.addGlobal("input_base", "i32", false, input);
    module.exportGlobal("input_base");
    const lookup = c.callStdlib("set_lookup", [c.i32(envs), c.local(0, "i32"), c.local(1, "i32")]);
    // Index = id + 1, so "not a literal" (-1) lands on case 0.
    const dispatch = c.block("none", [
      c.block("production", [
        c.block("staging", [
          c.block("dev", [c.switch(["none", "dev", "staging", "production"], "none", c.i32Op("add", lookup, c.i32(1)))]),
          c.return(c.i32(10)),
        ]),
        c.return(c.i32(20)),
      ]),
      c.return(c.i32(30)),
    ]);
    module.addFunction({ name: "env_rule", params: ["i32", "i32"], result: "i32", body: c.block(null, [dispatch, c.i32(0)], "i32") });
    module.exportFunction("env_rule");
    // Conversions: a number argument as f64 → saturated i32.
    module.addFunction({ name: "to_int", params: ["f64"], result: "i32", body: c.convert("i32.trunc_sat_f64_s", c.local(0, "f64")) });
    module.exportFunction("to_int");
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    const { ask, exports } = await instantiate(binary);
    expect(ask("env_rule", "dev")).toBe(10);
    expect(ask("env_rule", "staging")).toBe(20);
    expect(ask("env_rule", "production")).toBe(30);
    expect(ask("env_rule", "prod")).toBe(0);
    const toInt = exports.to_int as (x: number) => number;
    expect(toInt(1e12)).toBe(2147483647);
    expect(toInt(-3.7)).toBe(-3);
    expect(toInt(Number.NaN)).toBe(0);
  });

  test("custom sections are kept byte for byte through optimization", () => {
    const module = createModule({ stdlib });
    const manifest = utf8(JSON.stringify({ rules: ["never_merge"], version: 1 }));
    module.addCustomSection("agp.manifest", manifest);
    module.optimize();
    const binary = module.emitBinary();
    module.dispose();
    const section = listSections(binary).find((s) => s.name === "agp.manifest");
    expect(section).toBeDefined();
    expect([...binary.subarray(section!.start, section!.end)]).toEqual([...manifest]);
    const viaEngine = wasm.Module.customSections(new wasm.Module(binary), "agp.manifest");
    expect(new Uint8Array(viaEngine[0]!)).toEqual(manifest);
  });
});

async function instantiate2(binary: Uint8Array) {
  const { instance } = await wasm.instantiate(binary, {});
  return { memory: instance.exports.memory as WasmMemory, exports: instance.exports };
}

describe("misuse is refused", () => {
  test("optimizing twice, or adding after the memory is laid out, is an internal error", () => {
    const module = createModule({ stdlib });
    module.optimize();
    expect(() => module.optimize()).toThrow(/internal error: module optimized twice/);
    expect(() => module.addData(Uint8Array.of(1))).toThrow(/internal error/);
    expect(() => module.addFunction({ name: "g", params: [], result: "none", body: module.code.nop() })).toThrow(/internal error/);
    module.dispose();
  });

  test("an export name used twice, or `memory`, is an internal error", () => {
    const module = createModule({ stdlib });
    module.addFunction({ name: "f", params: [], result: "i32", body: module.code.i32(1) });
    module.exportFunction("f");
    expect(() => module.exportFunction("f")).toThrow(/used twice/);
    expect(() => module.exportFunction("f", "memory")).toThrow(/used twice/);
    module.dispose();
  });

  test("a function or global name used twice is an internal error, not binaryen's opaque throw", () => {
    const module = createModule({ stdlib });
    module.addFunction({ name: "f", params: [], result: "none", body: module.code.nop() });
    expect(() => module.addFunction({ name: "f", params: [], result: "none", body: module.code.nop() })).toThrow("internal error: function `f` added twice");
    module.addGlobal("g", "i32", false, 0);
    expect(() => module.addGlobal("g", "f64", true, 1)).toThrow("internal error: global `g` added twice");
    module.dispose();
  });

  test("an invalid body is our bug: validate throws instead of emitting", () => {
    const module = createModule({ stdlib });
    // Declared to return i32 but the body is f64.
    module.addFunction({ name: "bad", params: [], result: "i32", body: module.code.f64(1.5) });
    expect(() => module.emitBinary()).toThrow(/internal error: generated wasm module is invalid/);
    module.dispose();
  });
});

describe("the stdlib loader", () => {
  test("the stdlib build itself imports nothing (no `env.abort`) and exports only functions", () => {
    expect(countImports(stdlib)).toBe(0);
    const exports = wasm.Module.exports(new wasm.Module(stdlib));
    expect(exports.filter((e) => e.kind !== "function")).toEqual([]);
    expect(exports.map((e) => e.name).sort()).toEqual(Object.keys(STDLIB_FUNCTIONS).sort());
  });

  test("loads stdlib/build/stdlib.wasm by default", () => {
    const module = createModule();
    module.addFunction({ name: "v", params: [], result: "i32", body: module.code.callStdlib("stdlib_version", []) });
    module.exportFunction("v");
    expect(countImports(module.emitBinary())).toBe(0);
    module.dispose();
  });

  test("refuses a stdlib build of another version, or one missing a function", async () => {
    const stale = STDLIB_VERSION - 1;
    const wrong = await compileAs(`export function stdlib_version(): u32 { return ${stale}; }`);
    expect(() => createModule({ stdlib: wrong })).toThrow(
      `the agp stdlib build has version ${stale}, this compiler needs ${STDLIB_VERSION}: rebuild it with \`npm run build:stdlib\``,
    );
    const partial = await compileAs(`export function stdlib_version(): u32 { return ${STDLIB_VERSION}; }`);
    expect(() => createModule({ stdlib: partial })).toThrow("the agp stdlib build lacks `bytes_eq`: rebuild it with `npm run build:stdlib`");
  });
});

async function compileAs(source: string): Promise<Uint8Array> {
  const { binary, error } = await asc.compileString(source, { runtime: "stub", optimizeLevel: 3, noAssert: true });
  if (error || !binary) throw new Error(String(error));
  return binary;
}
