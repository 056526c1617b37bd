/**
 * Reads and parses policy files.
 *
 * In: file paths (as discovered). Out: each file's text and AST, plus every
 * diagnostic (unreadable files as AGP901, syntax errors as AGP1xx). A file
 * that cannot be read or parsed never stops the others. Files are reached
 * through `ProjectFiles` (the disk by default); a caller that re-reads the
 * same texts often (the language server) may pass a memoizing `parse`.
 */
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";
import type { Comment, ParseResult, PolicyFile } from "../syntax/index.js";
import { describeIoError } from "./discover.js";
import { nodeFiles, type ProjectFiles } from "./files.js";

export interface ParsedSource {
  readonly file: string;
  readonly text: string;
  readonly ast: PolicyFile;
  readonly comments: readonly Comment[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface ReadResult {
  readonly parsed: readonly ParsedSource[];
  readonly diagnostics: readonly Diagnostic[];
  /** File → text, for caret excerpts. */
  readonly sources: Map<string, string>;
}

/** How `readPolicyFiles` reaches and parses files. */
export interface ReadOptions {
  /** Default: the disk. */
  readonly files?: ProjectFiles;
  /** Default: `parse` of compiler/syntax. Must return what `parse(text, file)` would. */
  readonly parse?: (text: string, file: string) => ParseResult;
}

/** Reads and parses `paths` (relative to `cwd`); never throws for unreadable files or syntax errors. */
export async function readPolicyFiles(paths: readonly string[], cwd: string, options: ReadOptions = {}): Promise<ReadResult> {
  const files = options.files ?? nodeFiles();
  // The parser is loaded when first needed: verbs that only describe I/O errors (eval) never pay for it.
  const parseText = options.parse ?? (await import("../syntax/index.js")).parse;
  const parsed: ParsedSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const file of paths) {
    let text: string;
    try {
      text = await files.readText(files.path.resolve(cwd, file));
    } catch (error) {
      diagnostics.push(diagnostic("AGP901", fileSpan(file), { path: file, reason: describeIoError(error) }));
      continue;
    }
    sources.set(file, text);
    const result = parseText(text, file);
    parsed.push({ file, text, ast: result.file, comments: result.comments, diagnostics: result.diagnostics });
    for (const item of result.diagnostics) diagnostics.push(item);
  }
  return { parsed, diagnostics, sources };
}
