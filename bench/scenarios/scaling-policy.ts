/**
 * The scaling scenarios: N rules on one action, each keyed on one field,
 * by equality (`args.key == "key-i"`), by set membership (`args.key in
 * {"key-i-a", "key-i-b", "key-i-c"}`) or by prefix (`args.path startsWith
 * "/data/p-i/"`), against a one-action catalog. Requests: one hitting the
 * last rule, one hitting the first, one matching none.
 *
 * In: the rule count and the key shape. Out: `scalingScenario(n, keyed)`;
 * the timed request is `requests[0]` (the last rule: the worst place for an
 * engine that scans). Must not build engines.
 */
import type { AgentRequest } from "../../runtime/index.js";
import type { Condition, RuleDescription, Scenario } from "./description.js";

/** How the rules are keyed. */
export type Keyed = "equality" | "set" | "prefix";

export const KEYED: readonly Keyed[] = ["equality", "set", "prefix"];

/** The one-action catalog the scaling policies are checked against. */
export const SCALING_CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "bench",
  description: "One action for the scaling benchmark.",
  actions: {
    "resource.read": {
      description: "Read a resource.",
      metadata: { readOnly: true },
      args: {
        type: "object",
        properties: {
          key: { type: "string", maxLength: 64 },
          path: { type: "string", maxLength: 256 },
        },
        required: ["key", "path"],
        additionalProperties: false,
      },
    },
  },
} as const;

function keyOf(keyed: Keyed, i: number): Condition {
  if (keyed === "equality") return { kind: "eq", path: "args.key", value: `key-${String(i)}` };
  if (keyed === "set") return { kind: "in", path: "args.key", values: ["a", "b", "c"].map((s) => `key-${String(i)}-${s}`) };
  return { kind: "prefix", path: "args.path", prefix: `/data/p-${String(i)}/` };
}

function argsHitting(keyed: Keyed, i: number): AgentRequest["args"] {
  if (keyed === "equality") return { key: `key-${String(i)}`, path: "/data/x" };
  if (keyed === "set") return { key: `key-${String(i)}-b`, path: "/data/x" };
  return { key: "k", path: `/data/p-${String(i)}/reports/2026.csv` };
}

/** `n` rules keyed by `keyed`, and the requests (last rule, first rule, none). */
export function scalingScenario(n: number, keyed: Keyed): Scenario {
  const rules: RuleDescription[] = [];
  for (let i = 0; i < n; i++) rules.push({ id: `r${String(i)}`, effect: "allow", action: "bench.resource.read", when: [keyOf(keyed, i)] });
  const agent = { id: "reader", groups: ["bots"], trust: 2 };
  const request = (args: AgentRequest["args"]): AgentRequest => ({ agent, action: "bench.resource.read", args, env: "production", context: { session: "s-1" } });
  return {
    name: `scaling_${keyed}_${String(n)}`,
    catalogs: { "bench.json": SCALING_CATALOG },
    rules,
    requests: [request(argsHitting(keyed, n - 1)), request(argsHitting(keyed, 0)), request({ key: "key-none", path: "/elsewhere/x" })],
  };
}
