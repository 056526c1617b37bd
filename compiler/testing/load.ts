/**
 * Loading a test suite: policies and their test files, checked and expanded.
 *
 * In: paths (files or directories) and a working directory, as `agp check`
 * takes them. Out: every diagnostic (of parsing, catalogs, the checker and
 * the test-file checks, sorted), the source texts for caret excerpts, and —
 * when nothing is an error — the suite: the checked policy set, its catalogs,
 * the reference interpreter over it and every expanded case.
 * Must not run cases or print anything.
 */
import { loadCatalogFiles, type CatalogSet } from "../catalog/index.js";
import { checkPaths, type CheckedPolicySet } from "../check/index.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { interpretChecked, type Interpreter } from "../interpret/index.js";
import type { ProjectFiles, ProjectSettings } from "../project/index.js";
import { checkTestFiles } from "./checks.js";
import { expandTests, type TestCase } from "./expand.js";

/** How to find and check the files. */
export interface LoadSuiteOptions {
  /** Paths are relative to it and files are shown from it. Default: process.cwd(). */
  readonly cwd?: string;
  /** Warnings become errors (as `agp check --strict`). */
  readonly strict?: boolean;
  /** Where files are read; default the disk. */
  readonly files?: ProjectFiles;
  /** The project file's settings (agp.json); default none. */
  readonly project?: ProjectSettings;
}

/** A suite ready to run. */
export interface Suite {
  readonly checked: CheckedPolicySet;
  readonly catalogs: CatalogSet;
  readonly interpreter: Interpreter;
  readonly cases: readonly TestCase[];
  /** The test files (those holding at least one `test`), sorted. */
  readonly testFiles: readonly string[];
}

/** Everything found, and the suite when nothing is an error. */
export interface LoadSuiteResult {
  readonly diagnostics: Diagnostic[];
  /** File name (as in spans) → text. */
  readonly sources: Map<string, string>;
  /** The .agp files read. */
  readonly files: readonly string[];
  /** Present when no diagnostic is an error. */
  readonly suite?: Suite;
}

/** Checks the policies and test files under `paths` and expands every case; never throws for user mistakes. */
export async function loadSuite(paths: readonly string[], options: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = options.files === undefined ? {} : { files: options.files };
  const checked = await checkPaths(paths, { cwd, strict: options.strict === true, ...files, ...(options.project === undefined ? {} : { project: options.project }) });
  const base = { sources: checked.sources, files: checked.files };
  if (checked.checked === undefined) return { ...base, diagnostics: checked.diagnostics };
  const set = checked.checked;
  const catalogFiles = [...new Set(set.packages.flatMap((p) => p.catalogs))];
  const loaded = await loadCatalogFiles(catalogFiles, { cwd, ...files });
  const found: Diagnostic[] = [...loaded.diagnostics];
  const report = (d: Diagnostic) => found.push(d);
  checkTestFiles(set.tests, loaded.set, report, new Map(set.rules.map((r) => [r.id, r.decl.audit?.value ?? "info"])));
  const cases = expandTests(set.tests, { actions: new Set(loaded.set.actions.keys()), rules: new Set(set.rules.map((r) => r.id)) }, report);
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...found]);
  if (hasErrors(diagnostics)) return { ...base, diagnostics };
  const interpreter = interpretChecked(set, loaded.set);
  const testFiles = set.tests.filter((t) => t.tests.length > 0).map((t) => t.file).sort();
  return { ...base, diagnostics, suite: { checked: set, catalogs: loaded.set, interpreter, cases, testFiles } };
}
