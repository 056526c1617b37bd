/**
 * The load benchmark's measuring process: run by bench/load.bench.ts as a
 * fresh `node` child per sample, so each load is of bytes this V8 has never
 * seen, in a heap no earlier load filled (hundreds of loads in one process
 * pile up wasm memories whose collection lands in whichever load comes next).
 *
 * In: argv[2], a .wasm file compiled beforehand. Out: one JSON line on
 * stdout: `cold` (and `coldCpu`, its CPU time), the process's first `loadPolicySync` (its JavaScript not
 * yet optimized, as when a gateway starts); `warm` (`warmCpu`), a second load of other
 * new bytes; the second load's steps one by one on third new bytes
 * (`compile`, `manifest` — `openManifest`, what `loadPolicySync` reads, rules and
 * action schemas left to their first use (ADR 0050) — `instantiate`, `engine`); and `oldManifest`, the
 * same manifest in its ABI 3 form read as that runtime did (parse, check,
 * freeze). Milliseconds. Loads only the runtime, never the compiler.
 */
import { readFileSync } from "node:fs";
import { Engine } from "../../runtime/engine.js";
import { loadPolicySync } from "../../runtime/index.js";
import { checkManifest } from "../../runtime/load/check-manifest.js";
import { compileSync, instantiateSync, openManifest } from "../../runtime/load/module.js";
import { ABI_VERSION } from "../../runtime/manifest.js";
import { freshCopy } from "./wasm-bytes.js";

/** What one child reports. */
export interface LoadSample {
  readonly cold: number;
  readonly warm: number;
  /** CPU time (user + system, every thread of the process) of the first and the next load: what a loaded machine's scheduling does not inflate. */
  readonly coldCpu: number;
  readonly warmCpu: number;
  readonly compile: number;
  readonly manifest: number;
  readonly instantiate: number;
  readonly engine: number;
  readonly oldManifest: number;
}

/** The ABI 3 read path: JSON.parse, the check, the old deep freeze (Object.values on everything). */
function oldRead(text: string): void {
  const freeze = (value: unknown): void => {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const child of Object.values(value)) freeze(child);
    }
  };
  freeze(checkManifest(JSON.parse(text)));
}

const file = process.argv[2];
if (file !== undefined) {
  const wasm = new Uint8Array(readFileSync(file));
  let nonce = process.pid * 10;
  const cpu = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const firstBytes = freshCopy(wasm, ++nonce);
  const nextBytes = freshCopy(wasm, ++nonce);
  let c = process.cpuUsage();
  let t = performance.now();
  const first = loadPolicySync(firstBytes);
  const cold = performance.now() - t;
  const coldCpu = cpu(c);
  c = process.cpuUsage();
  t = performance.now();
  loadPolicySync(nextBytes);
  const warm = performance.now() - t;
  const warmCpu = cpu(c);
  const bytes = freshCopy(wasm, ++nonce);
  t = performance.now();
  const module = compileSync(bytes);
  let u = performance.now();
  const compile = u - t;
  t = u;
  const manifest = openManifest(module);
  u = performance.now();
  const read = u - t;
  t = u;
  const exports = instantiateSync(module, manifest);
  u = performance.now();
  const instantiate = u - t;
  t = u;
  new Engine(module, manifest, exports);
  const engine = performance.now() - t;
  // The ABI 3 section held the manifest as plain JSON (marked with today's ABI so today's checker reads it).
  const oldText = JSON.stringify({ ...first.manifest, abi: ABI_VERSION });
  t = performance.now();
  oldRead(oldText);
  const oldManifest = performance.now() - t;
  const sample: LoadSample = { cold, warm, coldCpu, warmCpu, compile, manifest: read, instantiate, engine, oldManifest };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
