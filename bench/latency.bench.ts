/**
 * Decision latency, side by side on one policy and one request mix: the
 * agp runtime from a JS request object, the agp JSON-bytes path (when the
 * runtime has one), the reference interpreter, a hand-written JS function
 * (the practical floor), and @cedar-policy/cedar-wasm on the equivalent
 * Cedar policy set, both `statefulIsAuthorized` (pre-parsed policies) and
 * plain `isAuthorized`. All come from one rule description
 * (bench/scenarios/latency-policy.ts), and all must agree on every request
 * before anything is timed.
 *
 * In: nothing. Out: one table (median and p99 per decision, two ways, and
 * the ratios the performance bars are read against). Reports; never asserts.
 */
import type { AgentRequest } from "../runtime/index.js";
import { agreement, buildEngines, cedar, type Engines } from "./scenarios/engines.js";
import { latencyScenario } from "./scenarios/latency-policy.js";
import { batched, perDecision, ratio, us, type Timing } from "./scenarios/measure.js";
import { withValidation } from "./scenarios/validated-js.js";
import type { BenchSuite, BenchTable } from "./suite.js";

const TIME_MS = 1500;

interface Row {
  readonly engine: string;
  readonly mix?: Timing;
  readonly single?: Timing;
  readonly note?: string;
}

/** The JSON-bytes entry point, if this runtime has one (ADR 0007 "portable path"). */
function jsonPath(engines: Engines): ((bytes: Uint8Array) => unknown) | undefined {
  const engine = engines.engine as unknown as Record<string, unknown>;
  for (const name of ["decideJson", "decideBytes", "decideJsonBytes"]) {
    const fn = engine[name];
    if (typeof fn === "function") return (bytes) => (fn as (b: Uint8Array) => unknown).call(engines.engine, bytes);
  }
  return undefined;
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
  const json = jsonPath(engines);
  if (json === undefined) {
    rows.push({ engine: "agp, JSON bytes → wasm", note: "not built yet (the runtime has no JSON-bytes entry point)" });
  } else {
    const encoder = new TextEncoder();
    const bytes = requests.map((r) => encoder.encode(JSON.stringify(r)));
    rows.push(await time("agp, JSON bytes → wasm", (i) => json(bytes[i]!), n));
  }
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
      `Agreement checked before timing: all ${String(n)} requests get the same effect and deciding rules from agp, the interpreter, the JS function and both Cedar calls.`,
      "mix: each sample decides the whole request mix several times over and records the mean per decision (median and p99 of those means); single call: one decision per sample, tinybench's timer overhead subtracted.",
      `Bars: agp within 2x of the JS floor (measured ${ratio(agpMedian / floor)}); cedar statefulIsAuthorized at least 100x slower than agp (measured ${ratio(stateful.mix!.median / agpMedian)}).`,
      "Cedar gets its cheapest shape: call objects built once outside the timed loop; agp gets the plain request object and validates it against the catalog on every call.",
    ],
  };
  return [table];
}

export const suite: BenchSuite = { name: "latency", run };
