/**
 * Renders a scenario's rules as an equivalent Cedar policy set, and a
 * request as the Cedar authorization call, in the idiomatic Cedar shape:
 * the agent is the principal entity (`Agent::"<id>"` with `groups` and
 * `trust` attributes), the action is `Action::"<name>"` in each policy's
 * scope, the arguments are `context.args`.
 *
 * In: a `Scenario` / an `AgentRequest`. Out: policies keyed by rule id
 * (`permit` for allow, `forbid` for deny; Cedar's forbid-overrides-permit
 * and default deny are agp's combining for these two effects), and the
 * call's principal/action/resource/context/entities. Must not call Cedar.
 */
import type { Context, EntityJson, TypeAndId } from "@cedar-policy/cedar-wasm/nodejs";
import type { AgentRequest } from "../../runtime/index.js";
import type { Condition, FieldPath, Scenario } from "./description.js";

/** The Cedar policy set of a scenario: rule id → policy text. */
export function toCedar(scenario: Scenario): Record<string, string> {
  const policies: Record<string, string> = {};
  for (const rule of scenario.rules) {
    const head = `${rule.effect === "allow" ? "permit" : "forbid"}(principal, action == Action::${JSON.stringify(rule.action)}, resource)`;
    policies[rule.id] = rule.when.length === 0 ? `${head};` : `${head} when { ${rule.when.map(condition).join(" && ")} };`;
  }
  return policies;
}

/** The parts of a Cedar authorization call for one request (everything but the policies). */
export interface CedarRequest {
  readonly principal: TypeAndId;
  readonly action: TypeAndId;
  readonly resource: TypeAndId;
  readonly context: Context;
  readonly entities: EntityJson[];
}

/** The Cedar call parts for `request`. */
export function cedarRequest(request: AgentRequest): CedarRequest {
  const agent = request.agent;
  return {
    principal: { type: "Agent", id: agent.id },
    action: { type: "Action", id: request.action },
    resource: { type: "Resource", id: "target" },
    context: { args: request.args as Context },
    entities: [{ uid: { type: "Agent", id: agent.id }, attrs: { groups: [...(agent.groups ?? [])], trust: agent.trust ?? 0 }, parents: [] }],
  };
}

function read(path: FieldPath): string {
  return path === "agent.trust" ? "principal.trust" : `context.args.${path.slice("args.".length)}`;
}

/** A Cedar string literal (its escapes are JSON's for the characters used here). */
function str(value: string): string {
  return JSON.stringify(value);
}

/** A `like` pattern matching strings that start with `prefix`: `*` in the prefix is escaped. */
function prefixPattern(prefix: string): string {
  const body = JSON.stringify(prefix).slice(1, -1).replace(/\*/g, "\\*");
  return `"${body}*"`;
}

/** A `like` pattern: literal parts joined by `*` (each part's own `*` escaped). */
function likePattern(parts: readonly string[]): string {
  return `"${parts.map((part) => JSON.stringify(part).slice(1, -1).replace(/\*/g, "\\*")).join("*")}"`;
}

/** True when Cedar can say every condition of the scenario. */
export function cedarCanSay(scenario: Scenario): boolean {
  const can = (c: Condition): boolean => (c.kind === "either" ? c.conditions.every(can) : c.kind !== "anyPrefix");
  return scenario.rules.every((r) => r.when.every(can));
}

function condition(c: Condition): string {
  switch (c.kind) {
    case "eq":
      return `${read(c.path)} == ${str(c.value)}`;
    case "in":
      return `[${c.values.map(str).join(", ")}].contains(${read(c.path)})`;
    case "prefix":
      return `${read(c.path)} like ${prefixPattern(c.prefix)}`;
    case "atLeast":
      return `${read(c.path)} >= ${String(c.value)}`;
    case "group":
      return `principal.groups.contains(${str(c.group)})`;
    case "numEq":
      return `${read(c.path)} == ${String(c.value)}`;
    case "above":
      return `${read(c.path)} > ${String(c.value)}`;
    case "suffix":
      return `${read(c.path)} like ${likePattern(["", c.suffix])}`;
    case "contains":
      return `${read(c.path)} like ${likePattern(["", c.text, ""])}`;
    case "glob":
      return `${read(c.path)} like ${likePattern(c.pattern.split("*"))}`;
    case "either":
      return `(${c.conditions.map(condition).join(" || ")})`;
    case "anyPrefix":
      throw new Error("Cedar has no quantifier over a set with a test: this scenario has no Cedar form");
  }
}
