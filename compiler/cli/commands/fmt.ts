/**
 * `agp fmt [--check | --write] <files|dirs>`: print policies in the one
 * canonical layout.
 *
 * Without flags the formatted text goes to stdout. `--check` changes nothing
 * and lists the files that are not formatted (exit 1 if any). `--write`
 * rewrites those files in place, each atomically (a temporary file in the
 * same directory, flushed, renamed over it: a crash leaves the old text or
 * the new, never a mixture). Files with syntax errors are never
 * rewritten: their errors are reported and the exit code is 1.
 */
import { writeFileAtomic } from "../../../runtime/node/index.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import { sortDiagnostics, type Diagnostic } from "../../diagnostics/index.js";
import { format } from "../../format/index.js";
import { describeIoError, discoverPolicyFiles, readPolicyFiles } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { exitFor } from "./check.js";

interface FmtOptions {
  check?: boolean;
  write?: boolean;
  format?: string;
}

export function registerFmtCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("fmt")
    .description("format policies in the canonical layout (prints to stdout unless --check or --write)")
    .argument("<paths...>", ".agp files or directories (searched recursively)")
    .option("--check", "change nothing; list files that are not formatted and exit 1 if any")
    .option("--write", "rewrite files that are not formatted")
    .option("--format <format>", "diagnostic output format: text or json", "text")
    .action(async (paths: string[], options: FmtOptions) => {
      const outputFormat = parseFormat(options.format);
      if (outputFormat === undefined) {
        return setExit(usageError(io, `unknown format \`${options.format}\`; use text or json`));
      }
      if (options.check === true && options.write === true) {
        return setExit(usageError(io, "use either --check or --write, not both"));
      }
      const discovered = await discoverPolicyFiles(paths, io.cwd);
      const read = await readPolicyFiles(discovered.files, io.cwd);
      const diagnostics: Diagnostic[] = [...discovered.diagnostics, ...read.diagnostics];
      const unformatted: string[] = [];
      for (const source of read.parsed) {
        if (source.diagnostics.length > 0) continue;
        const result = format(source.text, source.file);
        if (!result.changed) {
          if (options.check !== true && options.write !== true) io.stdout(result.text);
          continue;
        }
        unformatted.push(source.file);
        if (options.write === true) {
          try {
            await writeFileAtomic(resolve(io.cwd, source.file), result.text);
          } catch (error) {
            return setExit(usageError(io, `cannot write \`${source.file}\`: ${describeIoError(error)}`));
          }
        }
        else if (options.check !== true) io.stdout(result.text);
      }
      const sorted = sortDiagnostics(diagnostics);
      reportDiagnostics(io, outputFormat, sorted, read.sources, { unformatted });
      if (outputFormat === "text") {
        for (const file of unformatted) {
          if (options.check === true) io.stderr(`not formatted: ${file}\n`);
          if (options.write === true) io.stderr(`formatted: ${file}\n`);
        }
      }
      const errorExit = exitFor(sorted);
      if (errorExit !== EXIT.ok) return setExit(errorExit);
      setExit(options.check === true && unformatted.length > 0 ? EXIT.policyErrors : EXIT.ok);
    });
}
