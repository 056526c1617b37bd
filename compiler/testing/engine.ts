/**
 * The engines a test suite runs against, behind one interface: the
 * reference interpreter (compiler/interpret) and the compiled module loaded
 * by the runtime (runtime/index.ts).
 *
 * In: an interpreter, or the bytes of a compiled `.wasm`. Out: an `Engine`
 * whose `decide` never throws (both engines fail closed). Must not know about
 * tests: the runner compares what engines answer.
 */
import type { Decision, RuntimeState } from "../../runtime/decision.js";
import { loadPolicySync } from "../../runtime/index.js";
import type { CatalogSet } from "../catalog/index.js";
import type { CheckedPolicySet } from "../check/index.js";
import type { Diagnostic } from "../diagnostics/index.js";
import type { Interpreter } from "../interpret/index.js";

/** Anything that decides requests: the test harness's only view of an engine. */
export interface Engine {
  /** Shown in reports: `interpreter`, `wasm`. */
  readonly name: string;
  decide(request: unknown, state?: RuntimeState): Decision;
}

/** The reference interpreter as an engine. */
export function interpreterEngine(interpreter: Interpreter): Engine {
  return { name: "interpreter", decide: (request, state) => interpreter.decide(request, state) };
}

/** A compiled policy module, loaded by the runtime, as an engine. Throws `PolicyLoadError` for a bad module. */
export function wasmEngine(bytes: Uint8Array): Engine {
  const engine = loadPolicySync(bytes);
  return { name: "wasm", decide: (request, state) => engine.decide(request, state) };
}

/**
 * The compiler's entry point as the harness needs it: a checked policy set
 * and its catalogs in, the `.wasm` bytes (or why there are none) out. The
 * CLI passes compiler/compile's `compilePolicy`; tests pass fakes.
 */
export type CompileToWasm = (checked: CheckedPolicySet, catalogs: CatalogSet) => Promise<CompiledWasm> | CompiledWasm;

/** What a compiler gives back: the module's bytes, or diagnostics saying why there is none (or both). */
export type CompiledWasm = Uint8Array | { readonly wasm?: Uint8Array; readonly diagnostics: readonly Diagnostic[] };

/** The parts of a decision every engine must agree on (everything but the bundle's hash and version). */
export function comparableDecision(decision: Decision): Omit<Decision, "policy"> {
  const { policy: _policy, ...rest } = decision;
  return rest;
}
