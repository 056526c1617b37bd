/**
 * What a policy costs before its first decision (issue 19, "Compile, size
 * and load at scale"; ADR 0044): module and manifest size, and loading
 * fresh bytes split into its parts — compiling the wasm, reading the
 * manifest, instantiating, building the engine — for the realistic mixed
 * policy at 10, 100 and 1,000 rules and two one-shape policies at 1,000;
 * beside the manifest as ABI 3 wrote it (its size, and the time to read it
 * the old way) and cedar-wasm loading the same policies.
 *
 * In: nothing (`AGP_BENCH_MAX_RULES` raises the top realistic size, e.g.
 * 10000). Out: two tables. Loads run in fresh child processes
 * (scenarios/load-child.ts), each of bytes V8 has never seen (a nonce
 * custom section), so no code cache hits. Reports; never asserts.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadPolicySync } from "../runtime/index.js";
import { compileSync } from "../runtime/load/module.js";
import { MANIFEST_SECTION } from "../runtime/manifest.js";
import { compileInWorker, COMPILE_LIMIT_MS } from "./scenarios/compile-limited.js";
import type { CompileJob } from "./scenarios/compile-worker.js";
import { scenarioOf } from "./scenarios/compile-worker.js";
import { cedar } from "./scenarios/engines.js";
import { toCedar } from "./scenarios/to-cedar.js";
import type { LoadSample } from "./scenarios/load-child.js";
import { customSectionSize, freshCopy } from "./scenarios/wasm-bytes.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

const CHILDREN = 11;

function jobs(): { label: string; job: CompileJob }[] {
  const max = Number(process.env["AGP_BENCH_MAX_RULES"] ?? "1000");
  return [
    ...[10, 100, 1000, 10000].filter((n) => n <= max).map((rules) => ({ label: `realistic, ${rules.toLocaleString("en-US")} rules`, job: { kind: "realistic" as const, rules } })),
    { label: "key equality, 1,000 rules", job: { kind: "shape", shape: "key", rules: 1000 } },
    { label: "groups, 1,000 rules", job: { kind: "shape", shape: "group", rules: 1000 } },
  ];
}

interface Row {
  readonly label: string;
  readonly rules: number;
  readonly wasmBytes: number;
  readonly manifestBytes: number;
  /** The same manifest as ABI 3 wrote it (plain JSON, rules as objects). */
  readonly oldManifestBytes: number;
  /** Medians over the children (bench/scenarios/load-child.ts). */
  readonly load: LoadSample;
  readonly cedarParse: number;
}

let nonce = 0;

async function measure(label: string, job: CompileJob, directory: string): Promise<Row | undefined> {
  const compiled = await compileInWorker(job);
  if (compiled === undefined) return undefined;
  const wasm = compiled.wasm;
  const manifest = loadPolicySync(wasm).manifest;
  const wasmFile = join(directory, `load-${String(++nonce)}.wasm`);
  await writeFile(wasmFile, wasm);
  const child = fileURLToPath(new URL("./scenarios/load-child.js", import.meta.url));
  const samples: LoadSample[] = [];
  for (let i = 0; i < CHILDREN; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, [child, wasmFile], { maxBuffer: 1 << 20 });
    samples.push(JSON.parse(stdout) as LoadSample);
  }
  const mid = (key: keyof LoadSample) => median(samples.map((s) => s[key]));
  const scenario = scenarioOf(job, job.rules);
  const policies = toCedar(scenario);
  const cedarParse: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const parsed = cedar.preparsePolicySet(`agp-bench-load-${String(++nonce)}`, { staticPolicies: policies });
    cedarParse.push(performance.now() - t);
    if (parsed.type !== "success") throw new Error(`cedar does not parse ${scenario.name}`);
  }
  return {
    label,
    rules: job.rules,
    wasmBytes: wasm.length,
    manifestBytes: customSectionSize(wasm, MANIFEST_SECTION),
    oldManifestBytes: new TextEncoder().encode(JSON.stringify(manifest)).length,
    load: { cold: mid("cold"), warm: mid("warm"), coldCpu: mid("coldCpu"), warmCpu: mid("warmCpu"), compile: mid("compile"), manifest: mid("manifest"), instantiate: mid("instantiate"), engine: mid("engine"), oldManifest: mid("oldManifest") },
    cedarParse: median(cedarParse),
  };
}

