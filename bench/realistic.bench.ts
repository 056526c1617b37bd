/**
 * The realistic mixed policy of issue 19 (bench/scenarios/realistic-policy.ts:
 * four actions of twenty arguments, rules of one to three conditions of
 * every shape, requests with groups and, half the time, a human) at 10,
 * 100, 1,000 and 10,000 rules: agp's decision time over the request mix
 * against the hand-written JS floor and cedar-wasm, its growth against 10
 * rules, and what the rule count costs before the first decision (compile
 * time, .wasm and manifest size, fresh-bytes and cached load).
 *
 * In: nothing (`AGP_BENCH_MAX_RULES` lowers the top size). Out: two tables.
 * agp, the interpreter (up to 1,000 rules), the JS function and Cedar must
 * agree on all 16 requests before anything is timed. Reports; never asserts.
 */
import { loadPolicySync } from "../runtime/index.js";
import { MANIFEST_SECTION } from "../runtime/manifest.js";
import { COMPILE_LIMIT_MS, compileInWorker } from "./scenarios/compile-limited.js";
import { agreement, buildEngines, cedar, compileScenario } from "./scenarios/engines.js";
import { batched, ratio, us, type Timing } from "./scenarios/measure.js";
import { realisticScenario } from "./scenarios/realistic-policy.js";
import { customSectionSize } from "./scenarios/wasm-bytes.js";
import { freshLoadMs } from "./shapes.bench.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

function sizes(): number[] {
  const max = Number(process.env["AGP_BENCH_MAX_RULES"] ?? "10000");
  return [10, 100, 1000, 10000].filter((n) => n <= max);
}

interface Row {
  readonly rules: number;
  readonly result?: {
    readonly agp: Timing;
    readonly js: Timing;
    readonly cedar: Timing;
    readonly allowed: number;
    readonly compileMs: number;
    readonly wasmBytes: number;
    readonly manifestBytes: number;
    readonly freshLoadMs: number;
    readonly cachedLoadMs: number;
  };
}

async function measure(rules: number): Promise<Row> {
  const scenario = realisticScenario(rules);
  const compiled = await compileInWorker({ kind: "realistic", rules });
  if (compiled === undefined) return { rules };
  // The interpreter (compiled here again) checks the module up to 1,000 rules; past that, JS and Cedar do.
  const engines = buildEngines(scenario, rules <= 1000 ? compileScenario(scenario) : compiled.wasm);
  const problems = agreement(engines);
  if (problems.length > 0) throw new Error(`the engines disagree on ${scenario.name}; nothing timed:\n${problems.join("\n")}`);
  const requests = scenario.requests;
  const allowed = requests.filter((r) => engines.engine.decide(r).effect === "allow").length;
  const agp = await batched(`agp ${scenario.name}`, () => {
    for (const r of requests) engines.engine.decide(r);
  }, requests.length, 600);
  const js = await batched(`js ${scenario.name}`, () => {
    for (const r of requests) engines.js.decide(r);
  }, requests.length, 300);
  const calls = engines.cedarStatefulCalls;
  const cedarTiming = await batched(`cedar ${scenario.name}`, () => {
    for (const c of calls) cedar.statefulIsAuthorized(c);
  }, calls.length, rules >= 1000 ? 1500 : 600);
  const cached: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    loadPolicySync(compiled.wasm);
    cached.push(performance.now() - t);
  }
  return {
    rules,
    result: {
      agp,
      js,
      cedar: cedarTiming,
      allowed,
      compileMs: compiled.ms,
      wasmBytes: compiled.wasm.length,
      manifestBytes: customSectionSize(compiled.wasm, MANIFEST_SECTION),
      freshLoadMs: freshLoadMs(compiled.wasm, rules >= 10000 ? 3 : 9),
      cachedLoadMs: median(cached),
    },
  };
}

async function run(): Promise<readonly BenchTable[]> {
  const rows: Row[] = [];
  // A throw-away first measurement: the process's first timings run cold (JIT, caches) and read high.
  await measure(10);
  for (const rules of sizes()) rows.push(await measure(rules));
  const base = rows.find((r) => r.rules === 10)?.result;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const stopped = `compile stopped at ${String(COMPILE_LIMIT_MS / 1000)} s`;
  const decisions: BenchTable = {
    title: "Realistic mixed policy: decision time against rule count (16 requests, 4 actions, 20 arguments each)",
    columns: ["rules", "agp", "agp vs 10 rules", "JS floor", "agp vs JS", "cedar", "cedar vs agp", "allowed of 16"],
    rows: rows.map(({ rules, result: r }) =>
      r === undefined
        ? [rules.toLocaleString("en-US"), stopped, "", "", "", "", "", ""]
        : [
            rules.toLocaleString("en-US"),
            us(r.agp.median),
            ratio(r.agp.median / (base?.agp.median ?? NaN)),
            us(r.js.median),
            ratio(r.agp.median / r.js.median),
            us(r.cedar.median),
            ratio(r.cedar.median / r.agp.median),
            String(r.allowed),
          ],
    ),
    notes: [
      "Mean per decision over the 16-request mix (8 built to satisfy a random rule, 8 random), median of batched samples. agp: `engine.decide` from a JS object (validation, encoding, module, Decision). JS floor: the same rules as a hand-written function, no validation. Cedar: statefulIsAuthorized on the pre-parsed set.",
      "Bars (issue 19): 10,000 rules within 1.3x of 10 rules; cedar ≥ 100x slower at 10 rules and ≥ 1,000x at 1,000.",
    ],
  };
  const build: BenchTable = {
    title: "Realistic mixed policy: compile time, size and load against rule count",
    columns: ["rules", "agp compile", ".wasm", "KB per 1,000 rules", "manifest", "manifest share", "fresh load", "cached load"],
    rows: rows.map(({ rules, result: r }) =>
      r === undefined
        ? [rules.toLocaleString("en-US"), `> ${String(COMPILE_LIMIT_MS / 1000)} s (stopped)`, "", "", "", "", "", ""]
        : [
            rules.toLocaleString("en-US"),
            `${(r.compileMs / 1000).toFixed(2)} s`,
            kb(r.wasmBytes),
            (r.wasmBytes / 1024 / (rules / 1000)).toFixed(1),
            kb(r.manifestBytes),
            `${((100 * r.manifestBytes) / r.wasmBytes).toFixed(0)}%`,
            `${r.freshLoadMs.toFixed(2)} ms`,
            `${r.cachedLoadMs.toFixed(2)} ms`,
          ],
    ),
    notes: [
      "Compile: parse, check and compile in memory, in a worker after a warm-up compile at 10 rules. Fresh load: new bytes each time (V8 compiles anew); cached load: the same bytes again (V8's cache may hit). Bars: 10,000 rules compile in < 5 s; < 100 KB per 1,000 rules; load < 1 ms realistic, < 3 ms at 1,000 rules.",
    ],
  };
  return [decisions, build];
}

export const suite: BenchSuite = { name: "realistic", run };
