/**
 * Diagnostics as data: what every stage returns instead of throwing.
 *
 * In: a code from the code table and the values its template names.
 * Out: a plain object with code, severity, message, span, optional help and
 * related spans. Rendering lives in render.ts; nothing here formats output.
 */
import { CODES, type CodeEntry, type DiagnosticCode } from "./codes/index.js";
import type { Span } from "./span.js";
import { compareSpans } from "./span.js";

export type Severity = "error" | "warning";

/** A second location that explains the first ("first defined here"). */
export interface RelatedSpan {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** One line, lowercase start, no final period, user input in backticks. */
  readonly message: string;
  readonly span: Span;
  /** How to fix it: "did you mean `deny`?", "add `has args.labels and` before ...". */
  readonly help?: string;
  readonly related?: readonly RelatedSpan[];
}

/** Values substituted for `{name}` in a code's templates. */
export type TemplateValues = Readonly<Record<string, string | number>>;

export interface DiagnosticExtras {
  /** Overrides the code's help template (already filled). */
  readonly help?: string;
  readonly related?: readonly RelatedSpan[];
  /** Overrides the code's default severity (warnings become errors under --strict). */
  readonly severity?: Severity;
}

/**
 * Builds a diagnostic from the code table. Throws only if a template names a
 * value the caller did not pass: that is our bug, not the user's.
 */
export function diagnostic(
  code: DiagnosticCode,
  span: Span,
  values: TemplateValues = {},
  extras: DiagnosticExtras = {},
): Diagnostic {
  const entry: CodeEntry = CODES[code];
  const message = fill(entry.message, values, code);
  const help = extras.help ?? (entry.help === undefined ? undefined : fill(entry.help, values, code));
  const result: Diagnostic = {
    code,
    severity: extras.severity ?? entry.severity,
    message,
    span,
    ...(help === undefined ? {} : { help }),
    ...(extras.related === undefined ? {} : { related: extras.related }),
  };
  return result;
}

function fill(template: string, values: TemplateValues, code: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`internal error: ${code} template needs {${name}}`);
    return String(value);
  });
}

/** Sorts by location and drops exact repeats (same code, span and message). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.code}|${d.span.file}|${d.span.offset}|${d.span.endOffset}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort((a, b) => compareSpans(a.span, b.span) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Turns warnings into errors (for --strict). */
export function strict(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.severity === "warning" ? { ...d, severity: "error" } : d));
}
