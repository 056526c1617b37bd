/**
 * Every example policy set (each directory of examples/ but schemas/, a
 * policy set of its own) ships with tests that pass — on the compiled
 * module and the reference interpreter alike — and reach 100% rule and
 * branch coverage.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { interpreterEngine, loadSuite, runCases } from "../../compiler/testing/index.js";

const sets = readdirSync("examples")
  .filter((name) => name !== "schemas" && statSync(join("examples", name)).isDirectory())
  .map((name) => `examples/${name}`)
  .sort();

describe("example tests", () => {
  it("examples/platform has a test file per policy", async () => {
    const loaded = await loadSuite(["examples/platform"]);
    expect(loaded.suite?.testFiles).toEqual([
      "examples/platform/aws.test.agp",
      "examples/platform/github.test.agp",
      "examples/platform/shell.test.agp",
    ]);
  });

  it.each(sets)("%s: every case passes and every rule decides some case (interpreter)", async (set) => {
    const loaded = await loadSuite([set]);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const suite = loaded.suite!;
    expect(suite.cases.length).toBeGreaterThan(0);
    const run = runCases(suite.cases, [interpreterEngine(suite.interpreter)], suite.interpreter, loaded.sources);
    expect(run.results.filter((r) => !r.passed).map((r) => r.case.name)).toEqual([]);
    expect(run.coverage.files.map((f) => [f.file, f.figures.rules.percent])).toEqual(run.coverage.files.map((f) => [f.file, 100]));
  });

  it.each(sets)("%s: agp test --both --coverage-threshold 100 exits 0", async (set) => {
    const io = captureIo();
    const code = await main(["test", set, "--both", "--coverage-threshold", "100"], io);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(io.out).toMatch(/\d+ cases: \d+ passed, 0 failed \(wasm and interpreter\)/);
  });
});
