/**
 * Renders a scenario's rules as one .agp policy file.
 *
 * In: a `Scenario`. Out: the policy text (canonical enough to parse; the
 * benchmark does not format it), naming the scenario's catalogs with
 * `actions "<file>"`. Must not evaluate anything.
 */
import type { Condition, Scenario } from "./description.js";

/** The .agp text of a scenario, package `bench.<name>`. */
export function toAgp(scenario: Scenario): string {
  const out = [`package bench.${scenario.name.replace(/[^A-Za-z0-9_]/g, "_")}`];
  for (const file of Object.keys(scenario.catalogs)) out.push(`actions ${JSON.stringify(file)}`);
  out.push("");
  for (const rule of scenario.rules) {
    out.push(`rule ${rule.id}:`, `  ${rule.effect} ${rule.action}`);
    if (rule.when.length > 0) out.push(`  when ${rule.when.map(condition).join(" and ")}`);
    out.push("");
  }
  return out.join("\n");
}

function condition(c: Condition): string {
  switch (c.kind) {
    case "eq":
      return `${c.path} == ${JSON.stringify(c.value)}`;
    case "in":
      return `${c.path} in {${c.values.map((v) => JSON.stringify(v)).join(", ")}}`;
    case "prefix":
      return `${c.path} startsWith ${JSON.stringify(c.prefix)}`;
    case "atLeast":
      return `${c.path} >= ${String(c.value)}`;
    case "group":
      return `${JSON.stringify(c.group)} in agent.groups`;
    case "numEq":
      return `${c.path} == ${String(c.value)}`;
    case "above":
      return `${c.path} > ${String(c.value)}`;
    case "suffix":
      return `${c.path} endsWith ${JSON.stringify(c.suffix)}`;
    case "contains":
      return `${c.path} contains ${JSON.stringify(c.text)}`;
    case "glob":
      return `${c.path} matches ${JSON.stringify(c.pattern)}`;
    case "either":
      return `(${c.conditions.map(condition).join(" or ")})`;
    case "anyPrefix":
      return `any x in ${c.path}: x startsWith ${JSON.stringify(c.prefix)}`;
  }
}
