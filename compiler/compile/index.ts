/**
 * The compile face: a checked policy set → a policy module (.wasm), its
 * manifest, the IR it came from and a source map; and the driver behind
 * `agp compile` (paths in, diagnostics and the compiled policy out).
 *
 * In: `CheckedPolicySet` + `CatalogSet` (compilePolicy), or paths
 * (compilePaths: check, load catalogs, compile). Out: `CompileResult`:
 * diagnostics (AGP6xx when lowering refuses), and the compiled policy when
 * there are none. Must not print or write files (the CLI does), and must
 * not throw for user mistakes.
 *
 * The content hash is the hex SHA-256 of the IR's canonical JSON (the IR is
 * deterministic: sorted actions, rules, limits; no timestamps), so the same
 * policies and catalogs always give the same hash.
 */
import { loadCatalogFiles, type CatalogSet } from "../catalog/index.js";
import { checkPaths, type CheckedPolicySet } from "../check/index.js";
import { emit } from "../codegen/index.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { validateIr, type IrProgram } from "../ir/index.js";
import { lower } from "../lower/index.js";
import type { ProjectFiles, ProjectSettings } from "../project/index.js";
import { sha256Hex } from "../../runtime/governance/sha256.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type RequestBounds } from "../../runtime/manifest.js";
import { JSON_LIMITS } from "../codegen/index.js";

/** Default bundle version when none is given. */
export const DEFAULT_BUNDLE_VERSION = "0.0.0-dev";

/** Where each rule and limit of the module came from, and which function decides each action. */
export interface SourceMap {
  readonly version: 1;
  readonly rules: readonly { readonly index: number; readonly id: string; readonly file: string; readonly line: number }[];
  readonly limits: readonly { readonly index: number; readonly id: string; readonly file: string; readonly line: number }[];
  readonly actions: readonly { readonly id: number; readonly name: string; readonly rules: readonly number[]; readonly limits: readonly number[] }[];
}

/** A compiled policy. */
export interface CompiledPolicy {
  readonly wasm: Uint8Array;
  readonly manifest: Manifest;
  readonly ir: IrProgram;
  readonly sourceMap: SourceMap;
}

export interface CompileOptions {
  /** Bundle version (`--bundle-version`); default `0.0.0-dev`. */
  readonly version?: string;
  /** The compiler version recorded in the manifest; default "agp". */
  readonly compiler?: string;
  /** Stdlib bytes (default: the build). */
  readonly stdlib?: Uint8Array;
  /** Request bounds and the JSON buffer (`--max-depth`, `--max-values`, `--json-input-bytes`); defaults when absent. */
  readonly limits?: CompileLimits;
}

/** The compile options that shape what a module accepts (ADR 0008). */
export interface CompileLimits {
  /** Deepest nesting of arrays and objects in a request (the request object is depth 1). */
  readonly maxDepth?: number;
  /** Most values in a request (keys do not count). */
  readonly maxValues?: number;
  /** Size of the module's JSON input buffer (a speed and memory setting: longer texts are decided by the runtime's reader). */
  readonly jsonInputBytes?: number;
}

/** Where each compile limit may lie; outside, `agp compile` refuses the option. */
export const COMPILE_LIMIT_RANGES = {
  maxDepth: { min: 2, max: 1000 },
  maxValues: { min: 16, max: 100_000_000 },
  jsonInputBytes: { min: JSON_LIMITS.minInputBytes, max: JSON_LIMITS.maxInputBytes },
} as const;

/** The limits with defaults filled in. */
export function resolveLimits(limits: CompileLimits = {}): { readonly bounds: RequestBounds; readonly jsonInputBytes: number } {
  return {
    bounds: { maxDepth: limits.maxDepth ?? DEFAULT_REQUEST_BOUNDS.maxDepth, maxValues: limits.maxValues ?? DEFAULT_REQUEST_BOUNDS.maxValues },
    jsonInputBytes: limits.jsonInputBytes ?? JSON_LIMITS.inputBytes,
  };
}

/** Diagnostics, and the compiled policy when there is no error. */
export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly compiled?: CompiledPolicy;
}

