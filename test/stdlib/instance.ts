/**
 * Test support: the stdlib instantiated through the codegen's binaryen
 * wrapper, every export kept, plus a scratch area to write inputs into.
 *
 * In: the stdlib build (stdlib-build.ts). Out: the instance's exports, its
 * memory, and a bump allocator over the scratch area.
 * Must not: bypass compiler/codegen/module.ts: this is the path real policy
 * modules take (load, add generated code, optimize once, emit, no imports).
 */
import { createModule } from "../../compiler/codegen/module.js";
import { STDLIB_FUNCTIONS, type StdlibFunction } from "../../compiler/codegen/stdlib-abi.js";
import { countImports } from "../../compiler/codegen/wasm-sections.js";
import { ensureStdlib } from "./stdlib-build.js";
import { wasm, type WasmMemory } from "./wasm-api.js";

/** The stdlib's exports as JS sees them. */
export type StdlibExports = { readonly [K in Exclude<StdlibFunction, "hash_u64">]: (...args: number[]) => number } & {
  readonly hash_u64: (bits: bigint, seed: number) => number;
  readonly scratch_base: () => number;
  readonly memory: WasmMemory;
};

export interface StdlibInstance {
  readonly exports: StdlibExports;
  readonly binary: Uint8Array;
  /** Copies bytes into scratch memory and returns their address. */
  put(bytes: Uint8Array, align?: number): number;
  /** Frees the whole scratch area. */
  reset(): void;
}

const SCRATCH_SIZE = 8 << 20;

/** Builds and instantiates the module. */
export async function stdlibInstance(): Promise<StdlibInstance> {
  const module = createModule({ stdlib: await ensureStdlib() });
  for (const name of Object.keys(STDLIB_FUNCTIONS)) module.exportFunction(name);
  const scratch = module.reserve(SCRATCH_SIZE, 16);
  // A generated function of our own beside the stdlib's: tells the test where scratch memory is.
  module.addFunction({ name: "scratch_base", params: [], result: "i32", body: module.code.i32(scratch) });
  module.exportFunction("scratch_base");
  module.optimize();
  const binary = module.emitBinary();
  module.dispose();
  if (countImports(binary) !== 0) throw new Error("stdlib instance has imports");
  const { instance } = await wasm.instantiate(binary, {});
  const exports = instance.exports as unknown as StdlibExports;
  const base = exports.scratch_base();
  let top = base;
  return {
    exports,
    binary,
    put(bytes, align = 8) {
      top = (top + align - 1) & ~(align - 1);
      if (top + bytes.length > base + SCRATCH_SIZE) throw new Error("scratch memory exhausted");
      new Uint8Array(exports.memory.buffer).set(bytes, top);
      const at = top;
      top += bytes.length;
      return at;
    },
    reset() {
      top = base;
    },
  };
}
