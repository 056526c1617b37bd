/**
 * Each reporter's exact output, and the coverage files (JSON, lcov) on the
 * deploy fixture, whose coverage figures are known by hand:
 * 5 rules, 3 decide some case of the passing suite (production_canary and
 * rollback never do); 11 clauses (22 branches), 17 branches seen.
 */
import { describe, expect, it } from "vitest";
import { agp } from "./harness.js";
import { expectGolden, suite } from "./golden.js";

const failing = { "passing.test.agp": null, "failing.test.agp": suite("failing.test.agp") };

describe("reporters", () => {
  it("json: summary, every case, mismatches and explanations of failures, coverage", async () => {
    // On the interpreter: the compiled module's decisions carry the bundle hash, which changes with the compiler.
    const run = await agp(["test", "--engine", "interpreter", "--reporter", "json"], { files: failing });
    expect(run.code).toBe(1);
    const document = JSON.parse(run.out) as { summary: unknown };
    expect(document.summary).toEqual({ total: 4, passed: 2, failed: 2 });
    expectGolden(run.out, "failing.json");
  });

  it("junit: one testsuite per test file, one testcase per case, failures with the pretty text", async () => {
    const run = await agp(["test", "--reporter", "junit"], { files: failing });
    expect(run.code).toBe(1);
    // Every case, suite and the run carry the seconds they took (CI charts them); the golden file holds them as 0.000.
    const times = [...run.out.matchAll(/ time="(\d+\.\d{3})"/g)];
    expect(times.length).toBe((run.out.match(/<testcase /g) ?? []).length + (run.out.match(/<testsuite /g) ?? []).length + 1);
    expectGolden(run.out.replace(/ time="\d+\.\d{3}"/g, ' time="0.000"'), "failing.junit.xml");
  });

  it("junit escapes what XML reserves in names and failure text", async () => {
    const text = 'test "a <b> & \\"c\\"":\n  request deploy.service.rollback { service: "api", environment: "dev" }\n  expect allow\n';
    const run = await agp(["test", "--reporter", "junit"], { files: { "passing.test.agp": text } });
    expect(run.out).toContain('<testcase name="a &lt;b&gt; &amp; &quot;c&quot;" classname="passing.test.agp"');
    expect(run.out).toContain("passing.test.agp:1: a &lt;b&gt; &amp; \"c\"\n");
  });

  it("pretty colours only when asked (never when stdout is not a terminal)", async () => {
    const plain = await agp(["test"], { files: failing, hooks: { color: false } });
    expect(plain.out).not.toContain("\u001b[");
    const coloured = await agp(["test"], { files: failing, hooks: { color: true } });
    expect(coloured.out).toContain("\u001b[31mFAIL\u001b[0m a production deploy is allowed");
    const off = await agp(["test", "--no-color"], { files: failing, hooks: { color: true } });
    expect(off.out).toBe(plain.out);
  });
});

describe("coverage files", () => {
  it("--coverage-json: per file and total figures, per rule the cases it decided, per clause true/false counts", async () => {
    const run = await agp(["test", "--coverage-json", "coverage.json"], { read: ["coverage.json"] });
    const coverage = JSON.parse(run.written["coverage.json"]!) as {
      total: { rules: { covered: number; total: number; percent: number }; branches: { covered: number; total: number; percent: number } };
      files: { file: string; rules: { id: string; decided: number }[] }[];
    };
    expect(coverage.total).toEqual({
      rules: { covered: 3, total: 5, percent: 60 },
      branches: { covered: 17, total: 22, percent: 77.2 },
    });
    expect(coverage.files.map((f) => f.file)).toEqual(["deploy.agp"]);
    expect(coverage.files[0]!.rules.map((r) => [r.id, r.decided])).toEqual([
      ["deploy_outside_production", 1],
      ["production_needs_sres", 2],
      ["production_canary", 0],
      ["frozen_services", 2],
      ["rollback", 0],
    ]);
    expectGolden(run.written["coverage.json"]!, "passing.coverage.json");
  });

  it("--coverage-lcov: rules as functions and lines, clauses as true/false branch pairs on .agp lines", async () => {
    const run = await agp(["test", "--coverage-lcov", "lcov.info"], { read: ["lcov.info"] });
    const lcov = run.written["lcov.info"]!;
    expect(lcov).toContain("SF:deploy.agp\n");
    expect(lcov).toContain("FNDA:0,production_canary\n");
    expect(lcov).toContain("BRF:22\nBRH:17\n");
    expect(lcov).toContain("DA:16,0\nDA:18,5\n");
    expect(lcov).toContain("LF:9\nLH:7\nend_of_record\n");
    expectGolden(lcov, "passing.lcov");
  });

  it("a full suite reaches 100%", async () => {
    const full = `${suite("full.test.agp")}`;
    const run = await agp(["test", "--coverage-threshold", "100"], { files: { "full.test.agp": full } });
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("coverage: rules 5/5 (100%), branches 22/22 (100%)\n");
  });
});
