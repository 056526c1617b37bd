/**
 * A worker thread that compiles one benchmark scenario and posts back the
 * module's bytes, the compile time and the action's cost bound, so a suite
 * can give a compile a time limit (a worker can be terminated; a
 * synchronous compile on the main thread cannot).
 *
 * In: `workerData` (`CompileJob`). Out: one message `{ ms, wasm, costBound }`
 * (the largest cost bound over the policy's actions, what `agp inspect`
 * prints). A warm-up compile of the same scenario at 10 rules runs first, so
 * the time is the compile, not the compiler's start-up. Must not load the
 * runtime or Cedar.
 */
import { parentPort, workerData } from "node:worker_threads";
import { compileScenario } from "./compile.js";
import type { Scenario } from "./description.js";
import { realisticScenario } from "./realistic-policy.js";
import { scalingScenario, type Keyed } from "./scaling-policy.js";
import { shapeScenario, type Shape } from "./shapes-policy.js";

/** What to compile: a scaling scenario (the default), a rule shape, or the realistic mix. */
export type CompileJob =
  | { readonly kind?: "scaling"; readonly rules: number; readonly keyed: Keyed }
  | { readonly kind: "shape"; readonly rules: number; readonly shape: Shape }
  | { readonly kind: "realistic"; readonly rules: number };

/** The scenario of a job at `rules` rules. */
export function scenarioOf(job: CompileJob, rules: number): Scenario {
  if (job.kind === "shape") return shapeScenario(job.shape, rules);
  if (job.kind === "realistic") return realisticScenario(rules);
  return scalingScenario(rules, job.keyed);
}

const job = workerData as CompileJob | undefined;
if (job !== undefined && parentPort !== null) {
  compileScenario(scenarioOf(job, 10));
  const started = performance.now();
  const compiled = compileScenario(scenarioOf(job, job.rules));
  const ms = performance.now() - started;
  const wasm = compiled.compiled.wasm;
  const costBound = Math.max(0, ...compiled.compiled.ir.actions.map((a) => a.costBound));
  parentPort.postMessage({ ms, wasm, costBound }, [wasm.buffer as ArrayBuffer]);
}
