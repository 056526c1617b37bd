/**
 * The JUnit XML reporter (`--reporter junit`), for CI systems that show
 * test results (GitHub Actions test reporters, GitLab, Jenkins).
 *
 * In: a `RunResult`, the source texts. Out: an XML text: one `<testsuite>`
 * per test file, one `<testcase>` per case (`classname` is the file, with
 * `file` and `line` attributes), a `<failure>` holding the same text the
 * pretty reporter prints, and `time` (seconds) on each case, suite and the
 * whole run when the run measured it (CI systems chart slow tests).
 * Must not write anywhere.
 */
import { displayText } from "../../runtime/display-text.js";
import { failureLines } from "./failure-text.js";
import { tally, type CaseResult, type RunResult } from "./run.js";

/** The JUnit XML document for a run, with a final newline. */
export function junitReport(run: RunResult, sources: ReadonlyMap<string, string>): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of run.results) byFile.set(r.case.file, [...(byFile.get(r.case.file) ?? []), r]);
  const counts = tally(run);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="agp test" tests="${counts.total}" failures="${counts.failed}" errors="0"${time(run.results)}>`,
  ];
  for (const [file, results] of byFile) {
    const failures = results.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="${attr(file)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0"${time(results)}>`);
    for (const r of results) {
      const head = `    <testcase name="${attr(r.case.name)}" classname="${attr(file)}" file="${attr(file)}" line="${r.case.line}"${time([r])}`;
      if (r.passed) {
        out.push(`${head}/>`);
        continue;
      }
      const first = r.mismatches[0];
      const message = first === undefined ? "failed" : first.clause === "engines" ? "engines disagree" : `${first.clause}: expected ${first.expected}, got ${first.actual}`;
      // One line per line of the report: a name or value holding a newline cannot start a line of its own.
      const body = [`${file}:${r.case.line}: ${r.case.name}`, ...failureLines(r, sources)].map(displayText).join("\n");
      out.push(`${head}>`, `      <failure message="${attr(message)}" type="agp.expectation">${text(body)}</failure>`, "    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

/** ` time="0.004"`: the seconds the cases took, when every one was timed; else nothing. */
function time(results: readonly CaseResult[]): string {
  if (results.some((r) => r.durationMs === undefined)) return "";
  const ms = results.reduce((sum, r) => sum + r.durationMs!, 0);
  return ` time="${(ms / 1000).toFixed(3)}"`;
}

/**
 * XML character data. C0 controls other than tab and newline cannot be
 * written in XML 1.0 at all: they become a visible escape (`\u001b`, as
 * displayText writes them) instead of vanishing; DEL, C1, bidi controls and
 * line separators become character references (the same text for an XML
 * reader, inert on a terminal).
 */
function text(s: string): string {
  return (
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f]/g, (c) => displayText(c))
      .replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`)
  );
}

function attr(s: string): string {
  return text(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;");
}
