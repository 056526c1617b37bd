/**
 * Renders diagnostics for people (caret excerpts) and for machines (JSON).
 *
 * In: diagnostics plus the text of the files they point into.
 * Out: strings. The caret view is:
 *
 *   policies/github.agp:7:3: error AGP104: expected a rule effect ...
 *      7 |   merge github.pull_request.merge
 *        |   ^^^^^
 *     help: did you mean `deny`?
 *
 * Every piece of text from a file (messages quote names and strings from
 * policies and catalogs; excerpts are source lines; file names are the
 * file system's) is escaped for the terminal (runtime/display-text.ts);
 * the caret is placed under the escaped excerpt.
 * A line longer than MAX_EXCERPT_WIDTH is shown as a window around the
 * caret, marked with `…`, so output stays proportional to the number of
 * diagnostics, not to their lines' length.
 */
import { displayText } from "../../runtime/display-text.js";
import type { Diagnostic } from "./diagnostic.js";
import type { Span } from "./span.js";

/** File name → file text, for excerpts. Files absent here render without an excerpt. */
export type SourceTexts = ReadonlyMap<string, string>;

export function renderDiagnostic(d: Diagnostic, sources: SourceTexts): string {
  const lines = [`${location(d.span)}: ${d.severity} ${d.code}: ${displayText(d.message)}`];
  lines.push(...excerpt(d.span, sources));
  for (const related of d.related ?? []) {
    lines.push(`  ${location(related.span)}: note: ${displayText(related.message)}`);
    lines.push(...excerpt(related.span, sources).map((l) => `  ${l}`));
  }
  if (d.help !== undefined) lines.push(`  help: ${displayText(d.help)}`);
  return lines.join("\n");
}

/** All diagnostics, a blank line between them, then a count line. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceTexts): string {
  if (diagnostics.length === 0) return "";
  const body = diagnostics.map((d) => renderDiagnostic(d, sources)).join("\n\n");
  return `${body}\n\n${summary(diagnostics)}\n`;
}

/** "2 errors, 1 warning" */
export function summary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  return `${errors} ${errors === 1 ? "error" : "errors"}, ${warnings} ${warnings === 1 ? "warning" : "warnings"}`;
}

function location(span: Span): string {
  return `${displayText(span.file)}:${span.line}:${span.column}`;
}

/** Lines longer than this are shown as a window around the caret (a minified catalog is one line of megabytes). */
export const MAX_EXCERPT_WIDTH = 200;
/** How much of a long line an excerpt shows, and how far before the caret it starts. */
const WINDOW = 160;
const LEAD = 60;

function excerpt(span: Span, sources: SourceTexts): string[] {
  const text = sources.get(span.file);
  if (text === undefined) return [];
  const lineText = linesOf(text)[span.line - 1];
  if (lineText === undefined) return [];
  const plain = lineText.replace(/\t/g, " ");
  const gutter = String(span.line).length;
  let width =
    span.endLine === span.line ? Math.max(1, span.endColumn - span.column) : Math.max(1, plain.length - span.column + 1);
  let column = span.column;
  let visible = plain;
  let lead = "";
  let trail = "";
  if (plain.length > MAX_EXCERPT_WIDTH) {
    const start = Math.max(0, Math.min(column - 1 - LEAD, plain.length - WINDOW));
    const end = Math.min(plain.length, start + WINDOW);
    visible = plain.slice(start, end);
    lead = start > 0 ? "…" : "";
    trail = end < plain.length ? "…" : "";
    column = column - start;
    width = Math.max(1, Math.min(width, end - (span.column - 1)));
  }
  const pad = " ".repeat(gutter);
  // An escaped character takes several columns: measure the caret on the escaped text.
  const before = lead.length + displayText(visible.slice(0, Math.max(0, column - 1))).length;
  const covered = visible.slice(Math.max(0, column - 1), Math.max(0, column - 1) + width);
  const under = width + displayText(covered).length - covered.length;
  return [
    `  ${String(span.line)} | ${lead}${displayText(visible)}${trail}`,
    `  ${pad} | ${" ".repeat(before)}${"^".repeat(under)}`,
  ];
}

/** A file's lines, split once per text however many diagnostics point into it. */
const split = new Map<string, readonly string[]>();

function linesOf(text: string): readonly string[] {
  let lines = split.get(text);
  if (lines === undefined) {
    if (split.size >= 16) split.clear();
    lines = text.split(/\r?\n/);
    split.set(text, lines);
  }
  return lines;
}

/** The machine-readable form used by `--format json`. */
export interface DiagnosticJson {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  help?: string;
  related?: { file: string; line: number; column: number; message: string }[];
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span.file,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    ...(d.help === undefined ? {} : { help: d.help }),
    ...(d.related === undefined
      ? {}
      : {
          related: d.related.map((r) => ({
            file: r.span.file,
            line: r.span.line,
            column: r.span.column,
            message: r.message,
          })),
        }),
  };
}
