/**
 * `agp schema diff <catalog> <tools.json> | --command CMD`: has the MCP
 * server drifted from the catalog imported from it? The new tool list is
 * imported the way the catalog was (its family; the options its `$comment`
 * records, or the flags), and compared (compiler/catalog `catalogDrift`):
 * tools added or removed, arguments added, removed, made required or
 * optional, of another type or other enum values, hint metadata changed.
 * Bounds and descriptions are not compared: adding them by hand is not drift.
 *
 * In: the catalog path, the tool list (file or `--command`), flags. Out: one
 * line per change on stdout (or one JSON document), a summary on stderr.
 * Exit 0 no drift, 1 drift (for CI), 2 usage or I/O errors.
 * Must not write anything.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { catalogDrift, importMcp, recordedImportOptions, type ImportOptions } from "../catalog/index.js";
import { displayBlock, displayText } from "../../runtime/display-text.js";
import { describeIoError } from "../project/index.js";
import { EXIT, type CliIo } from "./io.js";
import { parseFormat } from "./report.js";
import { importOptionsOf, readToolList } from "./tool-list.js";
import { usageError } from "./usage.js";

/** `diff`'s flags. */
export interface DiffFlags {
  command?: string;
  timeout?: string;
  maxLength?: string;
  maxItems?: string;
  closeObjects?: boolean;
  format?: string;
}

export async function schemaDiff(io: CliIo, catalogPath: string, toolsPath: string | undefined, flags: DiffFlags): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  const given = importOptionsOf(flags);
  if (typeof given === "string") return usageError(io, given);
  let catalog: unknown;
  try {
    catalog = JSON.parse(await readFile(resolve(io.cwd, catalogPath), "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not JSON: ${error.message}` : describeIoError(error);
    return usageError(io, `cannot read the catalog \`${displayText(catalogPath)}\`: ${reason}`);
  }
  const family = (catalog as { family?: unknown } | null)?.family;
  if (typeof family !== "string") return usageError(io, `\`${displayText(catalogPath)}\` has no \`family\`: it is not a catalog imported from an MCP server`);
  const list = await readToolList(io, toolsPath, flags);
  if (typeof list === "number") return list;
  // Re-import the way the catalog was imported: the flags given, else what it records.
  const flagged = Object.keys(given).length > 0;
  const options: ImportOptions = flagged ? given : (recordedImportOptions(catalog) ?? {});
  const imported = importMcp(list.value, family, catalogPath, options);
  if (imported.catalog === undefined) {
    for (const problem of imported.problems) io.stderr(`agp: ${displayText(list.name)}: ${problem}\n`);
    return EXIT.policyErrors;
  }
  const changes = catalogDrift(catalog as never, imported.catalog);
  if (format === "json") {
    io.stdout(`${displayBlock(JSON.stringify({ catalog: catalogPath, family, changes: changes.map((c) => ({ ...c, action: `${family}.${c.action}` })), drift: changes.length > 0 }, null, 2))}\n`);
  } else {
    for (const change of changes) io.stdout(`${displayText(`${catalogPath}: ${family}.${change.action}: ${change.message}`)}\n`);
    const tools = new Set(changes.map((c) => c.action)).size;
    io.stderr(changes.length === 0 ? `${catalogPath}: no drift: the server's ${Object.keys(imported.catalog.actions as object).length} tools match the catalog\n` : `${catalogPath}: drift: ${changes.length} ${changes.length === 1 ? "change" : "changes"} in ${tools} ${tools === 1 ? "tool" : "tools"}\n`);
  }
  return changes.length > 0 ? EXIT.policyErrors : EXIT.ok;
}
