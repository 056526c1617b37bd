/**
 * AGP6xx: what the checker accepts but the compiler cannot turn into a
 * bounded-time module. Reported by compiler/lower; `agp compile` exits 1.
 * Every code here has a golden test in test/compile/errors.test.ts and a
 * section in docs/errors.md ("AGP6xx — compile errors").
 */
import type { CodeEntry } from "./entry.js";

export const COMPILE_CODES = {
  AGP601: {
    title: "glob too complex",
    severity: "error",
    message: "{message}",
    help: "{help}",
  },
  AGP602: {
    title: "value without one compilable type",
    severity: "error",
    message: "cannot compile `{path}` for `{action}`: {why}",
    help: "give the field one JSON type in the catalog (a string, a number or a boolean, optionally null), with `maxLength` / `maxItems` where the policy reads it byte-wise or item by item",
  },
} as const satisfies Record<string, CodeEntry>;
