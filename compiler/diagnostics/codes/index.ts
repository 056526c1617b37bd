/**
 * The one code table: every diagnostic agp can emit, by code.
 * Each range lives in its own file so stages can grow independently;
 * test/diagnostics/codes.test.ts checks that every code is documented in
 * docs/errors.md.
 */
import { ANALYZE_CODES } from "./analyze.js";
import { CATALOG_CODES } from "./catalog.js";
import { CHECK_CODES } from "./check.js";
import { COMPILE_CODES } from "./compile.js";
import { IO_CODES } from "./cli.js";
import type { CodeEntry } from "./entry.js";
import { SYNTAX_CODES } from "./syntax.js";
import { TESTING_CODES } from "./testing.js";

export type { CodeEntry };

export const CODES = {
  ...SYNTAX_CODES,
  ...CHECK_CODES,
  ...CATALOG_CODES,
  ...TESTING_CODES,
  ...IO_CODES,
  ...COMPILE_CODES,
  ...ANALYZE_CODES,
} as const satisfies Record<string, CodeEntry>;

export type DiagnosticCode = keyof typeof CODES;
