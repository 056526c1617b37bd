/**
 * The exit code diagnostics give a verb: 2 when only I/O and usage problems
 * (AGP9xx) occurred, 1 for policy errors, else 0. Its own module so a verb
 * that needs only this (fmt) does not load the checker.
 */
import { EXIT } from "./io.js";

/** 2 when only I/O problems occurred, 1 for policy errors, else 0. */
export function exitFor(diagnostics: readonly { code: string; severity: string }[]): number {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return EXIT.ok;
  return errors.every((d) => d.code.startsWith("AGP9")) ? EXIT.usage : EXIT.policyErrors;
}
