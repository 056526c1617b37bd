/**
 * Rule-count independence for every rule shape (issue 19): for each shape
 * of bench/scenarios/shapes-policy.ts (string and number equality, ranges,
 * suffixes, infixes, globs, disjunctions, group membership, a quantifier
 * over a request array) at 10, 100, 1,000 and 10,000 rules on one action:
 * agp's decision time on the request that hits only the last rule, its
 * growth against 10 rules, the cost bound `agp inspect` prints, and Cedar
 * (where Cedar can say the shape) on the same request; then the compile
 * time, .wasm and manifest size and fresh-bytes load time of each policy.
 *
 * In: nothing (`AGP_BENCH_MAX_RULES` lowers the top size,
 * `AGP_BENCH_SHAPES` picks shapes, comma-separated). Out: two tables.
 * Engines (agp, the hand-written JS function, Cedar) must agree on all
 * three requests (last rule, first rule, none) before anything is timed.
 * Reports; never asserts.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { loadPolicySync } from "../runtime/index.js";
import { MANIFEST_SECTION } from "../runtime/manifest.js";
import { COMPILE_LIMIT_MS, compileInWorker } from "./scenarios/compile-limited.js";
import { sameOutcome, showOutcome, type Outcome } from "./scenarios/description.js";
import { agpOutcome, cedarOutcome } from "./scenarios/engines.js";
import { perDecision, ratio, us, type Timing } from "./scenarios/measure.js";
import { SHAPE_TEXT, SHAPES, shapeScenario, type Shape } from "./scenarios/shapes-policy.js";
import { cedarCanSay, cedarRequest, toCedar } from "./scenarios/to-cedar.js";
import { toJs } from "./scenarios/to-js.js";
import { customSectionSize, freshCopy } from "./scenarios/wasm-bytes.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

/** Rule counts measured; `AGP_BENCH_MAX_RULES` lowers the top for a quick run. */
function sizes(): number[] {
  const max = Number(process.env["AGP_BENCH_MAX_RULES"] ?? "10000");
  return [10, 100, 1000, 10000].filter((n) => n <= max);
}

function shapes(): readonly Shape[] {
  const only = process.env["AGP_BENCH_SHAPES"];
  return only === undefined ? SHAPES : SHAPES.filter((s) => only.split(",").includes(s));
}

interface Row {
  readonly shape: Shape;
  readonly rules: number;
  readonly result?: {
    readonly agp: Timing;
    readonly cedar?: Timing;
    readonly costBound: number;
    readonly compileMs: number;
    readonly wasmBytes: number;
    readonly manifestBytes: number;
    readonly freshLoadMs: number;
  };
}

/** Fresh-bytes loads: each time new bytes (a nonce section), so V8 compiles the module anew. */
let nonce = 0;
export function freshLoadMs(wasm: Uint8Array, times: number): number {
  const loads: number[] = [];
  for (let i = 0; i < times; i++) {
    const bytes = freshCopy(wasm, ++nonce);
    const t = performance.now();
    loadPolicySync(bytes);
    loads.push(performance.now() - t);
  }
  return median(loads);
}

async function measure(shape: Shape, rules: number): Promise<Row> {
  const scenario = shapeScenario(shape, rules);
  const compiled = await compileInWorker({ kind: "shape", shape, rules });
  if (compiled === undefined) return { shape, rules };
  const engine = loadPolicySync(compiled.wasm);
  const js = toJs(scenario);
  const policies = cedarCanSay(scenario) ? toCedar(scenario) : undefined;
  const setId = `agp-bench-${scenario.name}`;
  if (policies !== undefined && cedar.preparsePolicySet(setId, { staticPolicies: policies }).type !== "success") throw new Error(`cedar does not parse ${scenario.name}`);
  const calls = scenario.requests.map((r) => ({ ...cedarRequest(r), preparsedPolicySetId: setId }));
  scenario.requests.forEach((request, i) => {
    const reference = agpOutcome(engine.decide(request));
    const o = js.decide(request);
    const others: [string, Outcome][] = [["js", { effect: o.effect, rules: [...o.rules].sort() }]];
    if (policies !== undefined) others.push(["cedar", cedarOutcome(cedar.statefulIsAuthorized(calls[i]!))]);
    for (const [name, got] of others) {
      if (!sameOutcome(reference, got)) throw new Error(`${scenario.name} request ${String(i)}: agp says ${showOutcome(reference)}, ${name} says ${showOutcome(got)}; nothing timed`);
    }
  });
  const request = scenario.requests[0]!;
  const agp = await perDecision(`agp ${scenario.name}`, () => engine.decide(request), 500);
  const cedarTiming = policies === undefined ? undefined : await perDecision(`cedar ${scenario.name}`, () => cedar.statefulIsAuthorized(calls[0]!), rules >= 1000 ? 800 : 400, rules >= 1000 ? 5 : 20, rules >= 1000 ? 2 : 16);
  return {
    shape,
    rules,
    result: {
      agp,
      ...(cedarTiming === undefined ? {} : { cedar: cedarTiming }),
      costBound: compiled.costBound,
      compileMs: compiled.ms,
      wasmBytes: compiled.wasm.length,
      manifestBytes: customSectionSize(compiled.wasm, MANIFEST_SECTION),
      freshLoadMs: freshLoadMs(compiled.wasm, rules >= 10000 ? 3 : 9),
    },
  };
}

