/**
 * Memory over 10 million decisions: resident set size, JS heap and the
 * policy module's linear memory, sampled along the way, on the latency
 * scenario's policy and request mix (bench/scenarios/latency-policy.ts).
 *
 * In: nothing (`AGP_BENCH_DECISIONS` lowers the count for a quick run).
 * Out: one table, one row per checkpoint, and the growth from the first
 * checkpoint to the last. The decisions run in a fresh child process
 * (bench/scenarios/memory-child.ts, `node --expose-gc`) that loads only the
 * runtime and the compiled policy, so its RSS is not inflated by the other
 * suites of the run. Reports; never asserts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compileScenario } from "./scenarios/compile.js";
import { latencyScenario } from "./scenarios/latency-policy.js";
import type { BenchSuite, BenchTable } from "./suite.js";

interface Checkpoint {
  readonly decisions: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly wasm: number;
  readonly seconds: number;
}

interface ChildReport {
  readonly baseline: number;
  readonly checkpoints: readonly Checkpoint[];
  readonly allowed: number;
}

const MiB = 1024 * 1024;

async function run(): Promise<readonly BenchTable[]> {
  const total = Number(process.env["AGP_BENCH_DECISIONS"] ?? "10000000");
  const directory = await mkdtemp(join(tmpdir(), "agp-bench-memory-"));
  let report: ChildReport;
  try {
    const wasmFile = join(directory, "latency.wasm");
    await writeFile(wasmFile, compileScenario(latencyScenario()).compiled.wasm);
    const child = fileURLToPath(new URL("./scenarios/memory-child.js", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", child, String(total), wasmFile], { maxBuffer: 1 << 20 });
    report = JSON.parse(stdout) as ChildReport;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const { checkpoints } = report;
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
        `A fresh \`node --expose-gc\` process loading only the runtime and the compiled policy (RSS before loading the policy: ${mib(report.baseline)} MiB); each checkpoint after a full GC; ${report.allowed.toLocaleString("en-US")} of the decisions were allows, as the mix intends (5 of 8).`,
        "Bar: no memory growth over 10 million decisions.",
      ],
    },
  ];
}

export const suite: BenchSuite = { name: "memory", run };
