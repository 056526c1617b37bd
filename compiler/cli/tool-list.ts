/**
 * The tool list `agp schema import-mcp` and `agp schema diff` read — a
 * file, or a running MCP server asked over stdio (mcp-stdio.ts) — and their
 * import options from the flags.
 *
 * In: the io, a path or `--command`, the flags. Out: the parsed list and a
 * name for messages, or the exit code after an error was printed.
 * Must not import anything: compiler/catalog does.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseJsonSource, type ImportOptions } from "../catalog/index.js";
import { describeIoError } from "../project/index.js";
import { EXIT, type CliIo } from "./io.js";
import { listToolsOverStdio } from "./mcp-stdio.js";
import { usageError } from "./usage.js";
import { agpVersion } from "./version.js";

/** The import options, or the usage error of the first bad number. */
export function importOptionsOf(flags: { maxLength?: string; maxItems?: string; closeObjects?: boolean }): ImportOptions | string {
  const number = (name: string, text: string | undefined): number | string | undefined => {
    if (text === undefined) return undefined;
    return /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : `${name} must be a whole number from 1 to 999999999, got \`${text}\``;
  };
  const maxLength = number("--max-length", flags.maxLength);
  const maxItems = number("--max-items", flags.maxItems);
  if (typeof maxLength === "string") return maxLength;
  if (typeof maxItems === "string") return maxItems;
  return { ...(maxLength === undefined ? {} : { maxLength }), ...(maxItems === undefined ? {} : { maxItems }), ...(flags.closeObjects === true ? { closeObjects: true } : {}) };
}

/** The tool list from a file or from a running server, parsed; or the exit code after saying why not. */
export async function readToolList(io: CliIo, toolsPath: string | undefined, flags: { command?: string; timeout?: string }): Promise<{ value: unknown; name: string } | number> {
  if ((toolsPath === undefined) === (flags.command === undefined)) return usageError(io, "give the tool list as a file, or --command to ask the running server (not both)");
  if (flags.command !== undefined) {
    const timeout = /^[1-9][0-9]{0,6}$/.test(flags.timeout ?? "30000") ? Number(flags.timeout ?? "30000") : undefined;
    if (timeout === undefined) return usageError(io, `--timeout must be a whole number of milliseconds, got \`${flags.timeout}\``);
    const listed = await listToolsOverStdio(flags.command, { timeoutMs: timeout, cwd: io.cwd, version: agpVersion() });
    if ("error" in listed) {
      io.stderr(`agp: the MCP server \`${flags.command}\` gave no tool list: ${listed.error}\n`);
      return EXIT.usage;
    }
    io.stderr(`listed ${listed.tools.length} ${listed.tools.length === 1 ? "tool" : "tools"} from ${listed.server ?? "the server"}\n`);
    return { value: { tools: listed.tools }, name: flags.command };
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, toolsPath!), "utf8");
  } catch (error) {
    io.stderr(`agp: cannot read \`${toolsPath}\`: ${describeIoError(error)}\n`);
    return EXIT.usage;
  }
  const parsed = parseJsonSource(toolsPath!, text);
  const syntax = parsed.problems.find((p) => p.duplicateKey === undefined);
  if (parsed.value === undefined || syntax !== undefined) {
    const at = syntax === undefined ? "" : `:${parsed.spanAt(syntax.offset, syntax.endOffset).line}:${parsed.spanAt(syntax.offset, syntax.endOffset).column}`;
    io.stderr(`agp: ${toolsPath}${at}: not valid JSON: ${syntax?.message ?? "no value"}\n`);
    return EXIT.policyErrors;
  }
  return { value: parsed.value, name: toolsPath! };
}
