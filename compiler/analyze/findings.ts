/**
 * Findings: what `agp analyze` and `agp diff` report. Each is a diagnostic
 * (code, location, message in the author's terms, help) plus what makes it
 * checkable: the action it is about and an example request, with the
 * runtime state it needs and the compiled policy's decision on it.
 *
 * In: nothing (types and small builders). Out: `Finding`, `Example`.
 * Must not render (./render.ts does).
 */
import type { Diagnostic } from "../diagnostics/index.js";
import type { Decision } from "../../runtime/index.js";

/** A request that shows a finding, confirmed by the compiled module. */
export interface Example {
  readonly request: Record<string, unknown>;
  /** Runtime state the example needs (`counters`, `approvals`); absent when none. */
  readonly state?: Record<string, unknown>;
  /** The module's decision (for a diff: the new policy's). */
  readonly decision: Decision;
  /** For a diff: the old policy's decision. */
  readonly before?: Decision;
}

/** What kind of finding, for JSON consumers and tests. */
export type FindingKind =
  | "never-matches"
  | "shadowed-by-deny"
  | "never-decides"
  | "redundant"
  | "always-denied"
  | "limit-never-charged"
  | "approximate"
  | "unknown"
  | "unconfirmed"
  | "widens"
  | "narrows"
  | "not-compared"
  | "replay-change";

export interface Finding {
  readonly kind: FindingKind;
  readonly diagnostic: Diagnostic;
  readonly action?: string;
  readonly rule?: string;
  readonly limit?: string;
  readonly example?: Example;
  /** For a diff: the rules responsible (old → new). */
  readonly rules?: { readonly before: readonly string[]; readonly after: readonly string[] };
}

/** `a`, `a` and `b`, `a`, `b` and `c`, each in backticks. */
export function listIds(ids: readonly string[]): string {
  const ticked = ids.map((id) => `\`${id}\``);
  if (ticked.length <= 1) return ticked.join("");
  return `${ticked.slice(0, -1).join(", ")} and ${ticked[ticked.length - 1]}`;
}
