/**
 * AST to canonical text.
 *
 * In: a PolicyFile and the comments of its source. Out: the canonical text.
 * Pure: reads nothing but its arguments. Spans are used only to put comments
 * and source blank lines back; an AST with dummy spans and no comments
 * prints in the canonical layout all the same.
 */
import type { Comment, PolicyFile } from "../syntax/index.js";
import { emit } from "./comments.js";
import { layoutContext } from "./context.js";
import { layoutStatements } from "./statements.js";

/** Prints a file in the canonical layout, keeping its comments. */
export function printFile(file: PolicyFile, comments: readonly Comment[]): string {
  const context = layoutContext(comments);
  return emit(layoutStatements(file.statements, context), comments);
}
