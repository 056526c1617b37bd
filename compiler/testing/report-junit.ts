/**
 * The JUnit XML reporter (`--reporter junit`), for CI systems that show
 * test results (GitHub Actions test reporters, GitLab, Jenkins).
 *
 * In: a `RunResult`, the source texts. Out: an XML text: one `<testsuite>`
 * per test file, one `<testcase>` per case (`classname` is the file, with
 * `file` and `line` attributes), a `<failure>` holding the same text the
 * pretty reporter prints. No timings, so the output is reproducible.
 * Must not write anywhere.
 */
import { failureLines } from "./failure-text.js";
import { tally, type CaseResult, type RunResult } from "./run.js";

/** The JUnit XML document for a run, with a final newline. */
export function junitReport(run: RunResult, sources: ReadonlyMap<string, string>): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of run.results) byFile.set(r.case.file, [...(byFile.get(r.case.file) ?? []), r]);
  const counts = tally(run);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agp test" tests="${counts.total}" failures="${counts.failed}" errors="0">`,
  ];
  for (const [file, results] of byFile) {
    const failures = results.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="${attr(file)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0">`);
    for (const r of results) {
      const head = `    <testcase name="${attr(r.case.name)}" classname="${attr(file)}" file="${attr(file)}" line="${r.case.line}"`;
      if (r.passed) {
        out.push(`${head}/>`);
        continue;
      }
      const first = r.mismatches[0];
      const message = first === undefined ? "failed" : first.clause === "engines" ? "engines disagree" : `${first.clause}: expected ${first.expected}, got ${first.actual}`;
      const body = [`${file}:${r.case.line}: ${r.case.name}`, ...failureLines(r, sources)].join("\n");
      out.push(`${head}>`, `      <failure message="${attr(message)}" type="agp.expectation">${text(body)}</failure>`, "    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

function text(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

function attr(s: string): string {
  return text(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;");
}
