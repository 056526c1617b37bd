/**
 * The decision path, step by step (issue 19, "the decision path toward the
 * limit" and "the bound before the work"): what one decision costs from a
 * JS object and from JSON bytes, against the hand-written JS floor; what
 * the plain copy of the request that ADR 0008 made on every call costs
 * alone (ADR 0036 replaced it by one pass that reads, validates and encodes
 * each value once); and what refusing an oversized string costs, object and
 * JSON paths, from 1 KB to 10 MB (ADR 0035: the bound before the work).
 *
 * In: the latency scenario (bench/scenarios), examples/platform, and an
 * inline one-action catalog. Out: three tables. Every path must agree on
 * every request before anything is timed. Reports; never asserts.
 */
import { performance } from "node:perf_hooks";
import { loadCatalog, mergeCatalogs } from "../compiler/catalog/index.js";
import { check } from "../compiler/check/index.js";
import { compilePaths, compilePolicy } from "../compiler/compile/index.js";
import { parse } from "../compiler/syntax/index.js";
import { snapshot } from "../runtime/encode/snapshot.js";
import { DEFAULT_REQUEST_BOUNDS, loadJsonDeciderSync, loadPolicySync, type AgentRequest, type PolicyEngine } from "../runtime/index.js";
import { oneKilobyteRequest } from "./json.bench.js";
import { agpOutcome, agreement, buildEngines } from "./scenarios/engines.js";
import { sameOutcome, showOutcome } from "./scenarios/description.js";
import { latencyScenario } from "./scenarios/latency-policy.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

const encoder = new TextEncoder();

/** Median nanoseconds per call of `round` (which makes `calls` calls), over `batches` batches after warm-up. */
function nsPer(round: () => void, calls: number, batches = 40, repeat = 200): number {
  for (let i = 0; i < repeat * 3; i++) round();
  const sample: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let i = 0; i < repeat; i++) round();
    sample.push(((performance.now() - start) * 1e6) / (repeat * calls));
  }
  return median(sample);
}