/** cedar-wasm's own engine compiled from new bytes: what a fresh process pays once before any Cedar policy loads. */
function cedarEngineCompileMs(): number {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve("@cedar-policy/cedar-wasm/nodejs")), "cedar_wasm_bg.wasm");
  const bytes = new Uint8Array(readFileSync(file));
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const fresh = freshCopy(bytes, ++nonce);
    const t = performance.now();
    compileSync(fresh);
    times.push(performance.now() - t);
  }
  return median(times);
}

async function run(): Promise<readonly BenchTable[]> {
  const rows: Row[] = [];
  const skipped: string[] = [];
  const directory = await mkdtemp(join(tmpdir(), "agp-bench-load-"));
  try {
    for (const { label, job } of jobs()) {
      const row = await measure(label, job, directory);
      if (row === undefined) skipped.push(label);
      else rows.push(row);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const cedarEngine = cedarEngineCompileMs();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const size: BenchTable = {
    title: "Module and manifest size (ABI 4 compact manifest beside the ABI 3 JSON of the same manifest)",
    columns: ["policy", ".wasm", "KB per 1,000 rules", "manifest", "manifest share", "ABI 3 manifest", "ABI 3 .wasm (estimated)", "manifest shrunk"],
    rows: rows.map((r) => [
      r.label,
      kb(r.wasmBytes),
      ((r.wasmBytes / 1024) * (1000 / r.rules)).toFixed(1),
      kb(r.manifestBytes),
      `${((100 * r.manifestBytes) / r.wasmBytes).toFixed(0)}%`,
      kb(r.oldManifestBytes),
      kb(r.wasmBytes - r.manifestBytes + r.oldManifestBytes),
      `${(r.oldManifestBytes / r.manifestBytes).toFixed(1)}x`,
    ]),
    notes: [
      "ABI 3 manifest: the same manifest serialized as ABI 3 did (plain JSON, every rule an object with its file name); the ABI 3 .wasm is today's module with that section instead (section-length bytes aside).",
      "Bar (issue 19): < 100 KB of .wasm per 1,000 rules. About 19 KB of every module is the stdlib and the decision machinery, so the per-1,000 figure means little below 1,000 rules.",
      ...(skipped.length > 0 ? [`Not compiled within ${String(COMPILE_LIMIT_MS / 1000)} s: ${skipped.join(", ")}.`] : []),
    ],
  };
  const load: BenchTable = {
    title: "Loading fresh bytes: agp's parts, the ABI 3 manifest read, and cedar-wasm",
    columns: ["policy", "agp first load", "CPU", "agp next load", "CPU", "wasm compile", "manifest read", "instantiate", "engine", "ABI 3 manifest read", "cedar pre-parse", "cedar vs agp next"],
    rows: rows.map(({ label, load: l, cedarParse }) => [label, ms(l.cold), ms(l.coldCpu), ms(l.warm), ms(l.warmCpu), ms(l.compile), ms(l.manifest), ms(l.instantiate), ms(l.engine), ms(l.oldManifest), ms(cedarParse), `${(cedarParse / l.warm).toFixed(1)}x`]),
    notes: [
      `Medians over ${String(CHILDREN)} fresh \`node\` processes (bench/scenarios/load-child.ts), every load of bytes V8 has never seen (a nonce custom section appended). First load: the process's first \`loadPolicySync\`, its JavaScript not yet optimized (a gateway starting). Next load: a second \`loadPolicySync\` of other new bytes (a policy update in a running process). CPU: the process's CPU time over that load (user + system, all threads, so V8's background compile and GC threads count), which a loaded machine's scheduling does not inflate as it does wall time. The next four columns are that load's steps timed one by one on third new bytes: wasm compile; opening the manifest as \`loadPolicySync\` does (section, JSON, the checks not deferred to first use: ADR 0050); instantiation and export checks; the engine (what it builds before the first request). ABI 3 manifest read: the same manifest in the ABI 3 form, read as that runtime did (parse, check, freeze), in the same process.`,
      `cedar pre-parse: \`preparsePolicySet\` of the same policies as Cedar text (median of 5, in the suite's process), what Cedar does to load a policy set; its 4.3 MB engine module itself takes ${ms(cedarEngine)} to compile from new bytes, once per process.`,
      "Bars (issue 19): load < 1 ms for a realistic policy, < 3 ms at 1,000 rules.",
    ],
  };
  return [size, load];
}

export const suite: BenchSuite = { name: "load", run };