async function run(): Promise<readonly BenchTable[]> {
  const rows: Row[] = [];
  // A throw-away first measurement: the process's first timings run cold (JIT, caches) and read 2–5x high.
  await measure(shapes()[0] ?? "key", 10);
  for (const shape of shapes()) for (const rules of sizes()) rows.push(await measure(shape, rules));
  const base = (shape: Shape) => rows.find((r) => r.shape === shape && r.rules === 10)?.result;
  const stopped = `compile stopped at ${String(COMPILE_LIMIT_MS / 1000)} s`;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const decisions: BenchTable = {
    title: "Rule shapes: decision time against rule count (one action, the request hits only the last rule)",
    columns: ["shape (rule i)", "rules", "agp median", "agp p99", "agp vs 10 rules", "inspect bound", "bound vs 10 rules", "cedar median", "cedar vs agp"],
    rows: rows.map(({ shape, rules, result: r }) =>
      r === undefined
        ? [SHAPE_TEXT[shape], rules.toLocaleString("en-US"), stopped, "", "", "", "", "", ""]
        : [
            SHAPE_TEXT[shape],
            rules.toLocaleString("en-US"),
            us(r.agp.median),
            us(r.agp.p99),
            ratio(r.agp.median / (base(shape)?.agp.median ?? NaN)),
            r.costBound.toLocaleString("en-US"),
            ratio(r.costBound / (base(shape)?.costBound ?? NaN)),
            r.cedar === undefined ? "no Cedar form" : us(r.cedar.median),
            r.cedar === undefined ? "" : ratio(r.cedar.median / r.agp.median),
          ],
    ),
    notes: [
      "One decision per sample (tinybench, timer overhead subtracted) from a JS object; agp, the hand-written JS function and Cedar agree on the last-rule, first-rule and no-rule requests before timing. Bound: the action's cost bound from the compiler (what `agp inspect` prints).",
      "Bar (issue 19): 10,000 rules within 1.3x of 10 rules; the bound constant or logarithmic in the rule count.",
    ],
  };
  const build: BenchTable = {
    title: "Rule shapes: compile time, size and fresh-bytes load against rule count",
    columns: ["shape (rule i)", "rules", "agp compile", ".wasm", "manifest", "manifest share", "fresh load (median)"],
    rows: rows.map(({ shape, rules, result: r }) =>
      r === undefined
        ? [SHAPE_TEXT[shape], rules.toLocaleString("en-US"), `> ${String(COMPILE_LIMIT_MS / 1000)} s (stopped)`, "", "", "", ""]
        : [
            SHAPE_TEXT[shape],
            rules.toLocaleString("en-US"),
            `${(r.compileMs / 1000).toFixed(2)} s`,
            kb(r.wasmBytes),
            kb(r.manifestBytes),
            `${((100 * r.manifestBytes) / r.wasmBytes).toFixed(0)}%`,
            `${r.freshLoadMs.toFixed(2)} ms`,
          ],
    ),
    notes: [
      "Compile: parse, check and compile from text in memory, in a worker after a warm-up compile of the same shape at 10 rules. Fresh load: `loadPolicySync` on bytes V8 has not seen (a nonce custom section appended), median of 9 (3 at 10,000 rules): WebAssembly compile, instantiate, manifest read, encoders built.",
    ],
  };
  return [decisions, build];
}

export const suite: BenchSuite = { name: "shapes", run };
