/**
 * The shipped example policies come with tests (examples/platform/*.test.agp)
 * that pass and reach 100% rule coverage, and every clause of every
 * condition is seen true and false.
 */
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { interpreterEngine, loadSuite, runCases } from "../../compiler/testing/index.js";

describe("examples/platform tests", () => {
  it("pass, and every rule decides some case", async () => {
    const loaded = await loadSuite(["examples"]);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const suite = loaded.suite!;
    expect(suite.testFiles).toEqual([
      "examples/platform/aws.test.agp",
      "examples/platform/github.test.agp",
      "examples/platform/shell.test.agp",
    ]);
    const run = runCases(suite.cases, [interpreterEngine(suite.interpreter)], suite.interpreter, loaded.sources);
    expect(run.results.filter((r) => !r.passed).map((r) => r.case.name)).toEqual([]);
    expect(run.coverage.total.rules.percent).toBe(100);
    expect(run.coverage.total.branches.percent).toBe(100);
    for (const file of run.coverage.files) expect([file.file, file.figures.rules.percent]).toEqual([file.file, 100]);
  });

  it("agp test examples --coverage-threshold 100 exits 0", async () => {
    const io = captureIo();
    expect(await main(["test", "examples", "--coverage-threshold", "100"], io)).toBe(0);
    expect(io.err).toBe("");
    expect(io.out).toMatch(/\d+ cases: (\d+) passed, 0 failed/);
  });
});
