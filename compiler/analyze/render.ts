/**
 * Findings for people (a caret excerpt, then the example request and what
 * the compiled policy decides on it) and for machines (JSON).
 *
 * In: findings and the text of the files they point into. Out: strings and
 * plain objects. Must not decide or analyze anything.
 */
import { diagnosticToJson, renderDiagnostic, type SourceTexts } from "../diagnostics/index.js";
import type { Decision } from "../../runtime/index.js";
import type { Finding } from "./findings.js";

/** One finding: the diagnostic, then `example:`, `state:` and the decisions. */
export function renderFinding(finding: Finding, sources: SourceTexts): string {
  const lines = [renderDiagnostic(finding.diagnostic, sources)];
  const example = finding.example;
  if (example !== undefined) {
    lines.push(`  example: ${JSON.stringify(example.request)}`);
    if (example.state !== undefined) lines.push(`  state:   ${JSON.stringify(example.state)}`);
    if (example.before !== undefined) {
      lines.push(`  before:  ${decisionText(example.before)}`);
      lines.push(`  after:   ${decisionText(example.decision)}`);
    } else {
      lines.push(`  decided: ${decisionText(example.decision)}`);
    }
  }
  return lines.join("\n");
}

/** `deny by `never_merge`: agents open pull requests; humans merge them`. */
export function decisionText(decision: Decision): string {
  const ids = decision.rules.map((r) => (r.kind === "limit" ? `limit \`${r.id}\`` : `\`${r.id}\``));
  const by = ids.length === 0 ? "" : ` by ${ids.join(", ")}`;
  const reason = decision.reasons.length === 0 ? "" : `: ${decision.reasons.join("; ")}`;
  return `${decision.effect}${by}${reason}`;
}

/** A finding as JSON: the diagnostic's fields, then what it is about and its example. */
export function findingToJson(finding: Finding): Record<string, unknown> {
  const example = finding.example;
  return {
    ...diagnosticToJson(finding.diagnostic),
    kind: finding.kind,
    ...(finding.action === undefined ? {} : { action: finding.action }),
    ...(finding.rule === undefined ? {} : { rule: finding.rule }),
    ...(finding.limit === undefined ? {} : { limit: finding.limit }),
    ...(finding.rules === undefined ? {} : { rules: finding.rules }),
    ...(example === undefined
      ? {}
      : {
          example: {
            request: example.request,
            ...(example.state === undefined ? {} : { state: example.state }),
            ...(example.before === undefined ? {} : { before: brief(example.before) }),
            ...(example.before === undefined ? { decision: brief(example.decision) } : { after: brief(example.decision) }),
          },
        }),
  };
}

function brief(decision: Decision): Record<string, unknown> {
  return {
    effect: decision.effect,
    rules: decision.rules.map((r) => (r.kind === "limit" ? `limit:${r.id}` : r.id)),
    reasons: decision.reasons,
    ...(decision.error === undefined ? {} : { error: decision.error }),
  };
}
