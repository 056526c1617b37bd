/**
 * Decision latency, side by side on one policy and one request mix: the
 * agp runtime from a JS request object, the agp JSON-bytes path
 * (`loadJsonDecider`), the reference interpreter, a hand-written JS function
 * (the practical floor), and @cedar-policy/cedar-wasm on the equivalent
 * Cedar policy set, both `statefulIsAuthorized` (pre-parsed policies) and
 * plain `isAuthorized`. All come from one rule description
 * (bench/scenarios/latency-policy.ts), and all must agree on every request
 * before anything is timed.
 *
 * In: nothing. Out: one table (median and p99 per decision, two ways, and
 * the ratios the performance bars are read against). Reports; never asserts.
 */
import { loadJsonDeciderSync, loadPolicySync, type AgentRequest } from "../runtime/index.js";
import { agpOutcome, agreement, buildEngines, cedar } from "./scenarios/engines.js";
import { sameOutcome, showOutcome } from "./scenarios/description.js";
import { latencyScenario } from "./scenarios/latency-policy.js";
import { batched, perDecision, ratio, us, type Timing } from "./scenarios/measure.js";
import { withValidation } from "./scenarios/validated-js.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

const TIME_MS = 1500;

interface Row {
  readonly engine: string;
  readonly mix?: Timing;
  readonly single?: Timing;
  readonly note?: string;
}

async function time(engine: string, decide: (i: number) => unknown, count: number, timeMs = TIME_MS): Promise<Row> {
  const mix = await batched(engine, () => {
    for (let i = 0; i < count; i++) decide(i);
  }, count, timeMs);
  let next = 0;
  const single = await perDecision(engine, () => decide(next++ % count), timeMs);
  return { engine, mix, single };
}

async function run(): Promise<readonly BenchTable[]> {
  const engines = buildEngines(latencyScenario());
  const requests: readonly AgentRequest[] = engines.scenario.requests;
  const n = requests.length;
  const problems = agreement(engines, { plain: true });
  if (problems.length > 0) throw new Error(`the engines disagree; nothing timed:\n${problems.join("\n")}`);

  const rows: Row[] = [];
  rows.push(await time("hand-written JS function (floor)", (i) => engines.js.decide(requests[i]!), n));
  const validated = withValidation(engines.scenario, engines.js);
  for (const r of requests) if (validated(r).effect !== engines.js.decide(r).effect) throw new Error("the validated JS function disagrees");
  rows.push(await time("hand-written JS function + Ajv args validation", (i) => validated(requests[i]!), n));
  const agp = await time("agp, JS object → runtime → wasm", (i) => engines.engine.decide(requests[i]!), n);
  rows.push(agp);
  const json = loadJsonDeciderSync(engines.engine);
  const encoder = new TextEncoder();
  const bytes = requests.map((r) => encoder.encode(JSON.stringify(r)));
  bytes.forEach((b, i) => {
    const viaJson = agpOutcome(json.decideJson(b));
    const viaObject = agpOutcome(engines.engine.decide(requests[i]!));
    if (!sameOutcome(viaJson, viaObject)) throw new Error(`the JSON path disagrees on request ${String(i)}: ${showOutcome(viaJson)} vs ${showOutcome(viaObject)}`);
  });
  rows.push(await time("agp, JSON bytes → wasm (loadJsonDecider)", (i) => json.decideJson(bytes[i]!), n));
  const interpreter = engines.interpreter;
  if (interpreter !== undefined) rows.push(await time("agp reference interpreter", (i) => interpreter.decide(requests[i]!), n));
  const stateful = await time("cedar-wasm statefulIsAuthorized (pre-parsed)", (i) => cedar.statefulIsAuthorized(engines.cedarStatefulCalls[i]!), n);
  rows.push(stateful);
  rows.push(await time("cedar-wasm isAuthorized (parses each call)", (i) => cedar.isAuthorized(engines.cedarPlainCalls[i]!), n, 2000));

  const floor = rows[0]!.mix!.median;
  const agpMedian = agp.mix!.median;
  const table: BenchTable = {
    title: `Decision latency: one policy (${String(engines.scenario.rules.length)} rules, ${String(n)} requests), every engine`,
    columns: ["engine", "median / decision (mix)", "p99 (mix)", "median (single call)", "p99 (single call)", "vs JS floor", "vs agp"],
    rows: rows.map((r) =>
      r.mix === undefined || r.single === undefined
        ? [r.engine, r.note ?? "n/a", "", "", "", "", ""]
        : [r.engine, us(r.mix.median), us(r.mix.p99), us(r.single.median), us(r.single.p99), ratio(r.mix.median / floor), ratio(r.mix.median / agpMedian)],
    ),
    notes: [
      `Agreement checked before timing: all ${String(n)} requests get the same effect and deciding rules from agp (JS object and JSON bytes), the interpreter, the JS function and both Cedar calls.`,
      `JSON bytes: the same requests as UTF-8 JSON (${String(Math.min(...bytes.map((b) => b.length)))}–${String(Math.max(...bytes.map((b) => b.length)))} bytes), encoded once outside the timed loop; the module parses, validates and encodes them.`,
      "mix: each sample decides the whole request mix several times over and records the mean per decision (median and p99 of those means); single call: one decision per sample, tinybench's timer overhead subtracted.",
      `Bars: agp within 2x of the JS floor (measured ${ratio(agpMedian / floor)}); cedar statefulIsAuthorized at least 100x slower than agp (measured ${ratio(stateful.mix!.median / agpMedian)}).`,
      "Cedar gets its cheapest shape: call objects built once outside the timed loop; agp gets the plain request object and validates it against the catalog on every call.",
    ],
  };
  return [table, loading(engines.wasm)];
}

/** How long the latency policy takes to load, the way a gateway loads it. */
function loading(wasm: Uint8Array): BenchTable {
  const times = (load: () => unknown): number[] => {
    const sample: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      load();
      sample.push(performance.now() - t);
    }
    return sample;
  };
  times(() => loadPolicySync(wasm)); // warm-up
  const engine = times(() => loadPolicySync(wasm));
  const withJson = times(() => loadJsonDeciderSync(loadPolicySync(wasm)));
  return {
    title: "Loading the latency policy",
    columns: ["what", ".wasm size", "median", "max (of 50)"],
    rows: [
      ["loadPolicySync(bytes)", `${(wasm.length / 1024).toFixed(1)} KB`, `${median([...engine]).toFixed(3)} ms`, `${Math.max(...engine).toFixed(3)} ms`],
      ["loadPolicySync + loadJsonDeciderSync", "", `${median([...withJson]).toFixed(3)} ms`, `${Math.max(...withJson).toFixed(3)} ms`],
    ],
    notes: ["Bytes to a ready engine: WebAssembly compile and instantiate, manifest read and frozen, validators and encoders built. Bar: loading a bundle under 1 ms."],
  };
}

export const suite: BenchSuite = { name: "latency", run };
