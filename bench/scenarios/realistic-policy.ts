/**
 * The realistic mixed scenario of issue 19: random policies over a catalog
 * whose actions take about twenty arguments (ids, enums, paths, numbers,
 * flags, string arrays), rules that combine one to three conditions of
 * every kind the engines share (equality, sets, prefixes, suffixes, infixes,
 * number bounds and equality, group membership, disjunctions), and
 * requests that fill every argument, carry groups and, one time in two, a
 * human. Not one key: rules spread over four actions and many fields, the
 * way a platform team's policies do.
 *
 * In: the rule count and a seed. Out: `realisticScenario(n, seed)`: the
 * scenario (rules, catalog, requests; some requests built to satisfy a
 * random rule, the rest random). Must not build engines; deterministic for
 * a seed.
 */
import type { AgentRequest, RequestValue } from "../../runtime/index.js";
import type { Condition, FieldPath, RuleDescription, Scenario } from "./description.js";
import { Random } from "./random.js";

const ACTIONS = ["deploy", "scale", "rollback", "config"] as const;

const text = (maxLength: number) => ({ type: "string", maxLength });
const names = { type: "array", items: text(64), maxItems: 16 };

/** Twenty arguments, the same for every action (a real catalog varies them; the work per request is what matters). */
const ARGS = {
  type: "object",
  properties: {
    service: text(64),
    team: text(32),
    env: { enum: ["dev", "staging", "production"] },
    region: { enum: ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"] },
    cluster: text(64),
    namespace: text(64),
    image: text(256),
    version: text(32),
    ticket: text(32),
    owner: text(64),
    replicas: { type: "integer", minimum: 0, maximum: 1000 },
    cpu: { type: "integer", minimum: 0, maximum: 64000 },
    memory: { type: "integer", minimum: 0, maximum: 1048576 },
    priority: { type: "integer", minimum: 0, maximum: 9 },
    timeout: { type: "integer", minimum: 0, maximum: 86400 },
    dry_run: { type: "boolean" },
    canary: { type: "boolean" },
    tags: names,
    labels: names,
    notes: text(512),
  },
  required: ["service", "team", "env", "region", "cluster", "namespace", "image", "version", "ticket", "owner", "replicas", "cpu", "memory", "priority", "timeout", "dry_run", "canary", "tags", "labels", "notes"],
  additionalProperties: false,
} as const;

/** The catalog: four actions of the `ops` family. */
export const REALISTIC_CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "ops",
  description: "Operations actions with twenty arguments each, for the realistic benchmark.",
  actions: Object.fromEntries(ACTIONS.map((a) => [a, { description: `${a} a service`, args: ARGS }])),
};


/** Value pools: wide enough that rules rarely repeat a key, narrow enough that requests hit rules. */
const pool = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i)}`);
const SERVICES = pool("svc", 400);
const TEAMS = pool("team", 40);
const CLUSTERS = pool("cluster", 30);
const NAMESPACES = pool("ns", 60);
const OWNERS = pool("user", 200);
const GROUPS = pool("group", 50);
const TAGS = pool("tag", 80);
const ENVS = ["dev", "staging", "production"];
const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"];

/** One random condition over the arguments, the agent's trust or its groups. */
function condition(r: Random): Condition {
  switch (r.int(12)) {
    case 0:
    case 1:
      return { kind: "eq", path: "args.service", value: r.pick(SERVICES) };
    case 2:
      return { kind: "in", path: "args.env", values: r.chance(0.5) ? ["dev", "staging"] : ["production"] };
    case 3:
      return { kind: "in", path: "args.team", values: [r.pick(TEAMS), r.pick(TEAMS.slice(0, 20)).replace("team", "team-x"), r.pick(TEAMS.slice(20)).replace("team", "team-y")] };
    case 4:
      return { kind: "prefix", path: "args.image", prefix: `registry.acme.io/${r.pick(TEAMS)}/` };
    case 5:
      return { kind: "prefix", path: "args.namespace", prefix: r.pick(NAMESPACES) };
    case 6:
      return { kind: "atLeast", path: r.pick<FieldPath>(["args.replicas", "args.cpu", "args.priority", "agent.trust"]), value: r.int(5) };
    case 7:
      return { kind: "above", path: r.pick<FieldPath>(["args.memory", "args.timeout"]), value: r.int(4096) };
    case 8:
      return { kind: "group", group: r.pick(GROUPS) };
    case 9:
      return { kind: "suffix", path: "args.cluster", suffix: `-${r.pick(CLUSTERS).slice("cluster-".length)}` };
    case 10:
      return { kind: "contains", path: "args.notes", text: `#${r.pick(TAGS)}` };
    default:
      return { kind: "either", conditions: [{ kind: "eq", path: "args.owner", value: r.pick(OWNERS) }, { kind: "eq", path: "args.region", value: r.pick(REGIONS) }] };
  }
}

