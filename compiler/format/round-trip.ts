/**
 * `format`: source text to canonical text, verified.
 *
 * In: a file's source text and name. Out: the canonical text, whether it
 * differs from the source, and the parser's diagnostics.
 * A file with syntax errors is never formatted: its text comes back as is,
 * with the errors. Otherwise the printed text is parsed again and must give
 * the same AST (spans aside), the same comments, and print to itself; if
 * not, that is a bug in agp, reported as an internal error (thrown), never
 * as a changed policy.
 * This file must not read or write files (the CLI does), nor import Node
 * built-ins: the playground formats in the browser.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/index.js";
import { GIVEN_PARTS, parse, stripSpans, type Comment, type GivenPart } from "../syntax/index.js";
import { internalError } from "./internal-error.js";
import { printFile } from "./print.js";

/** What `format` returns. */
export interface FormatResult {
  /** The canonical text; the source itself when it has syntax errors. */
  readonly text: string;
  /** True when `text` differs from the source. */
  readonly changed: boolean;
  /** The parser's diagnostics (errors mean the file was left as it was). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Formats one .agp source text. Throws only for bugs in agp (see header). */
export function format(source: string, file: string): FormatResult {
  const parsed = parse(source, file);
  if (hasErrors(parsed.diagnostics)) return { text: source, changed: false, diagnostics: parsed.diagnostics };
  const text = printFile(parsed.file, parsed.comments);
  const again = parse(text, file);
  if (hasErrors(again.diagnostics)) {
    const first = again.diagnostics[0];
    const where = first === undefined ? "" : ` (${first.span.line}:${first.span.column}: ${first.message})`;
    internalError(`the formatted text does not parse${where}`);
  }
  const difference = firstDifference(canonicalTree(parsed.file), canonicalTree(again.file), "file");
  if (difference !== undefined) internalError(`formatting would change the policy's meaning at ${difference}`);
  const before = commentTexts(parsed.comments);
  const after = commentTexts(again.comments);
  if (before.length !== after.length || before.some((text, i) => text !== after[i])) {
    internalError("formatting would lose or change a comment");
  }
  if (printFile(again.file, again.comments) !== text) internalError("formatting the formatted text changes it again");
  return { text, changed: text !== source, diagnostics: parsed.diagnostics };
}

function commentTexts(comments: readonly Comment[]): string[] {
  return comments.map((c) => c.text.trimEnd()).sort();
}

/**
 * The AST without spans, with given clauses (`agent`, `human`, … each at
 * most once) in canonical order: the formatter reorders them, which does not
 * change meaning.
 */
export function canonicalTree(node: unknown): unknown {
  return normalize(stripSpans(node as never));
}

function givenRank(clause: unknown): number {
  const part = (clause as { part?: { value?: string } }).part?.value;
  return GIVEN_PARTS.indexOf(part as GivenPart);
}

function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = normalize(value);
  const kind = out["kind"];
  if (kind === "Test" && Array.isArray(out["given"])) out["given"] = [...out["given"]].sort((a, b) => givenRank(a) - givenRank(b));
  if (kind === "Defaults" && Array.isArray(out["clauses"])) {
    out["clauses"] = [...out["clauses"]].sort((a, b) => givenRank(a) - givenRank(b));
  }
  return out;
}

/** The path of the first place where two plain trees differ, or undefined. */
export function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${at} (${JSON.stringify(a)} became ${JSON.stringify(b)})`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${at} (shape)`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const inner = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
