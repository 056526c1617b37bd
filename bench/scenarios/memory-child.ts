/**
 * The memory benchmark's measuring process: run by bench/memory.bench.ts as
 * a fresh `node --expose-gc` child, so the resident set it reports is the
 * runtime's and the policy's, not what other suites of the same run left
 * in their process (Cedar's interpreter, 10,000-rule compiles).
 *
 * In: argv[2], the number of decisions. Out: one JSON line on stdout,
 * `{ baseline, checkpoints, allowed }`: the RSS after loading the runtime
 * alone, then RSS, JS heap and wasm memory at each checkpoint, each after
 * a full GC. Loads only the runtime and a policy compiled beforehand
 * (argv[3], a .wasm file), never the compiler.
 */
import { readFileSync } from "node:fs";
import { loadPolicySync } from "../../runtime/index.js";
import { latencyScenario } from "./latency-policy.js";

interface Checkpoint {
  readonly decisions: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly wasm: number;
  readonly seconds: number;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

const total = Number(process.argv[2] ?? "10000000");
const wasmFile = process.argv[3];
if (wasmFile === undefined) throw new Error("usage: memory-child <decisions> <policy.wasm>");
collect();
const baseline = process.memoryUsage().rss;
const engine = loadPolicySync(readFileSync(wasmFile));
const requests = latencyScenario().requests;
const marks = [100_000, 1_000_000, 2_500_000, 5_000_000, 7_500_000, 10_000_000].filter((m) => m <= total);
if (marks[marks.length - 1] !== total) marks.push(total);

for (let i = 0; i < 100_000; i++) engine.decide(requests[i & 7]!);
const checkpoints: Checkpoint[] = [];
const start = performance.now();
let done = 0;
let allowed = 0;
for (const mark of [0, ...marks]) {
  for (; done < mark; done++) if (engine.decide(requests[done & 7]!).effect === "allow") allowed++;
  collect();
  const usage = process.memoryUsage();
  checkpoints.push({ decisions: mark, rss: usage.rss, heapUsed: usage.heapUsed, wasm: engine.memoryBytes(), seconds: (performance.now() - start) / 1000 });
}
process.stdout.write(`${JSON.stringify({ baseline, checkpoints, allowed })}\n`);
