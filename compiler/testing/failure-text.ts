/**
 * A failing case as text a person can act on: where the case is, what it
 * expected and what came back, clause by clause, and for the rules that
 * decided and the rules it expected, the value of every sub-expression of
 * their condition on the case's request.
 *
 * In: a failing `CaseResult` and the source texts (sub-expressions are shown
 * as written). Out: lines without colour (the pretty reporter colours the
 * head; JUnit embeds them as they are). Must not decide anything.
 */
import type { ExplainedNode, RuleExplanation } from "../interpret/index.js";
import { comparableDecision } from "./engine.js";
import { sourceText } from "./source-text.js";
import { decisionText, expectationText, sameJson } from "./match.js";
import type { CaseResult } from "./run.js";

/** The lines under a failing case's head line, indented by two spaces. */
export function failureLines(result: CaseResult, sources: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  const step = result.step === undefined ? undefined : result.case.steps?.[result.step - 1];
  if (step !== undefined) lines.push(`  at step ${result.step} (line ${step.line}, ${step.at} ms after the start):`);
  const expect = step?.kind === "call" ? step.expect : result.case.expect;
  lines.push(`  expected: ${expectationText(expect)}`);
  lines.push(`  actual:   ${decisionText(result.decision)}`);
  if (result.decision.error !== undefined) lines.push(`  refused:  ${result.decision.error.code} at \`${result.decision.error.path || "request"}\``);
  for (const m of result.mismatches) {
    if (!m.clause.endsWith("engines")) lines.push(`  ${m.clause}: expected ${m.expected}, got ${m.actual}`);
  }
  for (const d of result.disagreements) {
    lines.push(`  engines disagree (${d.engine} vs ${primaryName(result)}):`);
    const ours = comparableDecision(result.decision) as Record<string, unknown>;
    const theirs = comparableDecision(d.decision) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort()) {
      if (sameJson(ours[key], theirs[key])) continue;
      lines.push(`    ${key}: ${d.engine} ${valueText(theirs[key])}, ${primaryName(result)} ${valueText(ours[key])}`);
    }
  }
  if (result.refused !== undefined) lines.push(`  the request is refused before any rule runs: ${result.refused}`);
  for (const limit of result.limits) {
    const used = limit.used === undefined ? "" : `: the state says ${limit.used} used, and this request's charge would pass the cap ${limit.cap}`;
    lines.push(`  limit ${limit.id} (${limit.file}:${limit.line}) decided${used}`);
  }
  const decided = new Set(result.decision.rules.filter((r) => r.kind === "rule").map((r) => r.id));
  for (const rule of result.explanations) {
    const role = decided.has(rule.id) ? "decided" : "was expected";
    lines.push(`  rule ${rule.id} (${rule.file}:${rule.line}) ${role} (${rule.effect}); ${ruleSummary(rule)}`);
    if (rule.condition !== undefined && rule.covers) for (const item of nodeLines(rule.condition, sources, 4)) lines.push(item);
  }
  return lines;
}

function ruleSummary(rule: RuleExplanation): string {
  if (!rule.covers) return "it does not cover this action";
  if (rule.condition === undefined) return "it has no condition: it matches every request for its pattern";
  if (rule.holds === undefined) return "its condition cannot be evaluated:";
  return `its condition is ${rule.holds}:`;
}

/** The explanation tree, one sub-expression per line; literals are left out (their value is their text). */
export function nodeLines(node: ExplainedNode, sources: ReadonlyMap<string, string>, indent: number): string[] {
  const pad = " ".repeat(indent);
  const text = sourceText(node.expr.span, sources);
  const out: string[] = [];
  switch (node.outcome.kind) {
    case "value":
      out.push(`${pad}${text} = ${valueText(node.outcome.value)}`);
      break;
    case "error":
      out.push(`${pad}${text}: cannot be evaluated: ${node.outcome.message}`);
      break;
    case "skipped":
      out.push(`${pad}${text}: not evaluated`);
      return out;
  }
  for (const child of node.children) {
    if (isLiteral(child)) continue;
    for (const item of nodeLines(child, sources, indent + 2)) out.push(item);
  }
  for (const iteration of node.iterations ?? []) {
    out.push(`${pad}  with ${iteration.variable} = ${valueText(iteration.item)}:`);
    for (const item of nodeLines(iteration.body, sources, indent + 4)) out.push(item);
  }
  return out;
}

function isLiteral(node: ExplainedNode): boolean {
  const kind = node.expr.kind;
  return kind === "String" || kind === "Number" || kind === "Boolean" || kind === "Null" || kind === "Set";
}


/** A value as JSON on one line. */
export function valueText(value: unknown): string {
  return value === undefined ? "absent" : JSON.stringify(value);
}

function primaryName(result: CaseResult): string {
  return result.primary;
}
