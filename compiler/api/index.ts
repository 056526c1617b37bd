/**
 * The compiler as a library (`import { check, compile, test } from
 * "agp/compiler"`), for gateways and build tools that compile without
 * spawning the CLI: the same drivers `agp check`, `agp compile` and
 * `agp test` run, on files held in memory or on a folder on disk.
 *
 * In: the files (path → text; paths relative to the project, `/`-separated,
 * e.g. `policies/github.agp` and `schemas/github.json`, read through
 * compiler/project's `memoryFiles`) or a `root` folder on disk; which paths
 * to take (default: every `.agp` file); options as the CLI's flags.
 * Out: plain data — `ok`, the diagnostics in the shape of `--format json`
 * and as the text the CLI prints, and per verb the module (bytes, manifest,
 * source map, hash) or the test report (the `--reporter json` document).
 * Never throws for a user's mistake; never prints or writes a file.
 * binaryen is loaded by `compile` and `test` only, on first use.
 * Documented in docs/api.md; that page's example runs in test/api.
 */
import { checkPaths } from "../check/index.js";
import { diagnosticToJson, hasErrors, renderDiagnostics, sortDiagnostics, type Diagnostic, type DiagnosticJson } from "../diagnostics/index.js";
import { format as formatText } from "../format/index.js";
import { memoryFiles, nodeFiles, type ProjectFiles } from "../project/index.js";
import type { Manifest } from "../../runtime/index.js";

/** Where the sources are: in memory, or a folder on disk. */
export type Sources =
  | {
      /** Path (relative, `/`-separated) → text: policies, test files and catalogs. */
      readonly files: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
      readonly root?: undefined;
    }
  | {
      /** A folder on disk; paths are relative to it. */
      readonly root: string;
      readonly files?: undefined;
    };

/** What every call takes. */
export type Options = Sources & {
  /** `.agp` files or folders to take (relative); default `["."]`, every `.agp` file. */
  readonly paths?: readonly string[];
  /** Warnings are errors, as `--strict`. */
  readonly strict?: boolean;
};

/** Diagnostics of a call, as data and as the CLI prints them. */
export interface Reported {
  /** No error (warnings allowed unless `strict`). */
  readonly ok: boolean;
  /** As `--format json` prints them: code, severity, message, file, line, column, end, help, related. */
  readonly diagnostics: readonly DiagnosticJson[];
  /** Caret excerpts and the error count, exactly as the CLI prints them on stderr ("" when there is none). */
  readonly text: string;
  /** The `.agp` files read. */
  readonly files: readonly string[];
}

/** `check`'s answer. */
export type CheckOutput = Reported;

/** `compile`'s answer: the module when `ok`. */
export interface CompileOutput extends Reported {
  readonly wasm?: Uint8Array;
  readonly manifest?: Manifest;
  /** Where each rule and limit comes from (what `agp compile --source-map` writes). */
  readonly sourceMap?: unknown;
  /** The content hash (hex SHA-256), also in the manifest. */
  readonly hash?: string;
}

/** `test`'s answer: the report when the policies and tests load. */
export interface TestOutput extends Reported {
  /** Every case ran and passed (and there was at least one, unless `allowEmpty`). */
  readonly passed: boolean;
  /** The `--reporter json` document: engines, summary, cases, coverage (docs/testing.md). */
  readonly report?: TestReport;
  /** The pretty report, as `agp test` prints it (no colours). */
  readonly prettyText?: string;
}

/** The `--reporter json` document (docs/testing.md, "Reporters"). */
export interface TestReport {
  readonly engines: readonly string[];
  readonly summary: { readonly total: number; readonly passed: number; readonly failed: number };
  readonly cases: readonly { readonly name: string; readonly file: string; readonly line: number; readonly status: "passed" | "failed"; readonly [more: string]: unknown }[];
  readonly coverage: { readonly total: { readonly rules: Figure; readonly branches: Figure }; readonly files: readonly unknown[] };
}

interface Figure {
  readonly covered: number;
  readonly total: number;
  readonly percent: number;
}

/** Parses and type-checks, as `agp check`. */
export async function check(options: Options): Promise<CheckOutput> {
  const { files, cwd, paths } = where(options);
  const result = await checkPaths(paths, { cwd, files, strict: options.strict === true });
  return reported(result.diagnostics, result.sources, result.files);
}

