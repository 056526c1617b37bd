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
import { needsSession, type Interpreter, type SessionEvent } from "../interpret/index.js";

/** Anything that decides requests: the test harness's only view of an engine. */
export interface Engine {
  /** Shown in reports: `interpreter`, `wasm`. */
  readonly name: string;
  decide(request: unknown, state?: RuntimeState): Decision;
  /** A new session for a trace case (docs/decisions/0024-session-rules.md). */
  session(): SessionRunner;
}

/**
 * One session of a trace case, as an engine keeps it: the interpreter the
 * whole trace, the module its compact state. Handles of recorded calls are
 * the engine's own.
 */
export interface SessionRunner {
  decide(request: unknown, state: RuntimeState | undefined, now: number): Decision;
  /** Records a decided call; a handle for its outcome, `undefined` when the call is no event of the session, or an error. */
  record(request: unknown, now: number, effect: Decision["effect"]): { handle?: number } | { error: string };
  outcome(request: unknown, now: number, handle: number, outcome: "succeeded" | "failed" | "rolled_back"): { error?: string };
  /** The session input the interpreter would get now (for explanations and coverage). */
  readonly trace?: () => SessionEvent[];
}

/** The reference interpreter as an engine. */
export function interpreterEngine(interpreter: Interpreter): Engine {
  return {
    name: "interpreter",
    decide: (request, state) => interpreter.decide(request, state),
    session: () => {
      const trace: SessionEvent[] = [];
      return {
        trace: () => [...trace],
        decide: (request, state, now) => interpreter.decide(request, state, { now, trace }),
        record: (request, now, effect) => {
          if (!needsSession(interpreter.model, request)) return {};
          trace.push({ kind: "call", time: now, request, effect });
          return { handle: trace.length - 1 };
        },
        outcome: (_request, now, handle, outcome) => {
          trace.push({ kind: "outcome", time: now, call: handle, outcome });
          return {};
        },
      };
    },
  };
}

/** A compiled policy module, loaded by the runtime, as an engine. Throws `PolicyLoadError` for a bad module. */
export function wasmEngine(bytes: Uint8Array): Engine {
  const engine = loadPolicySync(bytes);
  return {
    name: "wasm",
    decide: (request, state) => engine.decide(request, state),
    session: () => {
      let state: Uint8Array | undefined;
      const input = (now: number) => (state === undefined ? { now } : { now, state });
      return {
        decide: (request, runtimeState, now) => engine.decide(request, runtimeState, input(now)),
        record: (request, now, effect) => {
          const update = engine.record(request, input(now), effect);
          if (!update.ok) return { error: update.error.message };
          if (update.call === 0) return {};
          state = update.state;
          return { handle: update.call };
        },
        outcome: (request, now, handle, outcome) => {
          const update = engine.outcome(request, input(now), handle, outcome);
          if (!update.ok) return { error: update.error.message };
          state = update.state;
          return {};
        },
      };
    },
  };
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
