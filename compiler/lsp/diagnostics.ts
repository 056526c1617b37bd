/**
 * agp diagnostics as protocol diagnostics, grouped by file.
 *
 * In: a snapshot's diagnostics (every code of every stage) and a way to turn
 * a span's file into a URI. Out: absolute file → protocol diagnostics, with
 * the code, severity, message (and help on a second line), related spans as
 * related information (each code is documented in docs/errors.md).
 * Must not drop or reword a diagnostic: what `agp check` says, the editor says.
 */
import type { Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic } from "../diagnostics/index.js";
import { rangeOf } from "./positions.js";

/** Turns diagnostics into protocol diagnostics by absolute file. */
export function lspDiagnostics(
  diagnostics: readonly Diagnostic[],
  absolute: (file: string) => string,
  uri: (absolute: string) => string,
): Map<string, LspDiagnostic[]> {
  const byFile = new Map<string, LspDiagnostic[]>();
  for (const d of diagnostics) {
    const file = absolute(d.span.file);
    const list = byFile.get(file) ?? [];
    byFile.set(file, list);
    list.push({
      range: rangeOf(d.span),
      severity: d.severity === "error" ? 1 : 2,
      code: d.code,
      source: "agp",
      message: d.help === undefined ? d.message : `${d.message}\nhelp: ${d.help}`,
      ...(d.related === undefined || d.related.length === 0
        ? {}
        : {
            relatedInformation: d.related.map((r) => ({
              location: { uri: uri(absolute(r.span.file)), range: rangeOf(r.span) },
              message: r.message,
            })),
          }),
    });
  }
  return byFile;
}
