/**
 * AGP4xx: action catalog errors, reported when catalogs are loaded or imported
 * (compiler/catalog). Each names the catalog file and the JSON pointer.
 */
import type { CodeEntry } from "./entry.js";

export const CATALOG_CODES = {} as const satisfies Record<string, CodeEntry>;
