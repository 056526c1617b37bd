/**
 * Node as a host: the runtime as plain ES modules (./runtime-dist.ts, no
 * Node built-in on its import path) run by a separate `node` process, loading
 * the compiled example policy from bytes and from a precompiled
 * WebAssembly.Module, deciding the host request set on the JS-object path and
 * on the JSON path; every decision must equal this process's Node path.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hostFixture, writeFixture, type HostFixture } from "./fixture.js";
import { writeRuntime } from "./runtime-dist.js";

let fx: HostFixture;
const dir = mkdtempSync(join(tmpdir(), "agp-node-host-"));
let files: string[];

beforeAll(async () => {
  fx = await hostFixture();
  writeFixture(fx, dir);
  files = writeRuntime(join(dir, "runtime"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import { readFileSync } from "node:fs";
import { loadPolicy, loadPolicySync, loadJsonDecider } from "./runtime/index.js";
const bytes = readFileSync("policy.wasm");
const cases = JSON.parse(readFileSync("cases.json", "utf8"));
const fromBytes = await loadPolicy(bytes);
const fromModule = loadPolicySync(new WebAssembly.Module(bytes));
const json = await loadJsonDecider(fromModule);
const out = cases.map((c) => [fromBytes.decide(c.request, c.state), fromModule.decide(c.request, c.state), json.decideJson(JSON.stringify(c.request), c.state)]);
process.stdout.write(JSON.stringify(out));
`;

it("the runtime's import graph has no Node built-ins and no packages", () => {
  expect(files).toContain("index.js");
  expect(files.some((f) => f.startsWith("node/") || f.startsWith("governance/"))).toBe(false);
});

it("a separate node process gives the Node path's decisions, from bytes, from a Module, and from JSON bytes", () => {
  writeFileSync(join(dir, "host.mjs"), SCRIPT);
  const out = JSON.parse(execFileSync(process.execPath, ["host.mjs"], { cwd: dir, maxBuffer: 64 << 20 }).toString()) as unknown[][];
  const expected = JSON.parse(JSON.stringify(fx.expected)) as unknown[];
  expect(out).toHaveLength(expected.length);
  out.forEach((three, i) => {
    for (const decision of three) expect(decision, JSON.stringify(fx.cases[i])).toEqual(expected[i]);
  });
});
