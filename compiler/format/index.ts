/**
 * Public face of compiler/format: the canonical layout of .agp files.
 *
 * - `printFile(file, comments)`: AST (and the comments of its source) to
 *   canonical text; pure.
 * - `format(source, file)`: parse, refuse files with syntax errors, print,
 *   and verify the result re-parses to the same AST and comments.
 * The layout itself is documented in docs/language.md ("Canonical format")
 * and docs/decisions/0002-canonical-format.md.
 */
export { printFile } from "./print.js";
export { format, type FormatResult } from "./round-trip.js";
export { FormatInternalError } from "./internal-error.js";
export { LINE_WIDTH } from "./text.js";
