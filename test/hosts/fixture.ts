/**
 * The shared fixture of the host tests: the example platform policy compiled
 * once, its engine on the Node path, and the request set (./requests.ts)
 * with the decisions the Node path gives, which every other host must give
 * exactly.
 *
 * In: examples/platform and its suite. Out: `HostFixture`; `writeFixture`
 * puts policy.wasm, cases.json and expected.json in a directory for hosts
 * that run outside this process (browser, workerd).
 * Must not: decide anything except through the Node path (runtime/).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSuite } from "../../compiler/testing/index.js";
import type { Decision } from "../../runtime/index.js";
import { pairFromPaths, type Pair } from "../compile/harness.js";
import { generatedCases, type HostCase } from "./requests.js";

export interface HostFixture {
  readonly pair: Pair;
  readonly wasm: Uint8Array;
  readonly cases: readonly HostCase[];
  /** The Node path's decision for each case (engine.decide on the object). */
  readonly expected: readonly Decision[];
}

const INTERESTING = ["acme/payments", "acme/tools", "acme/production-infra", "111111111111", "/workspace/a", "rm -rf /", "production", "staging"];

/** Compiles the example platform policy and decides the request set on the Node path. */
export async function hostFixture(options: { valid?: number; invalid?: number } = {}): Promise<HostFixture> {
  const pair = await pairFromPaths(["examples/platform"]);
  const suite = await loadSuite(["examples/platform"]);
  if (suite.suite === undefined) throw new Error("the example suite does not load");
  const examples: HostCase[] = suite.suite.cases.map((c) => (c.state === undefined ? { request: c.request } : { request: c.request, state: c.state as Record<string, unknown> }));
  const cases = [...examples, ...generatedCases(pair.catalogs, INTERESTING, 2026, options.valid ?? 150, options.invalid ?? 250)];
  const expected = cases.map((c) => pair.engine.decide(c.request, c.state as never));
  return { pair, wasm: pair.compiled.wasm, cases, expected };
}

/** Writes policy.wasm, cases.json and expected.json into `dir`. */
export function writeFixture(fixture: HostFixture, dir: string): void {
  writeFileSync(join(dir, "policy.wasm"), fixture.wasm);
  writeFileSync(join(dir, "cases.json"), JSON.stringify(fixture.cases));
  writeFileSync(join(dir, "expected.json"), JSON.stringify(fixture.expected));
}
