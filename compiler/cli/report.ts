/**
 * Prints diagnostics the way every verb does: caret excerpts on stderr for
 * people, or one JSON document on stdout with `--format json`.
 */
import {
  diagnosticToJson,
  renderDiagnostics,
  type Diagnostic,
  type SourceTexts,
} from "../diagnostics/index.js";
import { displayBlock } from "../../runtime/display-text.js";
import type { CliIo } from "./io.js";

export type OutputFormat = "text" | "json";

/** Parses the `--format` option; undefined means the value is not allowed. */
export function parseFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined || value === "text") return "text";
  if (value === "json") return "json";
  return undefined;
}

export function reportDiagnostics(
  io: CliIo,
  format: OutputFormat,
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  extra: Record<string, unknown> = {},
): void {
  if (format === "json") {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const document = {
      ...extra,
      diagnostics: diagnostics.map(diagnosticToJson),
      summary: { errors, warnings: diagnostics.length - errors },
    };
    io.stdout(`${displayBlock(JSON.stringify(document, null, 2))}\n`);
    return;
  }
  const text = renderDiagnostics(diagnostics, sources);
  if (text !== "") io.stderr(text);
}
