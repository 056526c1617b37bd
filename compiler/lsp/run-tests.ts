/**
 * Running a file's tests from the editor (a code lens or the `agp.runTests`
 * command): `agp test` on the file's policy set, on the reference
 * interpreter, with open documents in place of their files.
 *
 * In: the directory of the policy set, the files (open buffers over the
 * disk), the test file (as spans name it) and optionally one test's name.
 * Out: a summary (passed, failed) and, per case that failed, where it is
 * and the lines `agp test` prints for it; or the errors that stop the suite
 * from loading. Must not print, and must not talk to the protocol.
 */
import type { Diagnostic } from "../diagnostics/index.js";
import type { ProjectFiles } from "../project/index.js";
import { failureLines, interpreterEngine, loadSuite, runCases } from "../testing/index.js";

/** A case that failed: where, its name, and what `agp test` says about it. */
export interface FailedCase {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly name: string;
  readonly lines: readonly string[];
}

/** What running the tests gave. */
export interface TestRun {
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly FailedCase[];
  /** Errors that kept the suite from loading (policy, catalog or test-file errors). */
  readonly errors: readonly Diagnostic[];
}

/** Runs the cases of `file` (or of its test `test`) in the policy set under `root`. */
export async function runFileTests(root: string, files: ProjectFiles, file: string, test?: string): Promise<TestRun> {
  const loaded = await loadSuite([root], { cwd: root, files });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (loaded.suite === undefined || errors.length > 0) return { passed: 0, failed: 0, failures: [], errors };
  const suite = loaded.suite;
  const cases = suite.cases.filter((c) => c.file === file && (test === undefined || c.test === test));
  const run = runCases(cases, [interpreterEngine(suite.interpreter)], suite.interpreter, loaded.sources);
  const failures = run.results
    .filter((r) => !r.passed)
    .map((r) => ({ file: r.case.file, line: r.case.line, column: r.case.column, name: r.case.name, lines: failureLines(r, loaded.sources) }));
  return { passed: run.results.length - failures.length, failed: failures.length, failures, errors: [] };
}
