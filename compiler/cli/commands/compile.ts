/**
 * `agp compile <paths...> -o <out.wasm>`: check and compile policies into
 * one self-describing .wasm module (its manifest in the `agp.manifest`
 * custom section), optionally writing the manifest and a source map as JSON.
 *
 * In: paths (files or directories), options. Out: files written, the
 * diagnostics rendered (text on stderr, or one JSON document on stdout with
 * `--format json`), the exit code (0 ok, 1 policy errors, 2 usage or I/O).
 * Must not write anything when there are errors; each file is written
 * atomically (runtime/node writeFileAtomic: temporary file, fsync, rename,
 * directory fsync), so a crash never leaves a truncated module.
 */
import { resolve } from "node:path";
import { writeFileAtomic } from "../../../runtime/node/index.js";
import type { Command } from "commander";
import { COMPILE_LIMIT_RANGES, compilePaths, DEFAULT_BUNDLE_VERSION, type CompileLimits } from "../../compile/index.js";
import { EXIT, type CliIo } from "../io.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { agpVersion } from "../version.js";
import { exitFor } from "./check.js";

interface CompileFlags {
  output?: string;
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
    .argument("<paths...>", ".agp files or directories (searched recursively)")
    .requiredOption("-o, --output <file>", "the .wasm file to write")
    .option("--manifest <file>", "also write the manifest as readable JSON")
    .option("--source-map <file>", "also write where each rule and limit comes from (JSON)")
    .option("--bundle-version <version>", "the bundle version recorded in the module", DEFAULT_BUNDLE_VERSION)
    .option("--format <format>", "output format: text or json", "text")
    .option("--max-depth <n>", "deepest nesting of arrays and objects a request may have (default 64)")
    .option("--max-values <n>", "most values a request may hold (default 100000)")
    .option("--json-input-bytes <n>", "the module's JSON input buffer in bytes; longer texts are still decided, more slowly (default 32768)")
    .action(async (paths: string[], flags: CompileFlags) => {
      const format = parseFormat(flags.format);
      if (format === undefined) return setExit(usageError(io, `unknown format \`${flags.format}\`; use text or json`));
      const limits = limitsOf(flags);
      if (typeof limits === "string") return setExit(usageError(io, limits));
      const version = flags.bundleVersion ?? DEFAULT_BUNDLE_VERSION;
      const result = await compilePaths(paths, { cwd: io.cwd, version, compiler: agpVersion(), limits });
      const compiled = result.result;
      const written: string[] = [];
      if (compiled !== undefined) {
        const files: [string | undefined, Uint8Array | string][] = [
          [flags.output, compiled.wasm],
          [flags.manifest, `${JSON.stringify(compiled.manifest, null, 2)}\n`],
          [flags.sourceMap, `${JSON.stringify(compiled.sourceMap, null, 2)}\n`],
        ];
        for (const [file, contents] of files) {
          if (file === undefined) continue;
          const path = resolve(io.cwd, file);
          try {
            await writeFileAtomic(path, contents, { mkdir: true });
          } catch (error) {
            return setExit(usageError(io, `cannot write \`${file}\`: ${error instanceof Error ? error.message : String(error)}`));
          }
          written.push(file);
        }
      }
      const summary =
        compiled === undefined
          ? {}
          : {
              output: flags.output,
              hash: compiled.manifest.policy.hash,
              version,
              bytes: compiled.wasm.length,
              actions: compiled.manifest.actions.length,
              rules: compiled.manifest.rules.length,
              limits: compiled.manifest.limits.length,
              written,
            };
      reportDiagnostics(io, format, result.diagnostics, result.sources, summary);
      if (compiled !== undefined && format === "text") {
        io.stderr(
          `compiled ${compiled.manifest.rules.length} ${compiled.manifest.rules.length === 1 ? "rule" : "rules"} into ${flags.output} (${compiled.wasm.length} bytes, sha256 ${compiled.manifest.policy.hash.slice(0, 12)}…, version ${version})\n`,
        );
      }
      setExit(compiled === undefined ? Math.max(exitFor(result.diagnostics), EXIT.policyErrors) : EXIT.ok);
    });
}
