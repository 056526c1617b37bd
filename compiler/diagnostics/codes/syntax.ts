/**
 * AGP1xx: syntax errors, reported by compiler/syntax (lexer, parser, AST builder).
 * Every code here has a golden test in test/syntax/ and a row in docs/errors.md.
 */
import type { CodeEntry } from "./entry.js";

export const SYNTAX_CODES = {
  AGP100: {
    title: "syntax error",
    severity: "error",
    message: "{message}",
  },
} as const satisfies Record<string, CodeEntry>;