/** Compiles a checked policy set (free of errors) against its catalogs. */
export function compilePolicy(checked: CheckedPolicySet, catalogs: CatalogSet, options: CompileOptions = {}): CompileResult {
  const lowered = lower(checked, catalogs);
  if (lowered.program === undefined) return { diagnostics: lowered.diagnostics };
  const ir = lowered.program;
  const problems = validateIr(ir);
  if (problems.length > 0) throw new Error(`internal error: invalid IR: ${problems.slice(0, 5).join("; ")}`);
  const limits = resolveLimits(options.limits);
  const hash = contentHash(ir, limits);
  const { wasm, manifest } = emit(ir, {
    compiler: options.compiler ?? "agp",
    hash,
    version: options.version ?? DEFAULT_BUNDLE_VERSION,
    ...(options.stdlib === undefined ? {} : { stdlib: options.stdlib }),
    bounds: limits.bounds,
    jsonInputBytes: limits.jsonInputBytes,
  });
  return { diagnostics: lowered.diagnostics, compiled: { wasm, manifest, ir, sourceMap: sourceMapOf(ir) } };
}

/**
 * Hex SHA-256 of the IR's canonical JSON, followed by the compile limits
 * when they are not the defaults (so a default build keeps its hash, and
 * a module that accepts other requests never shares one). Node's native
 * hash where there is Node (fast on large policies); elsewhere (the browser
 * playground) the runtime's own SHA-256, which gives the same digest.
 */
export function contentHash(ir: IrProgram, limits: ReturnType<typeof resolveLimits> = resolveLimits()): string {
  const defaults = resolveLimits();
  const custom = JSON.stringify(limits) !== JSON.stringify(defaults);
  const text = JSON.stringify(ir) + (custom ? JSON.stringify(limits) : "");
  const crypto = nodeCrypto();
  return crypto === undefined ? sha256Hex(text) : crypto.createHash("sha256").update(text).digest("hex");
}

/** `node:crypto` without a static import, so this module loads in browsers too (ADR 0022). */
function nodeCrypto(): typeof import("node:crypto") | undefined {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return builtin === undefined ? undefined : (builtin("node:crypto") as typeof import("node:crypto"));
}

function sourceMapOf(ir: IrProgram): SourceMap {
  return {
    version: 1,
    rules: ir.rules.map((r, index) => ({ index, id: r.id, file: r.file, line: r.line })),
    limits: ir.limits.map((l, index) => ({ index, id: l.id, file: l.file, line: l.line })),
    actions: ir.actions
      .map((a) => ({
        id: a.id,
        name: a.name,
        rules: [...new Set([a.agent, a.human].flatMap((s) => [...s.unindexed, ...s.indexed]).map((u) => u.rule))].sort((x, y) => x - y),
        limits: a.limits.map((l) => l.limit),
      }))
      .filter((a) => a.rules.length > 0 || a.limits.length > 0),
  };
}

export interface CompilePathsOptions extends CompileOptions {
  /** The directory paths are relative to. Default: process.cwd(). */
  readonly cwd?: string;
  readonly strict?: boolean;
  /** Where files are read; default the disk. */
  readonly files?: ProjectFiles;
  /** The project file's settings (agp.json); default none. */
  readonly project?: ProjectSettings;
}

/** What the driver returns: every diagnostic, the texts read, and the compiled policy when there is no error. */
export interface CompilePathsResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: Map<string, string>;
  readonly result?: CompiledPolicy;
}

/** Checks and compiles the .agp files under `paths`. */
export async function compilePaths(paths: readonly string[], options: CompilePathsOptions = {}): Promise<CompilePathsResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = options.files === undefined ? {} : { files: options.files };
  const checked = await checkPaths(paths, { cwd, ...files, ...(options.strict === true ? { strict: true } : {}), ...(options.project === undefined ? {} : { project: options.project }) });
  if (checked.checked === undefined) return { diagnostics: checked.diagnostics, sources: checked.sources };
  const catalogs = await loadCatalogsOf(checked.checked, cwd, options.files);
  const compiled = compilePolicy(checked.checked, catalogs, options);
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...compiled.diagnostics]);
  if (hasErrors(diagnostics) || compiled.compiled === undefined) return { diagnostics, sources: checked.sources };
  return { diagnostics, sources: checked.sources, result: compiled.compiled };
}

/** The catalog set a checked policy set was checked against (its packages' catalogs, as the driver named them). */
export async function loadCatalogsOf(checked: CheckedPolicySet, cwd: string, files?: ProjectFiles): Promise<CatalogSet> {
  const paths = [...new Set(checked.packages.flatMap((p) => p.catalogs))];
  return (await loadCatalogFiles(paths, { cwd, ...(files === undefined ? {} : { files }) })).set;
}
