/**
 * The rule-shape scenarios of issue 19: N rules on one action, every rule
 * of one shape — string equality, number equality, number ranges, suffixes,
 * infixes, globs, disjunctions across two fields, group membership, and a
 * quantifier over a request array — each rule naming its own literal.
 * Requests: one matching only the last rule (the worst place for an engine
 * that scans), one matching only the first, one matching none.
 *
 * In: the shape and the rule count. Out: `shapeScenario(shape, n)` (a
 * `Scenario` for every engine) and `shapePolicyText(shape, n)` (its .agp
 * text, for tests of the cost bound). Must not build engines.
 */
import type { AgentRequest, RequestValue } from "../../runtime/index.js";
import type { Condition, RuleDescription, Scenario } from "./description.js";
import { toAgp } from "./to-agp.js";

/** The rule shapes measured. */
export type Shape = "key" | "number" | "range" | "suffix" | "contains" | "matches" | "disjunction" | "group" | "any-prefix";

export const SHAPES: readonly Shape[] = ["key", "number", "range", "suffix", "contains", "matches", "disjunction", "group", "any-prefix"];

/** What each shape's rule i says, for tables. */
export const SHAPE_TEXT: Readonly<Record<Shape, string>> = {
  key: 'args.key == "k-i"',
  number: "args.n == i",
  range: "args.n > 10·(N−1−i)",
  suffix: 'args.s endsWith "-i"',
  contains: 'args.s contains "/p-i/"',
  matches: 'args.s matches "*/m-i/*.log"',
  disjunction: 'args.a == "x-i" or args.b == "y-i"',
  group: '"g-i" in agent.groups',
  "any-prefix": 'any x in args.list: x startsWith "p-i/"',
};

/** The one-action catalog of the shape scenarios. */
export const SHAPES_CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "bench",
  description: "One action for the rule-shape benchmark.",
  actions: {
    "shape.call": {
      description: "A call whose arguments every shape reads.",
      args: {
        type: "object",
        properties: {
          key: { type: "string", maxLength: 64 },
          n: { type: "integer" },
          s: { type: "string", maxLength: 64 },
          a: { type: "string", maxLength: 64 },
          b: { type: "string", maxLength: 64 },
          list: { type: "array", items: { type: "string", maxLength: 64 }, maxItems: 16 },
        },
        required: ["key", "n", "s", "a", "b", "list"],
        additionalProperties: false,
      },
    },
  },
} as const;

const ACTION = "bench.shape.call";

function condition(shape: Shape, i: number, n: number): Condition {
  switch (shape) {
    case "key":
      return { kind: "eq", path: "args.key", value: `k-${String(i)}` };
    case "number":
      return { kind: "numEq", path: "args.n", value: i };
    case "range":
      // Thresholds fall as i rises: a value just above 0 passes only the last rule's.
      return { kind: "above", path: "args.n", value: 10 * (n - 1 - i) };
    case "suffix":
      return { kind: "suffix", path: "args.s", suffix: `-${String(i)}` };
    case "contains":
      return { kind: "contains", path: "args.s", text: `/p-${String(i)}/` };
    case "matches":
      return { kind: "glob", path: "args.s", pattern: `*/m-${String(i)}/*.log` };
    case "disjunction":
      return {
        kind: "either",
        conditions: [
          { kind: "eq", path: "args.a", value: `x-${String(i)}` },
          { kind: "eq", path: "args.b", value: `y-${String(i)}` },
        ],
      };
    case "group":
      return { kind: "group", group: `g-${String(i)}` };
    case "any-prefix":
      return { kind: "anyPrefix", path: "args.list", prefix: `p-${String(i)}/` };
  }
}

/** Arguments (and groups) that satisfy rule i's condition only. */
function hitting(shape: Shape, i: number, n: number): { args: AgentRequest["args"]; groups: string[] } {
  const args: Record<string, RequestValue> = { key: "none", n: -1, s: "none", a: "none", b: "none", list: ["none"] };
  const groups = ["bots"];
  const k = String(i);
  switch (shape) {
    case "key":
      args["key"] = `k-${k}`;
      break;
    case "number":
      args["n"] = i;
      break;
    case "range":
      args["n"] = 10 * (n - 1 - i) + 5;
      break;
    case "suffix":
      args["s"] = `report-${k}`;
      break;
    case "contains":
      args["s"] = `/data/p-${k}/2026.csv`;
      break;
    case "matches":
      args["s"] = `/var/m-${k}/app.log`;
      break;
    case "disjunction":
      args["b"] = `y-${k}`;
      break;
    case "group":
      groups.push(`g-${k}`);
      break;
    case "any-prefix":
      args["list"] = ["other", `p-${k}/reports`];
      break;
  }
  return { args, groups };
}

/**
 * `n` rules of `shape` (every tenth a deny) and the requests: last rule
 * only, first rule (for a range: every rule), none.
 */
export function shapeScenario(shape: Shape, n: number): Scenario {
  const rules: RuleDescription[] = [];
  for (let i = 0; i < n; i++) rules.push({ id: `r${String(i)}`, effect: i % 10 === 9 ? "deny" : "allow", action: ACTION, when: [condition(shape, i, n)] });
  const request = ({ args, groups }: { args: AgentRequest["args"]; groups: string[] }): AgentRequest => ({
    agent: { id: "bench-agent", groups, trust: 2 },
    action: ACTION,
    args,
    env: "production",
    context: { session: "s-1" },
  });
  // No rule names "none", and every range threshold is at least 0.
  const none = { args: { key: "none", n: -1, s: "none", a: "none", b: "none", list: ["none"] }, groups: ["bots"] };
  return {
    name: `shape_${shape.replace("-", "_")}_${String(n)}`,
    catalogs: { "bench.json": SHAPES_CATALOG },
    rules,
    requests: [request(hitting(shape, n - 1, n)), request(hitting(shape, 0, n)), request(none)],
  };
}

/** The .agp text of a shape scenario. */
export function shapePolicyText(shape: Shape, n: number): string {
  return toAgp(shapeScenario(shape, n));
}