/** A request whose every argument is filled at random from the pools. */
function randomRequest(r: Random, action: string): AgentRequest {
  const args: Record<string, RequestValue> = {
    service: r.pick(SERVICES),
    team: r.pick(TEAMS),
    env: r.pick(ENVS),
    region: r.pick(REGIONS),
    cluster: `eu-${r.pick(CLUSTERS)}`,
    namespace: `${r.pick(NAMESPACES)}-apps`,
    image: `registry.acme.io/${r.pick(TEAMS)}/${r.pick(SERVICES)}:1.${String(r.int(40))}`,
    version: `1.${String(r.int(40))}.${String(r.int(10))}`,
    ticket: `CHG-${String(1000 + r.int(9000))}`,
    owner: r.pick(OWNERS),
    replicas: r.int(20),
    cpu: r.int(8000),
    memory: r.int(65536),
    priority: r.int(10),
    timeout: r.int(7200),
    dry_run: r.chance(0.3),
    canary: r.chance(0.5),
    tags: [r.pick(TAGS), r.pick(TAGS)],
    labels: ["team-owned", r.pick(ENVS)],
    notes: `rolling out after review #${r.pick(TAGS)} see runbook`,
  };
  const request: AgentRequest = {
    agent: { id: `agent-${String(r.int(20))}`, groups: [r.pick(GROUPS), r.pick(GROUPS), "bots"], trust: r.int(5) },
    action,
    args,
    env: r.pick(ENVS),
    context: { session: `s-${String(r.int(1000))}` },
  };
  return r.chance(0.5) ? { ...request, human: { id: r.pick(OWNERS), groups: [r.pick(GROUPS)], roles: ["deployer"] } } : request;
}

/** Changes a request so that `c` holds (when it can be made to). */
function satisfy(request: AgentRequest, c: Condition): void {
  const args = request.args as Record<string, RequestValue>;
  const field = (path: FieldPath) => path.slice("args.".length);
  switch (c.kind) {
    case "eq":
      args[field(c.path)] = c.value;
      break;
    case "in":
      args[field(c.path)] = c.values[0]!;
      break;
    case "prefix":
      args[field(c.path)] = `${c.prefix}${field(c.path) === "image" ? "svc-1:2.0" : "-apps"}`;
      break;
    case "suffix":
      args[field(c.path)] = `eu-cluster${c.suffix}`;
      break;
    case "contains":
      args[field(c.path)] = `deploy ${c.text} now`;
      break;
    case "atLeast":
    case "above":
      if (c.path === "agent.trust") (request.agent as { trust: number }).trust = 4;
      else args[field(c.path)] = c.value + 1;
      break;
    case "group":
      (request.agent as unknown as { groups: string[] }).groups.push(c.group);
      break;
    case "either":
      satisfy(request, c.conditions[0]!);
      break;
    default:
      break;
  }
}

/**
 * `n` random rules (seeded) over the four actions, and 16 requests: eight
 * built to satisfy a random rule (they match it, and maybe others), eight
 * random ones (mostly matching nothing: denied by default).
 */
export function realisticScenario(n: number, seed = 19): Scenario {
  const r = new Random(seed);
  const rules: RuleDescription[] = [];
  for (let i = 0; i < n; i++) {
    const count = 1 + r.int(3);
    const when: Condition[] = [];
    const used = new Set<string>();
    while (when.length < count) {
      const c = condition(r);
      const key = c.kind === "either" ? "either" : c.kind === "group" ? "group" : c.path;
      if (used.has(key)) continue;
      used.add(key);
      when.push(c);
    }
    rules.push({ id: `r${String(i)}`, effect: r.chance(0.15) ? "deny" : "allow", action: `ops.${r.pick(ACTIONS)}`, when });
  }
  const requests: AgentRequest[] = [];
  for (let i = 0; i < 8; i++) {
    const rule = r.pick(rules);
    const request = randomRequest(r, rule.action);
    for (const c of rule.when) satisfy(request, c);
    requests.push(request);
  }
  for (let i = 0; i < 8; i++) requests.push(randomRequest(r, `ops.${r.pick(ACTIONS)}`));
  return { name: `realistic_${String(n)}`, catalogs: { "ops.json": REALISTIC_CATALOG }, rules, requests };
}
