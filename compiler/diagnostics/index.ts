/**
 * Public face of compiler/diagnostics: diagnostics as data, the code table,
 * rendering, and the shared did-you-mean helper.
 */
export { CODES, type CodeEntry, type DiagnosticCode } from "./codes/index.js";
export {
  diagnostic,
  hasErrors,
  sortDiagnostics,
  strict,
  type Diagnostic,
  type DiagnosticExtras,
  type RelatedSpan,
  type Severity,
  type TemplateValues,
} from "./diagnostic.js";
export { closestMatch, didYouMean, editDistance } from "./fuzzy.js";
export {
  diagnosticToJson,
  renderDiagnostic,
  renderDiagnostics,
  summary,
  type DiagnosticJson,
  type SourceTexts,
} from "./render.js";
export { compareSpans, fileSpan, joinSpans, type Span } from "./span.js";
