/**
 * From a source (bytes or a compiled `WebAssembly.Module`) to a checked
 * module, manifest and instance.
 *
 * In: `Uint8Array | ArrayBuffer | WebAssembly.Module`. Out: the compiled
 * module, its `Manifest` (from the `agp.manifest` custom section), and an
 * instance whose exports match runtime/abi.ts. Throws `PolicyLoadError`
 * with a message saying what is wrong (not wasm, imports, no manifest,
 * corrupt manifest, ABI mismatch, missing export, input region outside
 * memory). `readManifest` checks and freezes the whole manifest;
 * `openManifest`, what the engine loads with, leaves each rule to be
 * decoded and checked on its first use (ADR 0050).
 * Must not use Node built-ins: browsers and workers load this too.
 */
import { ABI_VERSION, MANIFEST_SECTION, type Manifest } from "../manifest.js";
import { EXPORTS, SESSION, SESSION_EXPORTS } from "../abi.js";
import { PolicyLoadError } from "../errors.js";
import { wasmApi, type WasmApi, type WasmInstance, type WasmMemory, type WasmModule } from "../wasm-api.js";
import { checkManifest } from "./check-manifest.js";
import { openWire, unpackManifest } from "./manifest-wire.js";
import { attachLazyRules, LazyRules } from "./lazy-rules.js";
import { checkDeferred, deferActionChecks } from "./deferred-checks.js";

/** What a policy can be loaded from. */
export type PolicySource = Uint8Array | ArrayBuffer | WasmModule;

/** The exports of a policy module, checked. */
export interface PolicyExports {
  readonly abiVersion: () => number;
  readonly input: () => number;
  readonly decide: (action: number, flags: number) => number;
  readonly memory: WasmMemory;
  /** Present exactly when the manifest has a session (docs/abi.md, "Sessions"). */
  readonly session?: SessionExports;
}

/** The session exports, checked. */
export interface SessionExports {
  /** Address of the session region (f64 now, then the state). */
  readonly region: number;
  readonly init: () => void;
  readonly record: (action: number, effect: number) => number;
  readonly outcome: (action: number, outcome: number, call: number) => number;
}

/** The WebAssembly API, or a load error where the host has none. */
export function api(): WasmApi {
  const wasm = wasmApi();
  if (wasm === undefined) throw new PolicyLoadError("this JavaScript host has no WebAssembly support");
  return wasm;
}

/** Bytes of a source that is not a compiled module, or undefined. */
export function bytesOf(source: PolicySource): Uint8Array | undefined {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return undefined;
}

/** Checks that `source` is a compiled module (when it is not bytes). */
export function asModule(source: PolicySource): WasmModule {
  const wasm = api();
  if (!(source instanceof (wasm.Module as unknown as new (...args: never[]) => object))) {
    throw new PolicyLoadError("a policy must be given as bytes (Uint8Array or ArrayBuffer) or a compiled WebAssembly.Module");
  }
  return source;
}

/** Compiles bytes synchronously. */
export function compileSync(bytes: Uint8Array): WasmModule {
  try {
    return new (api().Module)(bytes);
  } catch (error) {
    throw notWasm(error);
  }
}

/** Compiles bytes off the main thread where the host can. */
export async function compileAsync(bytes: Uint8Array): Promise<WasmModule> {
  try {
    return await api().compile(bytes);
  } catch (error) {
    throw notWasm(error);
  }
}

/** The module's manifest, checked and frozen; and that the module imports nothing. */
export function readManifest(module: WasmModule): Manifest {
  return deepFreeze(checkManifest(unpackManifest(manifestJson(module))));
}

/**
 * The module's manifest for an engine about to decide with it (ADR 0050):
 * everything but the rule table and the actions' schemas and slots checked
 * now, exactly as `readManifest` checks it; each rule unpacked, checked and
 * frozen on its first use, and the whole table on the first read of
 * `rules` (./lazy-rules.ts); an action's schema and slots before its first
 * request is read (./deferred-checks.ts). Not
 * frozen: the engine freezes it (`freezeManifest`) before any caller can
 * reach it. Throws `PolicyLoadError` as `readManifest` does.
 */
export function openManifest(module: WasmModule): Manifest {
  const { others, packed, files } = openWire(manifestJson(module));
  const rules = new LazyRules(packed, files);
  attachLazyRules(others, rules);
  const manifest = checkManifest(others, rules.length, true);
  deferActionChecks(manifest);
  return manifest;
}

/**
 * Runs every check `openManifest` deferred (each action's schema and slots;
 * the rule table, read whole while freezing) and freezes the manifest all
 * the way down; returns it. Throws `PolicyLoadError` for a corrupt part.
 */
export function freezeManifest(manifest: Manifest): Manifest {
  checkDeferred(manifest);
  return deepFreeze(manifest);
}

