/**
 * The portable JSON-bytes path next to the JS-object path, on a 1 KB request
 * to the example platform policy (github.pull_request.open, with a ~800-byte
 * `context.reasoning`): the module parses, validates and encodes the bytes
 * itself (`agp_decide_json`), against the runtime validating and encoding a
 * JS object (`decide`), and a JS host that must `JSON.parse` the bytes first.
 *
 * In: examples/platform. Out: a table of medians (ns per decision) and the
 * request's size; a table of the runtime's bundle size (bundled and
 * minified by rolldown, which vite brings into node_modules; skipped when
 * absent): the whole runtime, the core (loadPolicy only), core + JSON decider. Reported, never asserted (DESIGN.md's bar: JSON-bytes path
 * under 1 µs median for a 1 KB request on this machine class).
 */
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { compilePaths } from "../compiler/compile/index.js";
import { loadJsonDeciderSync, loadPolicySync } from "../runtime/index.js";
import { median, type BenchSuite, type BenchTable } from "./suite.js";

const BATCH = 2000;
const BATCHES = 150;

/** Median ns per call of `fn`, over batches. */
function measure(fn: () => unknown): number {
  for (let i = 0; i < BATCH * 5; i++) fn();
  const sample: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) fn();
    sample.push(((performance.now() - start) * 1e6) / BATCH);
  }
  return median(sample);
}

/** A ~1 KB request the example policy allows. */
export function oneKilobyteRequest(): Record<string, unknown> {
  const request = {
    agent: { id: "ci-fixer", kind: "coding", groups: ["coding-bots"], trust: 2 },
    human: { id: "alice", groups: ["developers"], roles: ["deployer"] },
    action: "github.pull_request.open",
    args: { repo: "acme/tools", title: "Fix the flaky CI job on main", head: "fix/ci", base: "main" },
    env: "production",
    context: { session: "s-42", ticket: "CHG-1234", reasoning: "" },
  };
  const base = JSON.stringify(request).length;
  request.context.reasoning = "CI is red on main because of a flaky test; this change pins the runner image. ".repeat(20).slice(0, 1024 - base);
  return request;
}

export const suite: BenchSuite = {
  name: "json",
  async run(): Promise<readonly BenchTable[]> {
    const compiled = await compilePaths(["examples/platform"]);
    if (compiled.result === undefined) throw new Error("examples/platform does not compile");
    const engine = loadPolicySync(compiled.result.wasm);
    const json = loadJsonDeciderSync(engine);
    const request = oneKilobyteRequest();
    const text = JSON.stringify(request);
    const bytes = new TextEncoder().encode(text);
    const decision = engine.decide(request);
    if (JSON.stringify(json.decideJson(bytes)) !== JSON.stringify(decision)) throw new Error("the JSON path disagrees with the object path");

    // The module alone: copy the bytes in and call agp_decide_json, no host finishing.
    const wasm = (globalThis as unknown as { WebAssembly: unknown }).WebAssembly as {
      Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
      Module: new (b: Uint8Array) => object;
    };
    const raw = new wasm.Instance(new wasm.Module(compiled.result.wasm), {}).exports;
    const memory = raw["memory"] as { buffer: ArrayBuffer };
    const input = (raw["agp_json_input"] as () => number)();
    const decideJson = raw["agp_decide_json"] as (len: number) => number;
    const moduleOnly = () => {
      new Uint8Array(memory.buffer, input, bytes.length).set(bytes);
      return decideJson(bytes.length);
    };

    const rows: (string | number)[][] = [
      ["JSON bytes → decideJson (module parses, validates, encodes; host finishes)", Math.round(measure(() => json.decideJson(bytes)))],
      ["JSON bytes → agp_decide_json only (raw WebAssembly call, no finishing)", Math.round(measure(moduleOnly))],
      ["JS object → decide (host validates and encodes)", Math.round(measure(() => engine.decide(request)))],
      ["JSON text → JSON.parse → decide", Math.round(measure(() => engine.decide(JSON.parse(text))))],
    ];
    return [
      await bundleSizes(),
      {
        title: `JSON-bytes path vs JS-object path (${bytes.length}-byte request, effect ${decision.effect})`,
        columns: ["path", "median ns / decision"],
        rows,
        notes: [`Medians of ${BATCHES} batches of ${BATCH} calls after warm-up; examples/platform, github.pull_request.open with a human and a long context.reasoning.`],
      },
    ];
  },
};

/** The repository root, from bench/ or dist/bench/. */
function root(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
}

/** Minified ESM bundle sizes of the runtime (policy not included). */
async function bundleSizes(): Promise<BenchTable> {
  const columns = ["entry", "minified bytes", "gzip bytes"];
  type Rolldown = (o: object) => Promise<{ generate(o: object): Promise<{ output: { code: string }[] }> }>;
  let rolldown: Rolldown;
  try {
    const name = "rolldown";
    rolldown = ((await import(name)) as { rolldown: Rolldown }).rolldown;
  } catch {
    return { title: "Runtime bundle size", columns, rows: [], notes: ["rolldown is not installed: not measured"] };
  }
  const runtime = join(root(), "runtime", "index.ts");
  const dir = mkdtempSync(join(tmpdir(), "agp-bundle-"));
  const entries: [string, string][] = [
    ["runtime/index.ts (everything it exports)", runtime],
    ["core: loadPolicy, loadPolicySync", `export { loadPolicy, loadPolicySync, PolicyLoadError } from ${JSON.stringify(runtime)};`],
    ["core + JSON decider", `export { loadPolicy, loadPolicySync, PolicyLoadError, loadJsonDecider, loadJsonDeciderSync } from ${JSON.stringify(runtime)};`],
  ];
  const rows: (string | number)[][] = [];
  try {
    for (const [label, entry] of entries) {
      let input = entry;
      if (!entry.endsWith(".ts")) {
        input = join(dir, `${rows.length}.ts`);
        writeFileSync(input, entry);
      }
      const bundle = await rolldown({ input, platform: "browser", treeshake: true });
      const code = (await bundle.generate({ format: "esm", minify: true })).output[0]!.code;
      rows.push([label, code.length, gzipSync(code).length]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { title: "Runtime bundle size (ESM, minified, policy not included)", columns, rows, notes: ["rolldown (oxc minifier), platform browser, tree-shaken from the named exports."] };
}
