/**
 * Runs one compile job in a worker thread under a time limit (the
 * `AGP_BENCH_COMPILE_LIMIT_S` knob, default 120 s), for the suites that
 * measure compile time at scale.
 *
 * In: a `CompileJob`. Out: `{ ms, wasm, costBound }`, or undefined when the
 * compile took longer than the limit (the worker is stopped). Must not time
 * decisions.
 */
import { Worker } from "node:worker_threads";
import type { CompileJob } from "./compile-worker.js";

/** How long one compile may take before a suite gives up on that row. */
export const COMPILE_LIMIT_MS = Number(process.env["AGP_BENCH_COMPILE_LIMIT_S"] ?? "120") * 1000;

/** A compile's result as the worker posts it. */
export interface WorkerCompile {
  readonly ms: number;
  readonly wasm: Uint8Array;
  readonly costBound: number;
}

/** Compiles in a worker; undefined when it takes longer than COMPILE_LIMIT_MS. */
export function compileInWorker(job: CompileJob): Promise<WorkerCompile | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./compile-worker.js", import.meta.url), { workerData: job });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(undefined);
    }, COMPILE_LIMIT_MS);
    worker.once("message", (message: WorkerCompile) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(message);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
