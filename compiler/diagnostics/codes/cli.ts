/**
 * AGP9xx: problems reading inputs (files that do not exist, unreadable
 * directories). These are I/O errors: the CLI exits with 2 when only these occur.
 */
import type { CodeEntry } from "./entry.js";

export const IO_CODES = {
  AGP901: {
    title: "file not found",
    severity: "error",
    message: "cannot read `{path}`: {reason}",
  },
} as const satisfies Record<string, CodeEntry>;
