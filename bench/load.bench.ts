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
 * 10000). Out: two tables. Every load gets bytes V8 has never seen (a
 * nonce custom section), so no code cache hits. Reports; never asserts.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Engine } from "../runtime/engine.js";
import { loadPolicySync } from "../runtime/index.js";
import { checkManifest } from "../runtime/load/check-manifest.js";
import { compileSync, instantiateSync, readManifest } from "../runtime/load/module.js";
import { ABI_VERSION, MANIFEST_SECTION } from "../runtime/manifest.js";
import { compileInWorker, COMPILE_LIMIT_MS } from "./scenarios/compile-limited.js";
import type { CompileJob } from "./scenarios/compile-worker.js";
import { scenarioOf } from "./scenarios/compile-worker.js";
import { cedar } from "./scenarios/engines.js";
import { toCedar } from "./scenarios/to-cedar.js";
import { customSectionSize, freshCopy } from "./scenarios/wasm-bytes.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

const LOADS = 21;
const WARM_LOADS = 10;


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
  readonly load: number;
  readonly compile: number;
  readonly manifest: number;
  readonly instantiate: number;
  readonly engine: number;
  /** Reading the ABI 3 form: parse, check, freeze, as the runtime did before. */
  readonly oldManifest: number;
  readonly cedarParse: number;
}

let nonce = 0;

/** The ABI 3 read path, for the before/after column: JSON.parse, the check, the old deep freeze. */
function oldRead(text: string): void {
  const freeze = (value: unknown): void => {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const child of Object.values(value)) freeze(child);
    }
  };
  freeze(checkManifest(JSON.parse(text)));
}

async function measure(label: string, job: CompileJob): Promise<Row | undefined> {
  const compiled = await compileInWorker(job);
  if (compiled === undefined) return undefined;
  const wasm = compiled.wasm;
  const manifest = loadPolicySync(wasm).manifest;
  // What ABI 3 put in the section (marked with today's ABI so today's checker reads it).
  const oldText = JSON.stringify({ ...manifest, abi: ABI_VERSION });
  const parts = { load: [] as number[], compile: [] as number[], manifest: [] as number[], instantiate: [] as number[], engine: [] as number[], oldManifest: [] as number[] };
  // Untimed loads first: the loader's JavaScript runs optimized from then on, as in a process that has loaded before.
  for (let i = 0; i < WARM_LOADS; i++) loadPolicySync(freshCopy(wasm, ++nonce));
  for (let i = 0; i < LOADS; i++) {
    // The public call on new bytes, then the same steps one by one on other new bytes.
    const whole = freshCopy(wasm, ++nonce);
    let t = performance.now();
    loadPolicySync(whole);
    parts.load.push(performance.now() - t);
    const bytes = freshCopy(wasm, ++nonce);
    t = performance.now();
    const module = compileSync(bytes);
    let u = performance.now();
    parts.compile.push(u - t);
    t = u;
    const read = readManifest(module);
    u = performance.now();
    parts.manifest.push(u - t);
    t = u;
    const exports = instantiateSync(module, read);
    u = performance.now();
    parts.instantiate.push(u - t);
    t = u;
    new Engine(module, read, exports);
    u = performance.now();
    parts.engine.push(u - t);
    t = u;
    oldRead(oldText);
    parts.oldManifest.push(performance.now() - t);
  }
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
    load: median(parts.load),
    compile: median(parts.compile),
    manifest: median(parts.manifest),
    instantiate: median(parts.instantiate),
    engine: median(parts.engine),
    oldManifest: median(parts.oldManifest),
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
  // A throw-away first measurement: the process's first loads run cold.
  await measure("warm-up", { kind: "realistic", rules: 10 });
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const { label, job } of jobs()) {
    const row = await measure(label, job);
    if (row === undefined) skipped.push(label);
    else rows.push(row);
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
    columns: ["policy", "agp fresh load", "wasm compile", "manifest read", "instantiate", "engine", "ABI 3 manifest read", "cedar pre-parse", "cedar vs agp"],
    rows: rows.map((r) => [r.label, ms(r.load), ms(r.compile), ms(r.manifest), ms(r.instantiate), ms(r.engine), ms(r.oldManifest), ms(r.cedarParse), `${(r.cedarParse / r.load).toFixed(1)}x`]),
    notes: [
      `Medians of ${String(LOADS)} loads after ${String(WARM_LOADS)} untimed ones (the loader's JavaScript warm, as in a process that has loaded a policy before), each of bytes V8 has never seen (a nonce custom section appended). The public call reads higher than its steps' sum on this machine: the first wasm compile of an iteration seems to pay for work the previous iteration left (V8 freeing dead modules' code, other processes); we did not pin it down. agp fresh load: \`loadPolicySync\` as a host calls it; the next four columns are its steps timed one by one on other new bytes (wasm compile; reading the manifest: section, JSON, unpacking, checks, freezing; instantiation and export checks; the engine: finishing tables and request intake). ABI 3 manifest read: the same manifest in the ABI 3 form read as that runtime did (parse, check, freeze).`,
      `cedar pre-parse: \`preparsePolicySet\` of the same policies as Cedar text (median of 5), what Cedar does to load a policy set; its 4.3 MB engine module itself takes ${ms(cedarEngine)} to compile from new bytes, once per process.`,
      "Bars (issue 19): load < 1 ms for a realistic policy, < 3 ms at 1,000 rules.",
    ],
  };
  return [size, load];
}

export const suite: BenchSuite = { name: "load", run };
