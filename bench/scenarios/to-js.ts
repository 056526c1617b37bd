/**
 * Renders a scenario's rules as the JavaScript function a developer would
 * write by hand: a switch on the action, one `if` per rule, sets as `Set`
 * constants built once, deny overriding allow. It is the practical floor
 * the agp engine is compared with: no schema validation, no reasons, no
 * audit data, just the rules.
 *
 * In: a `Scenario`. Out: `HandWritten`, the source text and the function
 * (built with `new Function`, which is what a hand-written module compiles
 * to; only the benchmark does this, never the runtime). Must not depend on
 * any agp engine.
 */
import type { AgentRequest } from "../../runtime/index.js";
import type { Condition, Outcome, Scenario } from "./description.js";

/** A hand-written-style decision function and its source. */
export interface HandWritten {
  readonly source: string;
  readonly decide: (request: AgentRequest) => Outcome;
}

/** The JS function deciding `scenario`'s rules. */
export function toJs(scenario: Scenario): HandWritten {
  const sets: string[] = [];
  const byAction = new Map<string, Scenario["rules"][number][]>();
  for (const rule of scenario.rules) byAction.set(rule.action, [...(byAction.get(rule.action) ?? []), rule]);
  const cases: string[] = [];
  for (const [action, rules] of byAction) {
    const ordered = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const lines = [`    case ${JSON.stringify(action)}: {`, "      const denied = [], allowed = [];"];
    for (const rule of ordered) {
      const test = rule.when.length === 0 ? "true" : rule.when.map((c) => condition(c, sets)).join(" && ");
      lines.push(`      if (${test}) ${rule.effect === "deny" ? "denied" : "allowed"}.push(${JSON.stringify(rule.id)});`);
    }
    lines.push(
      '      if (denied.length > 0) return { effect: "deny", rules: denied };',
      '      if (allowed.length > 0) return { effect: "allow", rules: allowed };',
      "      return NONE;",
      "    }",
    );
    cases.push(lines.join("\n"));
  }
  const source = [
    ...sets,
    'const NONE = Object.freeze({ effect: "deny", rules: Object.freeze([]) });',
    "return function decide(request) {",
    "  const args = request.args, agent = request.agent;",
    "  switch (request.action) {",
    ...cases,
    "  }",
    "  return NONE;",
    "};",
  ].join("\n");
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const decide = new Function(source)() as (request: AgentRequest) => Outcome;
  return { source, decide };
}

function read(path: string): string {
  return path === "agent.trust" ? "agent.trust" : `args[${JSON.stringify(path.slice("args.".length))}]`;
}

function condition(c: Condition, sets: string[]): string {
  switch (c.kind) {
    case "eq":
      return `${read(c.path)} === ${JSON.stringify(c.value)}`;
    case "in": {
      const name = `SET_${String(sets.length)}`;
      sets.push(`const ${name} = new Set(${JSON.stringify(c.values)});`);
      return `${name}.has(${read(c.path)})`;
    }
    case "prefix":
      return `${read(c.path)}.startsWith(${JSON.stringify(c.prefix)})`;
    case "atLeast":
      return `${read(c.path)} >= ${String(c.value)}`;
    case "group":
      return `agent.groups.includes(${JSON.stringify(c.group)})`;
    case "numEq":
      return `${read(c.path)} === ${String(c.value)}`;
    case "above":
      return `${read(c.path)} > ${String(c.value)}`;
    case "suffix":
      return `${read(c.path)}.endsWith(${JSON.stringify(c.suffix)})`;
    case "contains":
      return `${read(c.path)}.includes(${JSON.stringify(c.text)})`;
    case "glob": {
      // A `*`-only glob as an anchored regular expression, built once.
      const name = `GLOB_${String(sets.length)}`;
      const escape = (part: string): string => part.replace(/[.*+?^$\{\}()|[\]\\/]/g, (ch) => `\\${ch}`);
      const source = "^" + c.pattern.split("*").map(escape).join("[^]*") + "$";
      sets.push(`const ${name} = new RegExp(${JSON.stringify(source)}, "u");`);
      return `${name}.test(${read(c.path)})`;
    }
    case "either":
      return `(${c.conditions.map((x) => condition(x, sets)).join(" || ")})`;
    case "anyPrefix":
      return `${read(c.path)}.some((x) => x.startsWith(${JSON.stringify(c.prefix)}))`;
  }
}
