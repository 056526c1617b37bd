/**
 * `agp schema import-mcp <tools.json> --family NAME [-o out.json]`: turn an
 * MCP server's tool list into an action catalog.
 *
 * In: the tool list file. Out: the catalog JSON on stdout (or in the -o
 * file), and on stderr the fields that lack maxLength / maxItems plus any
 * problem the new catalog has. Exit 0 ok (bound warnings included), 1 when
 * the input is not an MCP tool list or the catalog has errors, 2 on I/O
 * errors. The conversion itself lives in compiler/catalog.
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { describeMissingBound, importMcp, parseJsonSource } from "../../catalog/index.js";
import { hasErrors, renderDiagnostics, sortDiagnostics } from "../../diagnostics/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";

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
      await writeFile(resolve(io.cwd, output), imported.text, "utf8");
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
