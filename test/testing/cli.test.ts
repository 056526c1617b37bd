/**
 * `agp test` end to end on the deploy fixture: a passing suite, a failing
 * suite (exact output), exit codes, --filter, --coverage-threshold, output files.
 */
import { describe, expect, it } from "vitest";
import { agp, PASSING } from "./harness.js";
import { expectGolden, suite } from "./golden.js";

const failing = { "passing.test.agp": null, "failing.test.agp": suite("failing.test.agp") };

describe("agp test", () => {
  it("passes a passing suite, run on the compiled module: every case ok, the summary, the coverage line, exit 0", async () => {
    const run = await agp(["test"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expectGolden(run.out, "passing.pretty.txt");
  });

  it("reports a failing suite: expected vs actual, each clause, the deciding and the expected rule's values, file:line; exit 1", async () => {
    const run = await agp(["test"], { files: failing });
    expect(run.err).toBe("");
    expect(run.code).toBe(1);
    expectGolden(run.out, "failing.pretty.txt");
  });

  it("prints coverage per file and what was never covered with --coverage", async () => {
    const run = await agp(["test", "--coverage"]);
    expect(run.code).toBe(0);
    expectGolden(run.out, "passing.coverage.txt");
  });

  it("runs only the cases whose name matches --filter", async () => {
    const run = await agp(["test", "--filter", "SREs|row 2"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("  ok   production deploys wait for two SREs\n");
    expect(run.out).toContain('  ok   frozen services [row 2: service="payments"]\n');
    expect(run.out).not.toContain("staging deploys are allowed");
    expect(run.out).not.toContain("row 1");
    expect(run.out).toContain("  ok   two SREs approve\n");
    expect(run.out).toContain("3 cases: 3 passed, 0 failed (wasm)");
  });

  it("a failing case that the filter leaves out does not fail the run", async () => {
    const run = await agp(["test", "--filter", "canaries"], { files: failing });
    expect(run.code).toBe(0);
    expect(run.out).toContain("1 case: 1 passed, 0 failed");
  });

  it("refuses a --filter that is not a regular expression (exit 2)", async () => {
    const run = await agp(["test", "--filter", "(unclosed"]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^agp: --filter is not a regular expression: /);
  });

  it("fails the run when rule or branch coverage is under --coverage-threshold", async () => {
    const under = await agp(["test", "--coverage-threshold", "70"]);
    expect(under.code).toBe(1);
    expect(under.err).toBe("agp: rule coverage 3/5 (60%) is below the threshold of 70%\n");
    const met = await agp(["test", "--coverage-threshold", "60"]);
    expect(met.code).toBe(0);
    expect(met.err).toBe("");
    const both = await agp(["test", "--coverage-threshold", "80"]);
    expect(both.err).toBe(
      "agp: rule coverage 3/5 (60%) is below the threshold of 80%\nagp: branch coverage 17/22 (77.2%) is below the threshold of 80%\n",
    );
  });

  it("refuses a threshold that is not a percentage (exit 2)", async () => {
    const run = await agp(["test", "--coverage-threshold", "ninety"]);
    expect(run.code).toBe(2);
    expect(run.err).toBe("agp: --coverage-threshold must be a number from 0 to 100, got `ninety`\n");
  });

  it("exits 2 on policy errors, shown as agp check shows them, and runs nothing", async () => {
    const run = await agp(["test"], { files: { "deploy.agp": 'package demo.deploy\nactions "deploy.json"\n\nrule broken:\n  alow deploy.service.deploy\n' } });
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err).toContain("deploy.agp:5:3: error AGP104");
  });

  it("exits 2 on usage errors: unknown reporter, unknown engine", async () => {
    expect((await agp(["test", "--reporter", "tap"])).err).toBe("agp: unknown reporter `tap`; use pretty, json or junit\n");
    const engine = await agp(["test", "--engine", "go"]);
    expect(engine.code).toBe(2);
    expect(engine.err).toBe("agp: unknown engine `go`; use wasm or interpreter\n");
  });

  it("writes the report to --output instead of stdout", async () => {
    const run = await agp(["test", "--reporter", "junit", "--output", "report.xml"], { read: ["report.xml"] });
    expect(run.out).toBe("");
    expect(run.written["report.xml"]).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="agp test" tests="5" failures="0"/);
  });

  it("fails when no case ran (exit 1): a wrong path or filter must not pass CI; --allow-empty passes", async () => {
    const none = await agp(["test"], { files: { "passing.test.agp": null } });
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      "agp: no test cases found under . (tests are `test` statements in .agp files; see docs/testing.md)\n" +
        "agp: no test case ran; pass --allow-empty if that is expected\n",
    );
    const filtered = await agp(["test", "--filter", "nothing like this"]);
    expect(filtered.code).toBe(1);
    expect(filtered.err).toBe("agp: no case name matches --filter `nothing like this`\nagp: no test case ran; pass --allow-empty if that is expected\n");
    expect(filtered.out).toContain("0 cases: 0 passed, 0 failed");
    const allowed = await agp(["test", "--allow-empty"], { files: { "passing.test.agp": null } });
    expect(allowed.code).toBe(0);
    expect(allowed.err).toBe("agp: no test cases found under . (tests are `test` statements in .agp files; see docs/testing.md)\n");
  });

  it("with --reporter json, policy errors come as the JSON document agp check --format json prints", async () => {
    const run = await agp(["test", "--reporter", "json"], { files: { "passing.test.agp": 'test "t":\n  request deploy.service.deploy {}\n  expect allow from nope\n' } });
    expect(run.code).toBe(2);
    const document = JSON.parse(run.out) as { diagnostics: { code: string }[]; summary: unknown };
    expect(document.diagnostics.map((d) => d.code)).toEqual(["AGP205"]);
    expect(document.summary).toEqual({ errors: 1, warnings: 0 });
  });

  it("names the limit that decided a failing case, with its cap and the counter the state gave", async () => {
    const text = `${PASSING}
test "the fourth deploy in an hour":
  request deploy.service.deploy api
  state { counters: { deploy_rate: 3 } }
  expect allow
`;
    const run = await agp(["test", "--filter", "fourth"], { files: { "passing.test.agp": text } });
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      [
        "FAIL passing.test.agp:32: the fourth deploy in an hour",
        "  expected: allow",
        '  actual:   deny from limit deploy_rate because "limit `deploy_rate` reached: 3 per hour" audit notice',
        "  effect: expected allow, got deny",
        "  limit deploy_rate (deploy.agp:30) decided: the state says 3 used, and this request's charge would pass the cap 3",
        "",
      ].join("\n"),
    );
  });
});
