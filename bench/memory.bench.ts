/**
 * Memory over 10 million decisions: resident set size, JS heap and the
 * policy module's linear memory, sampled along the way, on the latency
 * scenario's policy and request mix (bench/scenarios/latency-policy.ts).
 *
 * In: nothing (`AGP_BENCH_DECISIONS` lowers the count for a quick run).
 * Out: one table, one row per checkpoint, and the growth from the first
 * checkpoint to the last. `npm run bench` runs node with --expose-gc, so
 * each checkpoint is taken after a full collection. Reports; never asserts.
 */
import { buildEngines } from "./scenarios/engines.js";
import { latencyScenario } from "./scenarios/latency-policy.js";
import type { BenchSuite, BenchTable } from "./suite.js";

interface Checkpoint {
  readonly decisions: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly wasm: number;
  readonly seconds: number;
}

const MiB = 1024 * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

async function run(): Promise<readonly BenchTable[]> {
  const total = Number(process.env["AGP_BENCH_DECISIONS"] ?? "10000000");
  const engines = buildEngines(latencyScenario());
  const requests = engines.scenario.requests;
  const engine = engines.engine;
  const marks = [100_000, 1_000_000, 2_500_000, 5_000_000, 7_500_000, 10_000_000].filter((m) => m <= total);
  if (marks[marks.length - 1] !== total) marks.push(total);

  // Warm up, then the first checkpoint is the baseline.
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
    await new Promise((resolve) => setImmediate(resolve));
  }
  const first = checkpoints[1] ?? checkpoints[0]!;
  const last = checkpoints[checkpoints.length - 1]!;
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  const signed = (bytes: number) => `${bytes >= 0 ? "+" : ""}${mib(bytes)} MiB`;
  return [
    {
      title: `Memory over ${total.toLocaleString("en-US")} decisions (agp runtime, latency policy and request mix)`,
      columns: ["decisions", "RSS (MiB)", "JS heap used (MiB)", "wasm memory (MiB)", "elapsed (s)"],
      rows: checkpoints.map((c) => [c.decisions.toLocaleString("en-US"), mib(c.rss), mib(c.heapUsed), mib(c.wasm), c.seconds.toFixed(1)]),
      notes: [
        `Growth from ${first.decisions.toLocaleString("en-US")} to ${last.decisions.toLocaleString("en-US")} decisions: RSS ${signed(last.rss - first.rss)}, JS heap ${signed(last.heapUsed - first.heapUsed)}, wasm memory ${signed(last.wasm - first.wasm)}.`,
        `Each checkpoint after a full GC (${(globalThis as { gc?: unknown }).gc === undefined ? "not available: run node with --expose-gc" : "--expose-gc"}); ${allowed.toLocaleString("en-US")} of the decisions were allows, as the mix intends (5 of 8).`,
        "Bar: no memory growth over 10 million decisions.",
      ],
    },
  ];
}

export const suite: BenchSuite = { name: "memory", run };