const ns = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toPrecision(3)} ms` : v >= 1e3 ? `${(v / 1e3).toPrecision(3)} µs` : `${Math.round(v)} ns`);
const x = (v: number): string => `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}x`;

/** The latency mix: floor, object path, JSON path, the copy alone. */
function latencyMix(): BenchTable {
  const engines = buildEngines(latencyScenario());
  const requests: readonly AgentRequest[] = engines.scenario.requests;
  const problems = agreement(engines, { plain: true });
  if (problems.length > 0) throw new Error(`the engines disagree; nothing timed:\n${problems.join("\n")}`);
  const json = loadJsonDeciderSync(engines.engine);
  const bytes = requests.map((r) => encoder.encode(JSON.stringify(r)));
  const texts = requests.map((r) => JSON.stringify(r));
  bytes.forEach((b, i) => {
    const viaJson = agpOutcome(json.decideJson(b));
    const viaObject = agpOutcome(engines.engine.decide(requests[i]!));
    if (!sameOutcome(viaJson, viaObject)) throw new Error(`the JSON path disagrees on request ${String(i)}: ${showOutcome(viaJson)} vs ${showOutcome(viaObject)}`);
  });
  const n = requests.length;
  const each = (f: (i: number) => unknown) => () => {
    for (let i = 0; i < n; i++) f(i);
  };
  const floor = nsPer(each((i) => engines.js.decide(requests[i]!)), n);
  const object = nsPer(each((i) => engines.engine.decide(requests[i]!)), n);
  const viaJson = nsPer(each((i) => json.decideJson(bytes[i]!)), n);
  const parsed = nsPer(each((i) => engines.engine.decide(JSON.parse(texts[i]!) as AgentRequest)), n);
  const copy = nsPer(each((i) => snapshot(requests[i]!, DEFAULT_REQUEST_BOUNDS, "")), n);
  return {
    title: `Decision path on the latency mix (${String(engines.scenario.rules.length)} rules, ${String(n)} requests, ${String(Math.min(...bytes.map((b) => b.length)))}–${String(Math.max(...bytes.map((b) => b.length)))} bytes as JSON)`,
    columns: ["path", "median / decision", "vs JS floor", "vs object path"],
    rows: [
      ["hand-written JS function (floor)", ns(floor), "1x", x(floor / object)],
      ["agp, JS object → decide (one-pass intake, ADR 0036)", ns(object), x(object / floor), "1x"],
      ["agp, JSON bytes → decideJson", ns(viaJson), x(viaJson / floor), x(viaJson / object)],
      ["agp, JSON text → JSON.parse → decide", ns(parsed), x(parsed / floor), x(parsed / object)],
      ["plain copy of the request alone (ADR 0008's snapshot, no longer made per decision)", ns(copy), x(copy / floor), x(copy / object)],
    ],
    notes: [
      "Median over 40 batches of 200 rounds of the whole mix, after warm-up; every path agreed on every request first.",
      "The last row is what every decision paid before ADR 0036 in addition to validating and encoding; it is shown to size what the one pass saved, not as a path.",
    ],
  };
}

/** The 1 KB platform request: object vs JSON, and the copy alone. */
async function platform(): Promise<BenchTable> {
  const compiled = await compilePaths(["examples/platform"]);
  if (compiled.result === undefined) throw new Error("examples/platform does not compile");
  const engine = loadPolicySync(compiled.result.wasm);
  const json = loadJsonDeciderSync(engine);
  const request = oneKilobyteRequest();
  const bytes = encoder.encode(JSON.stringify(request));
  if (JSON.stringify(json.decideJson(bytes)) !== JSON.stringify(engine.decide(request))) throw new Error("the JSON path disagrees with the object path");
  const object = nsPer(() => engine.decide(request), 1, 40, 2000);
  const viaJson = nsPer(() => json.decideJson(bytes), 1, 40, 2000);
  const copy = nsPer(() => snapshot(request, DEFAULT_REQUEST_BOUNDS, ""), 1, 40, 2000);
  return {
    title: `Decision path on one ${String(bytes.length)}-byte request (examples/platform, github.pull_request.open)`,
    columns: ["path", "median / decision", "vs object path"],
    rows: [
      ["JS object → decide", ns(object), "1x"],
      ["JSON bytes → decideJson", ns(viaJson), x(viaJson / object)],
      ["plain copy of the request alone (ADR 0008's snapshot)", ns(copy), x(copy / object)],
    ],
    notes: ["Goal (issue 19): the JSON path no slower than the object path, under 1 µs for 1 KB."],
  };
}

const BOUNDED = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "svc",
  actions: {
    call: {
      args: { type: "object", properties: { key: { type: "string", maxLength: 64 } }, required: ["key"], additionalProperties: false },
    },
  },
};

function boundedEngine(): PolicyEngine {
  const loaded = loadCatalog("svc.json", JSON.stringify(BOUNDED));
  if (loaded.catalog === undefined) throw new Error("bench catalog does not load");
  const catalogs = mergeCatalogs([loaded.catalog]).set;
  const parsed = parse('package bench.refuse\n\nrule r:\n  allow svc.call\n  when args.key == "k"\n', "refuse.agp");
  const checked = check({ files: [parsed.file], catalogs });
  if (checked.checked === undefined) throw new Error("bench policy does not check");
  const compiled = compilePolicy(checked.checked, catalogs);
  if (compiled.compiled === undefined) throw new Error("bench policy does not compile");
  return loadPolicySync(compiled.compiled.wasm);
}

/** Refusing a string past `maxLength: 64`, 1 KB to 10 MB, on both paths. */
function oversized(): BenchTable {
  const engine = boundedEngine();
  const json = loadJsonDeciderSync(engine);
  const base = { agent: { id: "a", groups: [], trust: 1 }, action: "svc.call", env: "dev" };
  const rows: string[][] = [];
  let small = 0;
  for (const size of [1e3, 1e4, 1e5, 1e6, 1e7]) {
    const request = { ...base, args: { key: "k".repeat(size) } };
    const bytes = encoder.encode(JSON.stringify(request));
    const a = engine.decide(request);
    const b = json.decideJson(bytes);
    if (a.effect !== "deny" || JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`oversized input: the paths disagree or allow at ${String(size)}`);
    const repeat = size >= 1e6 ? 2 : 50;
    const object = nsPer(() => engine.decide(request), 1, size >= 1e6 ? 5 : 20, repeat);
    const viaJson = nsPer(() => json.decideJson(bytes), 1, size >= 1e6 ? 5 : 20, repeat);
    if (small === 0) small = object;
    rows.push([`${String(size / 1e3)} K chars`, ns(object), x(object / small), ns(viaJson)]);
  }
  return {
    title: "Refusing a string past maxLength 64 (args.key), by the size sent",
    columns: ["string sent", "JS object → decide", "vs 1 K (object)", "JSON bytes → decideJson"],
    rows,
    notes: [
      "The object path checks maxLength before anything reads the string (ADR 0035): its cost should not grow with what was sent.",
      "The JSON path must tokenize every byte (a malformed byte anywhere is malformed_json, which comes first); past the module's 32 KB buffer the text goes through the runtime's reader and JSON.parse.",
    ],
  };
}

export const suite: BenchSuite = {
  name: "decide-path",
  async run(): Promise<readonly BenchTable[]> {
    return [latencyMix(), await platform(), oversized()];
  },
};
