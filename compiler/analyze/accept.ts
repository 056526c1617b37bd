/**
 * Acknowledged widenings: a reviewed file (or `--accept` flags) listing the
 * widenings a change is allowed to make, so `agp diff --fail-on widen`
 * fails only on the ones nobody reviewed.
 *
 * In: the file's text (one entry per line: an action or `prefix.*`
 * pattern, optionally followed by the id of the rule that now decides;
 * `#` starts a comment) or `action[:rule]` flags. Out: acceptances, or
 * the first malformed line; whether a widening is accepted.
 * Must not read files.
 */
import type { Finding } from "./findings.js";

export interface Acceptance {
  readonly pattern: string;
  /** When given, only widenings this rule now decides are accepted. */
  readonly rule?: string;
  /** Where it was written, for messages: `accept.txt:3` or `--accept`. */
  readonly origin: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*(\.\*)?$|^\*$/;
const RULE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parses an acceptance file; `error` names the first bad line. */
export function parseAcceptances(text: string, file: string): { readonly acceptances: Acceptance[] } | { readonly error: string } {
  const acceptances: Acceptance[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const parsed = parseEntry(line.split(/\s+/), `${file}:${i + 1}`);
    if ("error" in parsed) return parsed;
    acceptances.push(parsed);
  }
  return { acceptances };
}

/** Parses one `--accept action[:rule]` flag. */
export function parseAcceptFlag(value: string): Acceptance | { readonly error: string } {
  const [pattern, rule, ...rest] = value.split(":");
  if (rest.length > 0 || pattern === undefined) return { error: `--accept takes \`action\` or \`action:rule\`, got \`${value}\`` };
  return parseEntry(rule === undefined ? [pattern] : [pattern, rule], "--accept");
}

function parseEntry(words: readonly string[], origin: string): Acceptance | { readonly error: string } {
  const [pattern, rule, ...rest] = words;
  if (pattern === undefined || !NAME.test(pattern) || rest.length > 0 || (rule !== undefined && !RULE.test(rule))) {
    return { error: `${origin}: expected an action (or \`prefix.*\`) and optionally a rule id, got \`${words.join(" ")}\`` };
  }
  return { pattern, ...(rule === undefined ? {} : { rule }), origin };
}

/** Whether a widening finding is acknowledged by one of the acceptances. */
export function accepts(acceptances: readonly Acceptance[], finding: Finding): Acceptance | undefined {
  const action = finding.action ?? "";
  return acceptances.find((a) => matches(a.pattern, action) && (a.rule === undefined || (finding.rules?.after ?? []).includes(a.rule)));
}

function matches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return action.startsWith(pattern.slice(0, -1));
  return pattern === action;
}
