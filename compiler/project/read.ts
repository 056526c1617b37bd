/**
 * Reads and parses policy files.
 *
 * In: file paths (as discovered). Out: each file's text and AST, plus every
 * diagnostic (unreadable files as AGP901, syntax errors as AGP1xx). A file
 * that cannot be read or parsed never stops the others.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";
import { parse, type Comment, type PolicyFile } from "../syntax/index.js";
import { describeIoError } from "./discover.js";

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

export async function readPolicyFiles(files: readonly string[], cwd: string): Promise<ReadResult> {
  const parsed: ParsedSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, file), "utf8");
    } catch (error) {
      diagnostics.push(diagnostic("AGP901", fileSpan(file), { path: file, reason: describeIoError(error) }));
      continue;
    }
    sources.set(file, text);
    const result = parse(text, file);
    parsed.push({ file, text, ast: result.file, comments: result.comments, diagnostics: result.diagnostics });
    for (const item of result.diagnostics) diagnostics.push(item);
  }
  return { parsed, diagnostics, sources };
}
