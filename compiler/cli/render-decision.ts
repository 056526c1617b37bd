/**
 * A `Decision` as text for `agp eval`: one labelled line per field that says
 * something, values aligned, lists one item per line.
 *
 * In: a decision from the runtime. Out: lines (no colour, no trailing
 * newline). Must not decide anything or leave out anything a gateway
 * enforces (effect, obligations, approval, limits to charge, error).
 */
import type { Decision, LimitCharge, Quorum } from "../../runtime/index.js";

const WIDTH = "obligations: ".length;

/** The decision, field by field. */
export function decisionLines(decision: Decision): string[] {
  const lines: string[] = [];
  const field = (label: string, values: readonly string[]): void => {
    values.forEach((value, i) => lines.push(`${i === 0 ? `${label}:`.padEnd(WIDTH) : " ".repeat(WIDTH)}${value}`));
  };
  field("effect", [decision.effect]);
  field("rules", decision.rules.length === 0 ? ["none"] : decision.rules.map((r) => `${r.kind === "limit" ? "limit " : ""}${r.id} (${r.file}:${r.line})`));
  field("reasons", decision.reasons.length === 0 ? ["none"] : decision.reasons);
  if (decision.error !== undefined) field("error", [`${decision.error.code} at \`${decision.error.path || "request"}\`: ${decision.error.message}`]);
  const obligations = Object.entries(decision.obligations);
  if (obligations.length > 0) field("obligations", obligations.map(([key, value]) => `${key} = ${JSON.stringify(value)}`));
  if (decision.approval !== undefined) {
    const a = decision.approval;
    const who = [...(a.requester === true ? ["the requester"] : []), ...a.quorums.map(quorumText)];
    field("approval", [...who, ...(a.samePerson === true ? ["(same person allowed)"] : []), ...(a.binds === undefined ? [] : [`binds ${a.binds.join(", ")}`])]);
  }
  if (decision.limits.length > 0) field("limits", decision.limits.map(chargeText));
  if (decision.blockedBy !== undefined) field("blocked by", [decision.blockedBy]);
  field("audit", [decision.audit]);
  field("policy", [`sha256 ${decision.policy.hash}, version ${decision.policy.version}`]);
  return lines;
}

/** `2 of group "infra-oncall"`, `1 of any group`. */
export function quorumText(quorum: Quorum): string {
  if (quorum.groups.length === 0) return `${quorum.count} of any group`;
  return `${quorum.count} of ${quorum.groups.length === 1 ? "group" : "groups"} ${quorum.groups.map((g) => JSON.stringify(g)).join(", ")}`;
}

/** `daily_spend: budget +12.5 (key ["ci-fixer"]; cap 500 per 1 day)`. */
function chargeText(charge: LimitCharge): string {
  const key = charge.key.length === 0 ? "" : `key ${JSON.stringify(charge.key)}; `;
  return `${charge.id}: ${charge.kind} +${charge.amount} (${key}cap ${charge.cap} per ${charge.window.count} ${charge.window.unit})`;
}
