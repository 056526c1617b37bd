/**
 * AGP2xx: type and name errors; AGP3xx: warnings (errors under --strict).
 * Reported by compiler/check.
 */
import type { CodeEntry } from "./entry.js";

export const CHECK_CODES = {} as const satisfies Record<string, CodeEntry>;
