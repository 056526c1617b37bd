/**
 * The WebAssembly JS API, typed locally: @types/node 20 does not type it,
 * and the runtime must not depend on the DOM lib or declare globals.
 *
 * In: nothing. Out: `wasmApi()` (the host's WebAssembly object) and the few
 * types the runtime uses. Must not touch anything but `globalThis.WebAssembly`,
 * which exists in Node, browsers, workers and edge runtimes alike.
 */

/** A compiled WebAssembly module (`WebAssembly.Module`). */
export type WasmModule = object;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

export interface WasmDescriptor {
  readonly module?: string;
  readonly name: string;
  readonly kind: string;
}

export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
  readonly Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): WasmDescriptor[];
    exports(module: WasmModule): WasmDescriptor[];
    customSections(module: WasmModule, name: string): ArrayBuffer[];
  };
  readonly Instance: new (module: WasmModule, imports: object) => WasmInstance;
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
}

/** The host's WebAssembly object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}
