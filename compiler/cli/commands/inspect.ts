/**
 * `agp inspect <file.wasm>`: what a compiled policy module holds (size,
 * imports, exports with signatures, sections, hash, version, compiler, ABI,
 * actions with their worst-case cost bound, rules, limits); `--manifest`
 * prints its manifest as JSON. `agp inspect --ir <paths...>`: checks and
 * lowers policy sources and prints the IR the module would be generated
 * from (compiler/ir's printer).
 *
 * In: a .wasm file, or with `--ir` .agp files or directories. Out: text or
 * JSON on stdout; diagnostics on stderr (`--ir`). Exit codes: 0 printed;
 * 1 policy errors (`--ir`); 2 usage, unreadable file, not an agp module.
 * Must not change anything on disk.
 */
import { displayBlock } from "../../../runtime/display-text.js";
import type { Command } from "commander";
import { sortDiagnostics } from "../../diagnostics/index.js";
import { moduleReport, moduleReportText } from "../inspect-module.js";
import { EXIT, type CliIo } from "../io.js";
import { loadModuleFile } from "../policy-module.js";
import { parseFormat, reportDiagnostics, type OutputFormat } from "../report.js";
import { usageError } from "../usage.js";
import { exitFor } from "../exit.js";

interface InspectFlags {
  ir?: boolean;
  manifest?: boolean;
  format?: string;
}

/** Adds `agp inspect` to the program. */
export function registerInspectCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("inspect")
    .description("show what a compiled policy module holds, or (--ir) the IR policies lower to")
    .argument("<paths...>", "a .wasm policy module; with --ir, .agp files or directories")
    .option("--manifest", "print the module's manifest as JSON")
    .option("--ir", "check and lower the given policy sources and print their IR")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (paths: string[], flags: InspectFlags) => {
      const format = parseFormat(flags.format);
      if (format === undefined) return setExit(usageError(io, `unknown format \`${flags.format}\`; use text or json`));
      if (flags.ir === true && flags.manifest === true) return setExit(usageError(io, "--ir and --manifest cannot be used together"));
      setExit(flags.ir === true ? await inspectIr(paths, format, io) : await inspectModule(paths, flags, format, io));
    });
}

async function inspectModule(paths: readonly string[], flags: InspectFlags, format: OutputFormat, io: CliIo): Promise<number> {
  const [file, ...rest] = paths;
  if (file === undefined || rest.length > 0) return usageError(io, "inspect takes one .wasm file (or --ir with policy sources)");
  const loaded = await loadModuleFile(io, file);
  if ("error" in loaded) {
    const hint = file.endsWith(".agp") ? " (to see the IR of policy sources, use `agp inspect --ir`)" : "";
    return usageError(io, `${loaded.error}${hint}`);
  }
  const manifest = loaded.engine.manifest;
  if (flags.manifest === true) {
    io.stdout(`${displayBlock(JSON.stringify(manifest, null, 2))}\n`);
    return EXIT.ok;
  }
  const report = moduleReport(file, loaded.bytes, manifest);
  io.stdout(format === "json" ? `${displayBlock(JSON.stringify(report, null, 2))}\n` : moduleReportText(report));
  return EXIT.ok;
}

async function inspectIr(paths: readonly string[], format: OutputFormat, io: CliIo): Promise<number> {
  const wasm = paths.find((p) => p.endsWith(".wasm"));
  if (wasm !== undefined) return usageError(io, `--ir lowers policy sources; \`${wasm}\` is a compiled module, which keeps no IR (inspect it without --ir)`);
  // Loaded here: inspecting a module needs none of the compiler (binaryen costs seconds to load).
  const [{ checkPaths }, { contentHash, loadCatalogsOf }, { printIr, validateIr }, { lower }] = await Promise.all([
    import("../../check/index.js"),
    import("../../compile/index.js"),
    import("../../ir/index.js"),
    import("../../lower/index.js"),
  ]);
  const checked = await checkPaths(paths, { cwd: io.cwd });
  let diagnostics = checked.diagnostics.filter((d) => d.severity === "error");
  if (checked.checked === undefined || diagnostics.length > 0) {
    reportDiagnostics(io, format, diagnostics, checked.sources, { files: checked.files });
    return exitFor(checked.diagnostics);
  }
  const catalogs = await loadCatalogsOf(checked.checked, io.cwd);
  const lowered = lower(checked.checked, catalogs);
  diagnostics = sortDiagnostics(lowered.diagnostics.filter((d) => d.severity === "error"));
  const program = lowered.program;
  if (program === undefined || diagnostics.length > 0) {
    reportDiagnostics(io, format, diagnostics, checked.sources, { files: checked.files });
    return EXIT.policyErrors;
  }
  const problems = validateIr(program);
  if (problems.length > 0) throw new Error(`internal error: invalid IR: ${problems.slice(0, 5).join("; ")}`);
  if (format === "json") io.stdout(`${displayBlock(JSON.stringify({ files: checked.files, hash: contentHash(program), ir: program }, null, 2))}\n`);
  else io.stdout(printIr(program));
  return EXIT.ok;
}
