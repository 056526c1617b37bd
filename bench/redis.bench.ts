/**
 * Shared state on Redis: checks per second and latency for 1, 2 and 4
 * gateway processes against one Redis on this machine, with audit on
 * (one shared chain), beside one process on the file store, in one run.
 *
 * In: nothing (skips with a note when redis-server is not installed).
 * Out: one table. Each row forks its gateway processes
 * (bench/scenarios/gateway-child.ts) with the same start time; each keeps
 * `IN_FLIGHT` checks in flight for `AGP_BENCH_REDIS_MS` (default 4000 ms);
 * `AGP_BENCH_REDIS_FSYNC=everysec` runs Redis without a per-write fsync.
 * Every check reserves a rate limit (cap never reached: every answer is
 * `run`) and writes its audit entry before answering. Reports; never asserts.
 */
import { fork } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog, mergeCatalogs } from "../compiler/catalog/index.js";
import { check } from "../compiler/check/index.js";
import { compilePolicy } from "../compiler/compile/index.js";
import { parse } from "../compiler/syntax/index.js";
import { hasRedis, startRedis } from "./scenarios/redis-server.js";
import { median, percentile, type BenchSuite, type BenchTable } from "./suite.js";

const IN_FLIGHT = 16;
const DURATION_MS = Number(process.env["AGP_BENCH_REDIS_MS"] ?? 4000);
/** Redis's AOF fsync policy for the run: `always` (what production needs, the default) or `everysec` to see what fsync costs. */
const FSYNC = process.env["AGP_BENCH_REDIS_FSYNC"] === "everysec" ? "everysec" : "always";
const POLICY = `rule deploys: allow deploy.*\nlimit deploy_rate: 1000000000 per day per agent.id on deploy.*\n`;
const CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "deploy",
  actions: { service: { args: { type: "object", properties: { service: { type: "string", maxLength: 64 } }, required: ["service"] } } },
};

interface ChildResult {
  readonly checks: number;
  readonly runs: number;
  readonly errors: number;
  readonly seconds: number;
  readonly latencies: number[];
}

function compileBenchPolicy(): Uint8Array {
  const catalog = loadCatalog("deploy.json", JSON.stringify(CATALOG)).catalog;
  if (catalog === undefined) throw new Error("the benchmark catalog does not load");
  const catalogs = mergeCatalogs([catalog]).set;
  const parsed = parse(POLICY, "bench.agp");
  const checked = check({ files: [parsed.file], catalogs }).checked;
  if (checked === undefined) throw new Error("the benchmark policy does not check");
  const compiled = compilePolicy(checked, catalogs).compiled;
  if (compiled === undefined) throw new Error("the benchmark policy does not compile");
  return compiled.wasm;
}

function runChild(wasm: string, store: string, start: number): Promise<ChildResult> {
  const child = fork(fileURLToPath(new URL("./scenarios/gateway-child.js", import.meta.url)), [wasm, store, String(IN_FLIGHT), String(DURATION_MS), String(start)], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`a gateway process exited with ${code}`))));
  });
}

async function row(label: string, wasm: string, stores: readonly string[]): Promise<(string | number)[]> {
  const start = Date.now() + 1500; // every process loaded and connected before the clock starts
  const results = await Promise.all(stores.map((store) => runChild(wasm, store, start)));
  const checks = results.reduce((n, r) => n + r.checks, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  const latencies = results.flatMap((r) => r.latencies);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const p50 = median([...latencies]);
  const p99 = percentile(latencies, 99);
  return [label, stores.length, Math.round(checks / seconds), p50.toFixed(2), p99.toFixed(2), errors];
}

async function run(): Promise<readonly BenchTable[]> {
  const columns = ["state", "gateway processes", "checks/s (all processes)", "p50 ms", "p99 ms", "errors"];
  if (!hasRedis) return [{ title: "Shared state on Redis", columns, rows: [], notes: ["redis-server is not installed (scripts/test-deps.sh installs it): skipped."] }];
  const dir = await mkdtemp(join(tmpdir(), "agp-bench-redis-"));
  const wasm = join(dir, "policy.wasm");
  await writeFile(wasm, compileBenchPolicy());
  const redis = await startRedis({ appendfsync: FSYNC });
  const rows: (string | number)[][] = [];
  try {
    rows.push(await row("file store + file audit (fsync always)", wasm, [`file:${join(dir, "file-state")}`]));
    for (const n of [1, 2, 4]) {
      rows.push(await row(`Redis store + shared audit chain (appendfsync ${FSYNC})`, wasm, Array.from({ length: n }, () => `redis:${redis.url}:bench${n}`)));
    }
  } finally {
    await redis.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return [
    {
      title: "Shared state on Redis: checks per second and latency, audit on",
      columns,
      rows,
      notes: [
        `Each gateway process keeps ${IN_FLIGHT} checks in flight for ${DURATION_MS} ms; latency is per check, over every check of every process.`,
        "A check: kill switch read, request-id and trust reads, decision, a rate-limit reservation (claim, charge, confirm), the audit entry (one shared hash chain on Redis, re-linked after a lost race), the run record.",
        `Redis runs on the same machine (loopback), started fresh for the run with --appendonly yes --appendfsync ${FSYNC} (AGP_BENCH_REDIS_FSYNC=everysec shows what fsync costs). The file store is one process by design (it cannot be shared).`,
      ],
    },
  ];
}

/** The Redis suite. */
export const suite: BenchSuite = { name: "redis", run };