/** Checks and compiles to one module, as `agp compile`. */
export async function compile(
  options: Options & {
    /** The bundle version recorded in the module (default `0.0.0-dev`). */
    readonly version?: string;
    /** Request bounds and the JSON buffer, as `--max-depth`, `--max-values`, `--json-input-bytes`. */
    readonly limits?: { readonly maxDepth?: number; readonly maxValues?: number; readonly jsonInputBytes?: number };
  },
): Promise<CompileOutput> {
  const { files, cwd, paths } = where(options);
  const { compilePaths } = await import("../compile/index.js");
  const result = await compilePaths(paths, {
    cwd,
    files,
    strict: options.strict === true,
    compiler: "agp/compiler",
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const base = reported(result.diagnostics, result.sources, [...result.sources.keys()].filter((f) => f.endsWith(".agp")));
  const compiled = result.result;
  if (compiled === undefined) return { ...base, ok: false };
  return { ...base, wasm: compiled.wasm, manifest: compiled.manifest, sourceMap: compiled.sourceMap, hash: compiled.manifest.policy.hash };
}

/** Runs the test cases, as `agp test`: on the compiled module (default), the interpreter, or both. */
export async function test(
  options: Options & {
    readonly engine?: "wasm" | "interpreter" | "both";
    /** Only cases whose name matches. */
    readonly filter?: RegExp;
    /** No case is a pass, not a failure. */
    readonly allowEmpty?: boolean;
  },
): Promise<TestOutput> {
  const { files, cwd, paths } = where(options);
  const testing = await import("../testing/index.js");
  const loaded = await testing.loadSuite(paths, { cwd, files, strict: options.strict === true });
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  const base = reported(errors, loaded.sources, loaded.files);
  const suite = loaded.suite;
  if (suite === undefined || errors.length > 0) return { ...base, ok: false, passed: false };
  const engine = options.engine ?? "wasm";
  const engines = [];
  if (engine !== "interpreter") {
    const { compilePolicy } = await import("../compile/index.js");
    const compiled = compilePolicy(suite.checked, suite.catalogs, { compiler: "agp/compiler" });
    if (compiled.compiled === undefined) return { ...reported(compiled.diagnostics, loaded.sources, loaded.files), ok: false, passed: false };
    engines.push(testing.wasmEngine(compiled.compiled.wasm));
  }
  const interpreter = testing.interpreterEngine(suite.interpreter);
  if (engine === "interpreter") engines.push(interpreter);
  if (engine === "both") engines.push(interpreter);
  const run = testing.runCases(suite.cases, engines, suite.interpreter, loaded.sources, options.filter === undefined ? {} : { filter: options.filter });
  const counts = testing.tally(run);
  return {
    ...base,
    passed: counts.failed === 0 && (counts.total > 0 || options.allowEmpty === true),
    report: JSON.parse(testing.jsonReport(run, loaded.sources)) as TestReport,
    prettyText: testing.prettyReport(run, loaded.sources, { color: false }),
  };
}

/** The canonical layout of one policy text, as `agp fmt`; the text unchanged (and `ok: false`) when it does not parse. */
export function format(text: string, file = "policy.agp"): { readonly ok: boolean; readonly text: string; readonly changed: boolean; readonly diagnostics: readonly DiagnosticJson[] } {
  const result = formatText(text, file);
  return { ok: result.diagnostics.length === 0, text: result.text, changed: result.changed, diagnostics: result.diagnostics.map(diagnosticToJson) };
}

/** The file system, working directory and paths a call reads. */
function where(options: Options): { files: ProjectFiles; cwd: string; paths: readonly string[] } {
  const paths = options.paths ?? ["."];
  if (options.root !== undefined) return { files: nodeFiles(), cwd: options.root, paths };
  const entries = options.files instanceof Map ? [...options.files] : Object.entries(options.files as Record<string, string>);
  // Files live under `/`, so the names diagnostics show are the names given.
  const texts = new Map(entries.map(([name, text]) => [`/${name.replace(/^\.?\/+/, "")}`, text] as const));
  return { files: memoryFiles(texts), cwd: "/", paths };
}

function reported(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, files: readonly string[]): Reported {
  const sorted = sortDiagnostics(diagnostics);
  return { ok: !hasErrors(sorted), diagnostics: sorted.map(diagnosticToJson), text: renderDiagnostics(sorted, sources), files };
}