/** The parsed JSON of the module's manifest section; and that the module imports nothing. */
function manifestJson(module: WasmModule): unknown {
  const wasm = api();
  const imports = wasm.Module.imports(module);
  if (imports.length > 0) {
    const first = imports[0]!;
    throw new PolicyLoadError(`not an agp policy module: it imports \`${first.module ?? ""}.${first.name}\` (policy modules import nothing)`);
  }
  const sections = wasm.Module.customSections(module, MANIFEST_SECTION);
  if (sections.length === 0) throw new PolicyLoadError(`not an agp policy module: no \`${MANIFEST_SECTION}\` custom section`);
  if (sections.length > 1) throw new PolicyLoadError(`corrupt policy module: ${sections.length} \`${MANIFEST_SECTION}\` sections, expected one`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(sections[0]!);
  } catch {
    throw new PolicyLoadError(`corrupt policy manifest: the \`${MANIFEST_SECTION}\` section is not UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyLoadError(`corrupt policy manifest: the \`${MANIFEST_SECTION}\` section is not JSON (${messageOf(error)})`);
  }
}

/**
 * Freezes the manifest and everything in it. Walks arrays by index and
 * skips primitives without a call: a manifest holds long arrays of numbers
 * (automata) and strings (dictionaries), and this runs on every load.
 */
function deepFreeze<T>(value: T): T {
  freezeObject(value as unknown as object);
  return value;
}

function freezeObject(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === "object" && child !== null) freezeObject(child);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (typeof child === "object" && child !== null) freezeObject(child);
  }
}

/** Instantiates synchronously and checks the exports against the manifest. */
export function instantiateSync(module: WasmModule, manifest: Manifest): PolicyExports {
  let instance: WasmInstance;
  try {
    instance = new (api().Instance)(module, {});
  } catch (error) {
    throw new PolicyLoadError(`the policy module cannot be instantiated: ${messageOf(error)}`);
  }
  return checkExports(instance, manifest);
}

/** Instantiates asynchronously and checks the exports against the manifest. */
export async function instantiateAsync(module: WasmModule, manifest: Manifest): Promise<PolicyExports> {
  let instance: WasmInstance;
  try {
    instance = await api().instantiate(module, {});
  } catch (error) {
    throw new PolicyLoadError(`the policy module cannot be instantiated: ${messageOf(error)}`);
  }
  return checkExports(instance, manifest);
}

/** The exports, typed, after checking they exist, agree on the ABI and hold the input region. */
export function checkExports(instance: WasmInstance, manifest: Manifest): PolicyExports {
  const ex = instance.exports;
  for (const name of [EXPORTS.abiVersion, EXPORTS.input, EXPORTS.decide]) {
    if (typeof ex[name] !== "function") throw new PolicyLoadError(`not an agp policy module: no exported function \`${name}\``);
  }
  const memory = ex[EXPORTS.memory] as WasmMemory | undefined;
  if (typeof memory !== "object" || memory === null || typeof (memory.buffer as { byteLength?: unknown } | undefined)?.byteLength !== "number") {
    throw new PolicyLoadError(`not an agp policy module: no exported memory \`${EXPORTS.memory}\``);
  }
  const exports: PolicyExports = {
    abiVersion: ex[EXPORTS.abiVersion] as () => number,
    input: ex[EXPORTS.input] as () => number,
    decide: ex[EXPORTS.decide] as (a: number, f: number) => number,
    memory,
  };
  let abi: number;
  let input: number;
  try {
    abi = exports.abiVersion();
    input = exports.input() >>> 0;
  } catch (error) {
    throw new PolicyLoadError(`the policy module failed while reporting its ABI: ${messageOf(error)}`);
  }
  if (abi !== ABI_VERSION) {
    throw new PolicyLoadError(`the policy module reports ABI ${abi} but its manifest says ${manifest.abi}; the module is corrupt`);
  }
  const end = input + manifest.memory.slotBytes + manifest.memory.arenaBytes;
  if (end > memory.buffer.byteLength) {
    throw new PolicyLoadError(`corrupt policy module: the input region (${input}..${end}) lies outside its memory (${memory.buffer.byteLength} bytes)`);
  }
  if (manifest.session === undefined) return exports;
  for (const name of Object.values(SESSION_EXPORTS)) {
    if (typeof ex[name] !== "function") throw new PolicyLoadError(`not an agp policy module: its manifest has a session but no exported function \`${name}\``);
  }
  let region: number;
  try {
    region = (ex[SESSION_EXPORTS.region] as () => number)() >>> 0;
  } catch (error) {
    throw new PolicyLoadError(`the policy module failed while reporting its session region: ${messageOf(error)}`);
  }
  const regionEnd = region + SESSION.state + manifest.session.stateBytes;
  if (regionEnd > memory.buffer.byteLength || region % 8 !== 0) {
    throw new PolicyLoadError(`corrupt policy module: the session region (${region}..${regionEnd}) lies outside its memory (${memory.buffer.byteLength} bytes)`);
  }
  return {
    ...exports,
    session: {
      region,
      init: ex[SESSION_EXPORTS.init] as () => void,
      record: ex[SESSION_EXPORTS.record] as (a: number, e: number) => number,
      outcome: ex[SESSION_EXPORTS.outcome] as (a: number, o: number, c: number) => number,
    },
  };
}

function notWasm(error: unknown): PolicyLoadError {
  return new PolicyLoadError(`not a WebAssembly module: ${messageOf(error)}`);
}

/** An error's message, for load errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
