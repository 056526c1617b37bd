/**
 * `agp compile [paths...] -o <out.wasm | dir/>`: check and compile policies
 * into one self-describing .wasm module (its manifest in the `agp.manifest`
 * custom section), optionally writing the manifest and a source map as JSON.
 * Without paths, every policy set of agp.json, each into `<dir>/<set>.wasm`;
 * `-o` naming a folder writes `<folder>/<set>.wasm` for one set too.
 *
 * In: paths (files or directories), options. Out: files written, the
 * diagnostics rendered (text on stderr, or one JSON document on stdout with
 * `--format json`), the exit code (0 ok, 1 policy errors, 2 usage or I/O).
 * Must not write anything when there are errors; each file is written
 * atomically (runtime/node writeFileAtomic: temporary file, fsync, rename,
 * directory fsync), so a crash never leaves a truncated module.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../../runtime/node/index.js";
import type { Command } from "commander";
import { COMPILE_LIMIT_RANGES, compilePaths, DEFAULT_BUNDLE_VERSION, type CompileLimits } from "../../compile/index.js";
import { diagnosticToJson, sortDiagnostics } from "../../diagnostics/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { emptyPaths, resolveTargets } from "../targets.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { agpVersion } from "../version.js";
import { exitFor } from "../exit.js";

interface CompileFlags {
  output?: string;
  set?: string[];
  strict?: boolean;
  manifest?: string;
  sourceMap?: string;
  bundleVersion?: string;
  format?: string;
  maxDepth?: string;
  maxValues?: string;
  jsonInputBytes?: string;
}

/** The limit options as numbers, or the usage error for the first one out of its range. */
function limitsOf(flags: CompileFlags): CompileLimits | string {
  const limits: { -readonly [K in keyof CompileLimits]: CompileLimits[K] } = {};
  const options = [
    ["maxDepth", "--max-depth", flags.maxDepth],
    ["maxValues", "--max-values", flags.maxValues],
    ["jsonInputBytes", "--json-input-bytes", flags.jsonInputBytes],
  ] as const;
  for (const [key, option, text] of options) {
    if (text === undefined) continue;
    const { min, max } = COMPILE_LIMIT_RANGES[key];
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) return `\`${option}\` must be a whole number from ${min} to ${max}, got \`${text}\``;
    limits[key] = value;
  }
  return limits;
}

export function registerCompileCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("compile")
    .description("compile policies into a .wasm policy module")
    .argument("[paths...]", ".agp files or directories (searched recursively); default: the policy sets of agp.json")
    .requiredOption("-o, --output <file>", "the .wasm file to write, or a folder to write <set>.wasm into (folders are created)")
    .option("--set <name>", "compile this policy set of agp.json (repeatable)", collect, [])
    .option("--manifest <file>", "also write the manifest as readable JSON")
    .option("--source-map <file>", "also write where each rule and limit comes from (JSON)")
    .option("--bundle-version <version>", "the bundle version recorded in the module", DEFAULT_BUNDLE_VERSION)
    .option("--format <format>", "output format: text or json", "text")
    .option("--strict", "treat warnings as errors (default: agp.json's `strict`)")
    .option("--no-strict", "do not treat warnings as errors, whatever agp.json says")
    .option("--max-depth <n>", "deepest nesting of arrays and objects a request may have (default 64)")
    .option("--max-values <n>", "most values a request may hold (default 100000)")
    .option("--json-input-bytes <n>", "the module's JSON input buffer in bytes; longer texts are still decided, more slowly (default 32768)")
    .action(async (paths: string[], flags: CompileFlags) => {
      setExit(await runCompile(paths, flags, io));
    });
}

async function runCompile(paths: string[], flags: CompileFlags, io: CliIo): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  const limits = limitsOf(flags);
  if (typeof limits === "string") return usageError(io, limits);
  const resolved = await resolveTargets("compile", paths, io, { sets: flags.set ?? [] });
  if (resolved.kind === "usage") return usageError(io, resolved.message);
  if (resolved.kind === "diagnostics") {
    reportDiagnostics(io, format, resolved.diagnostics, resolved.sources, {});
    return exitFor(resolved.diagnostics);
  }
  const targets = resolved.targets;
  const output = flags.output ?? "";
  const intoFolder = targets.length > 1 || /[/\\]$/.test(output) || (await isDirectory(resolve(io.cwd, output)));
  if (intoFolder && (flags.manifest !== undefined || flags.sourceMap !== undefined) && targets.length > 1) {
    return usageError(io, "--manifest and --source-map name one file: compile one policy set at a time (--set) to write them");
  }
  const version = flags.bundleVersion ?? DEFAULT_BUNDLE_VERSION;
  const project = resolved.project;
  const strict = flags.strict ?? project?.strict ?? false;
  let exit: number = EXIT.ok;
  const summaries: Record<string, unknown>[] = [];
  for (const target of targets) {
    // `-o build/` writes build/<set>.wasm: the set's name in agp.json, else the folder or file compiled.
    const wasmFile = intoFolder ? join(output, `${target.name}.wasm`) : output;
    const result = await compilePaths(target.paths, { cwd: io.cwd, version, compiler: agpVersion(), limits, strict, ...(project === undefined ? {} : { project: project.settings }) });
    const diagnostics = [...result.diagnostics, ...emptyPaths(target.paths, [...result.sources.keys()].filter((f) => f.endsWith(".agp")), result.diagnostics, io.cwd)];
    const compiled = diagnostics.length > result.diagnostics.length ? undefined : result.result;
    const written: string[] = [];
    if (compiled !== undefined) {
      const files: [string | undefined, Uint8Array | string][] = [
        [wasmFile, compiled.wasm],
        [flags.manifest, `${JSON.stringify(compiled.manifest, null, 2)}\n`],
        [flags.sourceMap, `${JSON.stringify(compiled.sourceMap, null, 2)}\n`],
      ];
      for (const [file, contents] of files) {
        if (file === undefined) continue;
        try {
          await writeFileAtomic(resolve(io.cwd, file), contents, { mkdir: true });
        } catch (error) {
          return usageError(io, `cannot write \`${file}\`: ${describeIoError(error)}`);
        }
        written.push(file);
      }
    }
    const summary =
      compiled === undefined
        ? {}
        : {
            output: wasmFile,
            hash: compiled.manifest.policy.hash,
            version,
            bytes: compiled.wasm.length,
            actions: compiled.manifest.actions.length,
            rules: compiled.manifest.rules.length,
            limits: compiled.manifest.limits.length,
            written,
          };
    if (format === "json" && targets.length > 1) summaries.push({ set: target.name, ...summary, diagnostics: diagnostics.map(diagnosticToJson) });
    else reportDiagnostics(io, format, sortDiagnostics(diagnostics), result.sources, summary);
    if (compiled !== undefined && format === "text") {
      io.stderr(
        `compiled ${compiled.manifest.rules.length} ${compiled.manifest.rules.length === 1 ? "rule" : "rules"} into ${wasmFile} (${compiled.wasm.length} bytes, sha256 ${compiled.manifest.policy.hash.slice(0, 12)}…, version ${version})\n`,
      );
    }
    exit = Math.max(exit, compiled === undefined ? Math.max(exitFor(diagnostics), EXIT.policyErrors) : EXIT.ok);
  }
  if (summaries.length > 0) io.stdout(`${JSON.stringify({ sets: summaries }, null, 2)}\n`);
  return exit;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
