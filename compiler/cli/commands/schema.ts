/**
 * `agp schema …`: work with action catalogs without policies.
 *
 * - `import-mcp <tools.json> | --command CMD --family NAME [-o out.json]
 *   [--max-length N] [--max-items N] [--close-objects]`: an MCP server's tool
 *   list (a file, or asked of the running server over stdio) → a catalog on
 *   stdout (or in the -o file); on stderr the tools renamed to action names,
 *   what was adapted, the fields that still lack maxLength / maxItems and any
 *   problem of the new catalog. Exit 0 ok (bound warnings included), 1 when
 *   the input is not an MCP tool list or the catalog has errors, 2 on I/O
 *   errors or a server that does not answer.
 * - `check <catalogs...>`: load and validate catalogs as `agp check` would
 *   (AGP4xx), with every unbounded string and array as a warning (AGP430).
 *   Exit 0 (warnings allowed unless --strict), 1 errors, 2 when only
 *   unreadable files.
 * - `diff <catalog> <tools.json> | --command CMD`: tools and arguments that
 *   changed since the catalog was imported (compiler/catalog/drift.ts).
 *   Exit 0 no drift, 1 drift, 2 I/O or usage errors.
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
  unboundedDiagnostics,
} from "../../catalog/index.js";
import { schemaDiff, type DiffFlags } from "../schema-diff.js";
import { importOptionsOf, readToolList } from "../tool-list.js";
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
    .argument("[tools.json]", "the tool list: { \"tools\": [...] }, a bare array, or a tools/list response")
    .requiredOption("--family <name>", "the family the actions belong to, e.g. github")
    .option("--command <command>", "ask a running MCP server for its tools: the shell command that starts it over stdio")
    .option("--timeout <ms>", "how long --command may take to list its tools", "30000")
    .option("-o, --output <file>", "write the catalog here instead of stdout (folders are created)")
    .option("--max-length <n>", "add `maxLength: n` to every string that has none")
    .option("--max-items <n>", "add `maxItems: n` to every array that has none")
    .option("--close-objects", "add `additionalProperties: false` to objects that list their properties")
    .action(async (toolsPath: string | undefined, flags: ImportFlags) => {
      setExit(await importMcpCommand(io, toolsPath, flags));
    });
  schema
    .command("diff")
    .description("list the tools and arguments that changed since a catalog was imported (drift); exit 1 when any did")
    .argument("<catalog>", "the catalog imported with `agp schema import-mcp`")
    .argument("[tools.json]", "the server's tool list today (or --command)")
    .option("--command <command>", "ask the running MCP server for its tools: the shell command that starts it over stdio")
    .option("--timeout <ms>", "how long --command may take to list its tools", "30000")
    .option("--max-length <n>", "as given to import-mcp (default: what the catalog records)")
    .option("--max-items <n>", "as given to import-mcp (default: what the catalog records)")
    .option("--close-objects", "as given to import-mcp (default: what the catalog records)")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (catalog: string, toolsPath: string | undefined, flags: DiffFlags) => {
      setExit(await schemaDiff(io, catalog, toolsPath, flags));
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
      // The bounds an import warned about stay visible: a warning here, an error under --strict.
      const located = new Map<string, ReturnType<typeof parseJsonSource>>();
      const unbounded = unboundedDiagnostics(loaded.set.catalogs, (location) => {
        let json = located.get(location.file);
        if (json === undefined) located.set(location.file, (json = parseJsonSource(location.file, loaded.sources.get(location.file) ?? "")));
        return json.spanOf(location.pointer, { key: true });
      });
      let diagnostics = sortDiagnostics([...loaded.diagnostics, ...unbounded]);
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

/** `import-mcp`'s flags (and `diff`'s, which re-imports). */
export interface ImportFlags {
  family: string;
  command?: string;
  timeout?: string;
  output?: string;
  maxLength?: string;
  maxItems?: string;
  closeObjects?: boolean;
}


async function importMcpCommand(io: CliIo, toolsPath: string | undefined, flags: ImportFlags): Promise<number> {
  const options = importOptionsOf(flags);
  if (typeof options === "string") return usageError(io, options);
  const family = flags.family;
  const output = flags.output;
  const list = await readToolList(io, toolsPath, flags);
  if (typeof list === "number") return list;
  const outputName = output ?? `${family}.json`;
  const imported = importMcp(list.value, family, outputName, options);
  if (imported.problems.length > 0 || imported.text === undefined) {
    for (const problem of imported.problems) io.stderr(`agp: ${list.name}: ${problem}\n`);
    return EXIT.policyErrors;
  }
  if (output === undefined) {
    io.stdout(imported.text);
  } else {
    try {
      await writeFileAtomic(resolve(io.cwd, output), imported.text, { mkdir: true });
    } catch (error) {
      io.stderr(`agp: cannot write \`${output}\`: ${describeIoError(error)}\n`);
      return EXIT.usage;
    }
  }
  for (const { tool, action } of imported.renamed) io.stderr(`tool \`${tool}\` is action \`${family}.${action}\` (its name is not an action name)\n`);
  const a = imported.adapted;
  const notes = [
    a.tuples > 0 ? `${a.tuples} ${a.tuples === 1 ? "tuple" : "tuples"} of one item type read as arrays` : "",
    a.allOfMerged > 0 ? `${a.allOfMerged} \`allOf\` merged` : "",
    a.maxLength > 0 ? `maxLength ${options.maxLength} added to ${a.maxLength} ${a.maxLength === 1 ? "string" : "strings"}` : "",
    a.maxItems > 0 ? `maxItems ${options.maxItems} added to ${a.maxItems} ${a.maxItems === 1 ? "array" : "arrays"}` : "",
    a.closed > 0 ? `${a.closed} ${a.closed === 1 ? "object" : "objects"} closed (additionalProperties: false)` : "",
  ].filter((n) => n !== "");
  if (notes.length > 0) io.stderr(`adapted: ${notes.join("; ")}\n`);
  for (const bound of imported.missingBounds) io.stderr(`${describeMissingBound(bound)}\n`);
  const diagnostics = sortDiagnostics(imported.diagnostics);
  if (diagnostics.length > 0) io.stderr(renderDiagnostics(diagnostics, new Map([[outputName, imported.text]])));
  if (output !== undefined) {
    const count = Object.keys((imported.catalog?.actions ?? {}) as object).length;
    io.stderr(`wrote ${count} ${count === 1 ? "action" : "actions"} of family \`${family}\` to ${output}\n`);
  }
  return hasErrors(diagnostics) ? EXIT.policyErrors : EXIT.ok;
}
