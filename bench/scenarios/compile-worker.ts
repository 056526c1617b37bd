/**
 * A worker thread that compiles one scaling scenario and posts back the
 * module's bytes and the compile time, so the scaling suite can give a
 * compile a time limit (a worker can be terminated; a synchronous compile
 * on the main thread cannot).
 *
 * In: `workerData` `{ rules, keyed }`. Out: one message `{ ms, wasm }`.
 * A warm-up compile of 10 rules runs first, so the time is the compile,
 * not the compiler's start-up. Must not load the runtime or Cedar.
 */
import { parentPort, workerData } from "node:worker_threads";
import { compileScenario } from "./compile.js";
import { scalingScenario, type Keyed } from "./scaling-policy.js";

const { rules, keyed } = workerData as { rules: number; keyed: Keyed };
compileScenario(scalingScenario(10, keyed));
const started = performance.now();
const compiled = compileScenario(scalingScenario(rules, keyed));
const ms = performance.now() - started;
const wasm = compiled.compiled.wasm;
parentPort?.postMessage({ ms, wasm }, [wasm.buffer as ArrayBuffer]);
