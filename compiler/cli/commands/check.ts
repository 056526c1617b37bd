/**
 * `agp check <files|dirs>`: parse and type-check policies, report every
 * problem of every file in one run.
 */
import type { Command } from "commander";
import { hasErrors, sortDiagnostics } from "../../diagnostics/index.js";
import { checkPaths } from "../../check/index.js";
import { EXIT, type CliIo } from "../io.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";

export function registerCheckCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("parse and type-check policies against their action catalogs")
    .argument("<paths...>", ".agp files or directories (searched recursively)")
    .option("--strict", "treat warnings as errors")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (paths: string[], options: { strict?: boolean; format?: string }) => {
      const format = parseFormat(options.format);
      if (format === undefined) return setExit(usageError(io, `unknown format \`${options.format}\`; use text or json`));
      const result = await checkPaths(paths, { cwd: io.cwd, strict: options.strict === true });
      // checkPaths already promotes warnings under --strict (except those reported only).
      const diagnostics = sortDiagnostics(result.diagnostics);
      reportDiagnostics(io, format, diagnostics, result.sources, { files: result.files });
      if (format === "text" && diagnostics.length === 0) {
        io.stderr(`checked ${result.files.length} ${result.files.length === 1 ? "file" : "files"}: no problems\n`);
      }
      setExit(exitFor(diagnostics));
    });
}

/** 2 when only I/O problems occurred, 1 for policy errors, else 0. */
export function exitFor(diagnostics: readonly { code: string; severity: string }[]): number {
  if (!hasErrors(diagnostics as never)) return EXIT.ok;
  const errors = diagnostics.filter((d) => d.severity === "error");
  return errors.every((d) => d.code.startsWith("AGP9")) ? EXIT.usage : EXIT.policyErrors;
}

