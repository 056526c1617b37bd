/**
 * `agp schema …`: work with action catalogs without policies.
 *
 * - `import-mcp <tools.json> --family NAME [-o out.json]`: an MCP server's
 *   tool list → a catalog on stdout (or in the -o file); on stderr the fields
 *   that lack maxLength / maxItems and any problem of the new catalog. Exit 0
 *   ok (bound warnings included), 1 when the input is not an MCP tool list or
 *   the catalog has errors, 2 on I/O errors.
 * - `check <catalogs...>`: load and validate catalogs as `agp check` would
 *   (AGP4xx). Exit 0 (warnings allowed unless --strict), 1 errors, 2 when
 *   only unreadable files.
 * - `show <catalogs...> [--action PATTERN]`: what a policy can read, with
 *   types and bounds.
 *
 * The work itself lives in compiler/catalog; this file only reads, writes
 * and prints.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../../runtime/node/index.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  describeMissingBound,
  importMcp,
  loadCatalogFiles,
  matchActions,
  parseJsonSource,
  summarizeCatalogSet,
} from "../../catalog/index.js";
import { hasErrors, renderDiagnostics, sortDiagnostics, strict as makeStrict } from "../../diagnostics/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";

export function registerSchemaCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const schema = program.command("schema").description("work with action catalogs (JSON Schema)");
  schema
    .command("import-mcp")
    .description("turn an MCP server's tool list (tools[].name, description, inputSchema) into an action catalog")
    .argument("<tools.json>", "the tool list: { \"tools\": [...] }, a bare array, or a tools/list response")
    .requiredOption("--family <name>", "the family the actions belong to, e.g. github")
    .option("-o, --output <file>", "write the catalog here instead of stdout")
    .action(async (toolsPath: string, options: { family: string; output?: string }) => {
      setExit(await importMcpCommand(io, toolsPath, options.family, options.output));
    });
  schema
    .command("check")
    .description("validate action catalogs (JSON Schema) as `agp check` loads them")
    .argument("<catalogs...>", "catalog files")
    .option("--strict", "treat warnings as errors")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (paths: string[], options: { strict?: boolean; format?: string }) => {
      const format = parseFormat(options.format);
      if (format === undefined) return setExit(usageError(io, `unknown format \`${options.format}\`; use text or json`));
      const loaded = await loadCatalogFiles(paths, { cwd: io.cwd });
      let diagnostics = sortDiagnostics(loaded.diagnostics);
      if (options.strict === true) diagnostics = makeStrict(diagnostics);
      reportDiagnostics(io, format, diagnostics, loaded.sources, { catalogs: [...loaded.sources.keys()] });
      if (format === "text" && !hasErrors(diagnostics)) {
        const catalogs = loaded.set.catalogs.length;
        const actions = loaded.set.actions.size;
        const problems = diagnostics.length === 0 ? "no problems" : "no errors";
        io.stderr(`checked ${catalogs} ${catalogs === 1 ? "catalog" : "catalogs"} (${actions} ${actions === 1 ? "action" : "actions"}): ${problems}\n`);
      }
      setExit(catalogExit(diagnostics));
    });
  schema
    .command("show")
    .description("list what policies can read: each action's metadata and arguments, and the request, with types and bounds")
    .argument("<catalogs...>", "catalog files (include the project catalog for its request shape)")
    .option("--action <pattern>", "only these actions: an exact name or a prefix ending in .*")
    .action(async (paths: string[], options: { action?: string }) => {
      const loaded = await loadCatalogFiles(paths, { cwd: io.cwd });
      const diagnostics = sortDiagnostics(loaded.diagnostics);
      if (hasErrors(diagnostics)) {
        io.stderr(renderDiagnostics(diagnostics, loaded.sources));
        return setExit(catalogExit(diagnostics));
      }
      const actions = options.action === undefined ? undefined : matchActions(loaded.set, options.action);
      if (actions !== undefined && actions.length === 0) {
        return setExit(usageError(io, `no action matches \`${options.action}\``));
      }
      io.stdout(summarizeCatalogSet(loaded.set, actions === undefined ? {} : { actions }));
      setExit(EXIT.ok);
    });
}

/** 2 when every error is an unreadable file (AGP400), 1 for other errors, else 0. */
function catalogExit(diagnostics: readonly { code: string; severity: string }[]): number {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return EXIT.ok;
  return errors.every((d) => d.code === "AGP400") ? EXIT.usage : EXIT.policyErrors;
}

async function importMcpCommand(io: CliIo, toolsPath: string, family: string, output: string | undefined): Promise<number> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, toolsPath), "utf8");
  } catch (error) {
    io.stderr(`agp: cannot read \`${toolsPath}\`: ${describeIoError(error)}\n`);
    return EXIT.usage;
  }
  const parsed = parseJsonSource(toolsPath, text);
  const syntax = parsed.problems.find((p) => p.duplicateKey === undefined);
  if (parsed.value === undefined || syntax !== undefined) {
    const at = syntax === undefined ? "" : `:${parsed.spanAt(syntax.offset, syntax.endOffset).line}:${parsed.spanAt(syntax.offset, syntax.endOffset).column}`;
    io.stderr(`agp: ${toolsPath}${at}: not valid JSON: ${syntax?.message ?? "no value"}\n`);
    return EXIT.policyErrors;
  }
  const outputName = output ?? `${family}.json`;
  const imported = importMcp(parsed.value, family, outputName);
  if (imported.problems.length > 0 || imported.text === undefined) {
    for (const problem of imported.problems) io.stderr(`agp: ${toolsPath}: ${problem}\n`);
    return EXIT.policyErrors;
  }
  if (output === undefined) {
    io.stdout(imported.text);
  } else {
    try {
      await writeFileAtomic(resolve(io.cwd, output), imported.text);
    } catch (error) {
      io.stderr(`agp: cannot write \`${output}\`: ${describeIoError(error)}\n`);
      return EXIT.usage;
    }
  }
  for (const bound of imported.missingBounds) io.stderr(`${describeMissingBound(bound)}\n`);
  const diagnostics = sortDiagnostics(imported.diagnostics);
  if (diagnostics.length > 0) io.stderr(renderDiagnostics(diagnostics, new Map([[outputName, imported.text]])));
  if (output !== undefined) {
    const count = Object.keys((imported.catalog?.actions ?? {}) as object).length;
    io.stderr(`wrote ${count} ${count === 1 ? "action" : "actions"} of family \`${family}\` to ${output}\n`);
  }
  return hasErrors(diagnostics) ? EXIT.policyErrors : EXIT.ok;
}
