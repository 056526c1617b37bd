/**
 * Test support: the WebAssembly JS API, typed locally.
 *
 * In: nothing. Out: `wasm`, Node's global WebAssembly object, with just the
 * types these tests use.
 * Must not: declare anything global: @types/node 20 does not type
 * WebAssembly, and a global declaration here could clash with the one the
 * project adopts (ask the lead before adding one).
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  readonly value: unknown;
}

export interface WasmDescriptor {
  readonly module?: string;
  readonly name: string;
  readonly kind: string;
}

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  readonly Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): WasmDescriptor[];
    exports(module: object): WasmDescriptor[];
    customSections(module: object, name: string): ArrayBuffer[];
  };
}

/** Node's WebAssembly global. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
