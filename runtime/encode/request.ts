/**
 * Validating one request (and the runtime state that comes with it) in
 * ADR 0006's order: the state's shape; the request's own shape (an object,
 * no unknown top-level keys); then `agent`, `human`, `action`, `args`, `env`,
 * `context`; then `state.trust` against `agent.trust`'s schema.
 *
 * In: untrusted values, the checks compiled at load. The state and the
 * request are each read once into plain data first (./snapshot.ts), so
 * what is validated is what everything after reads (ADR 0008). Out: the
 * request's parts (parts of that copy) written into a reusable `Parts`
 * record, or the first `Refusal`. Must not evaluate anything of the policy.
 */
import { compileCheck, firstUndeclared, type Check } from "./validate.js";
import { snapshot } from "./snapshot.js";
import { Refused, childPath, describe, hasKey, isObject, refusalOf, tick, type Refusal } from "./values.js";
import { DEFAULT_REQUEST_BOUNDS, type Manifest, type RequestBounds, type SchemaNode } from "../manifest.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { killedProblem } from "../kill-scope.js";

/** The validated parts of a request: what encoding and finishing read. Reused between calls. */
export interface Parts {
  agent: Readonly<Record<string, unknown>>;
  /** Undefined when the request names no human (absent or null). */
  human: Readonly<Record<string, unknown>> | undefined;
  action: string;
  actionId: number;
  args: Readonly<Record<string, unknown>>;
  env: unknown;
  context: Readonly<Record<string, unknown>>;
  /** `state.trust` when given: replaces `agent.trust`. */
  trust: number | undefined;
  /** `state.rates` when given, by request field (`failure_rate` …): each replaces that field of `agent`. */
  rates: Readonly<Record<string, number>> | undefined;
}

/** Everything validation needs, compiled once per loaded policy. */
export interface RequestChecks {
  readonly agent: Check;
  readonly human: Check;
  readonly env: Check;
  readonly context: Check;
  /** `agent.trust`'s schema, for `state.trust`; undefined when the agent declares none. */
  readonly trust: Check | undefined;
  /** The schemas of `agent.success_rate` … by rate (`success` …), for `state.rates`; absent when the agent declares none. */
  readonly rates: Readonly<Record<string, Check | undefined>>;
  readonly actionIds: ReadonlyMap<string, number>;
  readonly args: readonly Check[];
  /** How deep and how big a request (and a state) may be. */
  readonly bounds: RequestBounds;
}

const TOP_LEVEL: ReadonlySet<string> = new Set(["agent", "human", "action", "args", "env", "context"]);
const STATE_KEYS: ReadonlySet<string> = new Set(["trust", "counters", "approvals", "killed", "rates"]);
const RATE_KEYS: ReadonlySet<string> = new Set(Object.keys(RATE_FIELDS));
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** Compiles the manifest's schemas into checks. */
export function compileRequestChecks(manifest: Manifest): RequestChecks {
  const agent = manifest.request.agent;
  const field = (name: string): SchemaNode | undefined => (agent.type === "object" ? agent.properties.find((p) => p.name === name)?.schema : undefined);
  const trust = field("trust");
  const rates: Record<string, Check | undefined> = {};
  for (const [rate, name] of Object.entries(RATE_FIELDS)) {
    const schema = field(name);
    rates[rate] = schema === undefined ? undefined : compileCheck(schema);
  }
  return {
    agent: compileCheck(agent),
    human: compileCheck(manifest.request.human),
    env: compileCheck(manifest.request.env),
    context: compileCheck(manifest.request.context),
    trust: trust === undefined ? undefined : compileCheck(trust),
    rates,
    actionIds: new Map(manifest.actions.map((a, i) => [a.name, i])),
    args: manifest.actions.map((a) => compileCheck(a.args)),
    bounds: manifest.bounds ?? DEFAULT_REQUEST_BOUNDS,
  };
}

/**
 * The runtime state read once into plain data and checked (ADR 0006's
 * shape, problems at `state.…`): what finishing reads. Only own properties
 * are read, so a polluted `Object.prototype.approvals` (or `.trust`,
 * `.killed`, `.counters`) changes nothing.
 */
export function readState(state: unknown, bounds: RequestBounds): RuntimeState | undefined | Refused {
  if (state === undefined) return undefined;
  const copy = snapshot(state, bounds, "state");
  if (copy instanceof Refused) return copy;
  const problem = validateState(copy);
  return problem === undefined ? (copy as RuntimeState) : new Refused(problem);
}

/** A fresh, reusable parts record. */
export function newParts(): Parts {
  return { agent: EMPTY, human: undefined, action: "", actionId: -1, args: EMPTY, env: null, context: EMPTY, trust: undefined, rates: undefined };
}

/**
 * Validates the request into `parts`; the first problem, or undefined.
 * `state` is what `readState` returned (read and checked already).
 */
export function validateRequest(request: unknown, state: RuntimeState | undefined, checks: RequestChecks, parts: Parts): Refusal | undefined {
  const input = snapshot(request, checks.bounds, "");
  if (input instanceof Refused) return input.refusal;
  if (!isObject(input)) return refusal("wrong_type", `the request must be an object, got ${describe(input)}`, "");
  // One for-in pass picks the six parts (enum-cache loads, no lookup by name).
  // It stops at an inherited key; an undeclared key with a value is looked for
  // again in code-unit order, as ADR 0006 reports it. A part left undefined
  // or null is read by name: so each part is what `hasKey` then a load gives.
  let agent: unknown, human: unknown, action: unknown, args: unknown, env: unknown, context: unknown;
  let plain = true;
  for (const key in input) {
    if (!hasOwn.call(input, key)) {
      plain = false;
      break;
    }
    const v = input[key];
    if (key === "agent") agent = v;
    else if (key === "action") action = v;
    else if (key === "args") args = v;
    else if (key === "env") env = v;
    else if (key === "context") context = v;
    else if (key === "human") human = v;
    else if (v !== undefined) {
      plain = false;
      break;
    }
  }
  if (!plain) {
    const extra = firstUndeclared(input, TOP_LEVEL);
    if (extra !== undefined) {
      const path = childPath("", extra);
      return refusal("unknown_field", `unknown field ${tick(path)} in the request`, path);
    }
  }
  // What the pass did not see (absent, inherited, not enumerable, or after an inherited key), by name.
  agent ??= own(input, "agent");
  human ??= own(input, "human");
  action ??= own(input, "action");
  args ??= own(input, "args");
  env ??= own(input, "env");
  context ??= own(input, "context");
  if (agent === undefined) return missing("agent");
  let problem = checks.agent(agent);
  if (problem !== undefined) return refusalOf(problem, "agent");
  if (human === null) human = undefined;
  if (human !== undefined) {
    problem = checks.human(human);
    if (problem !== undefined) return refusalOf(problem, "human");
  }
  if (action === undefined) return missing("action");
  if (typeof action !== "string") return refusal("wrong_type", `\`action\` must be a string, got ${describe(action)}`, "action");
  const actionId = checks.actionIds.get(action);
  if (actionId === undefined) return refusal("unknown_action", `unknown action ${tick(action)}`, "action");
  if (args === undefined) return missing("args");
  problem = checks.args[actionId]!(args);
  if (problem !== undefined) return refusalOf(problem, "args");
  if (env === undefined) return missing("env");
  problem = checks.env(env);
  if (problem !== undefined) return refusalOf(problem, "env");
  if (context === undefined) context = EMPTY;
  problem = checks.context(context);
  if (problem !== undefined) return refusalOf(problem, "context");

  let trust: number | undefined;
  if (state !== undefined) {
    const given: unknown = state.trust;
    if (given !== undefined) {
      if (checks.trust !== undefined) {
        problem = checks.trust(given);
        if (problem !== undefined) return refusalOf(problem, "state.trust");
      }
      trust = given as number;
    }
  }
  const ratesGiven = readRates(state, checks);
  if (ratesGiven instanceof Refused) return ratesGiven.refusal;
  parts.agent = agent as Readonly<Record<string, unknown>>;
  parts.human = human as Readonly<Record<string, unknown>> | undefined;
  parts.action = action;
  parts.actionId = actionId;
  parts.args = args as Readonly<Record<string, unknown>>;
  parts.env = env;
  parts.context = context as Readonly<Record<string, unknown>>;
  parts.trust = trust;
  parts.rates = ratesGiven;
  return undefined;
}

/**
 * `state.rates` (already shape-checked) as request fields, each checked
 * against the agent's declared field (path `state.rates.<rate>`), as
 * `state.trust` is against `agent.trust`. Undefined when none is given.
 */
export function readRates(state: RuntimeState | undefined, checks: RequestChecks): Readonly<Record<string, number>> | undefined | Refused {
  const rates = state?.rates;
  if (rates === undefined) return undefined;
  let fields: Record<string, number> | undefined;
  for (const [rate, name] of Object.entries(RATE_FIELDS)) {
    const value = (rates as Readonly<Record<string, number | undefined>>)[rate];
    if (value === undefined) continue;
    const check = checks.rates[rate];
    const problem = check === undefined ? undefined : check(value);
    if (problem !== undefined) return new Refused(refusalOf(problem, `state.rates.${rate}`));
    (fields ??= {})[name] = value;
  }
  return fields;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** An own key's value, undefined when absent (or undefined). */
function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return hasKey(object, key) ? object[key] : undefined;
}

/** The runtime state's shape, as ADR 0006 says; problems at `state.…`. */
export function validateState(state: unknown): Refusal | undefined {
  if (!isObject(state)) return wrong("state", "an object", state);
  const extra = firstUndeclared(state, STATE_KEYS, true);
  if (extra !== undefined) {
    const path = childPath("state", extra);
    return refusal("unknown_field", `unknown field \`${path}\``, path);
  }
  const { trust, counters, approvals, killed } = state;
  if (trust !== undefined && (typeof trust !== "number" || !Number.isFinite(trust))) return wrong("state.trust", "a number", trust);
  if (counters !== undefined) {
    if (!isObject(counters)) return wrong("state.counters", "an object", counters);
    for (const [id, used] of Object.entries(counters)) {
      if (typeof used !== "number" || !Number.isFinite(used) || used < 0) {
        return wrong(childPath("state.counters", id), "a number at least 0", used);
      }
    }
  }
  if (approvals !== undefined) {
    if (!Array.isArray(approvals)) return wrong("state.approvals", "an array", approvals);
    let found: Refusal | undefined;
    // forEach, as the reference does: holes in a sparse array are skipped.
    approvals.forEach((approval: unknown, i: number) => {
      if (found !== undefined) return;
      const path = `state.approvals[${i}]`;
      if (!isObject(approval)) found = wrong(path, "an object", approval);
      else if (typeof approval.id !== "string") found = wrong(`${path}.id`, "a string", approval.id);
      else if (!Array.isArray(approval.groups) || !approval.groups.every((g: unknown) => typeof g === "string")) {
        found = wrong(`${path}.groups`, "an array of strings", approval.groups);
      }
    });
    if (found !== undefined) return found;
  }
  if (killed !== undefined) {
    const problem = killedProblem(killed);
    if (problem !== undefined) {
      return problem.unknownKey !== undefined ? refusal("unknown_field", `unknown field \`${problem.path}\``, problem.path) : wrong(problem.path, problem.expected, problem.got);
    }
  }
  const rates: unknown = state.rates;
  if (rates !== undefined) {
    if (!isObject(rates)) return wrong("state.rates", "an object", rates);
    const extra = firstUndeclared(rates, RATE_KEYS, true);
    if (extra !== undefined) {
      const path = childPath("state.rates", extra);
      return refusal("unknown_field", `unknown field \`${path}\``, path);
    }
    for (const key of Object.keys(RATE_FIELDS)) {
      const rate: unknown = rates[key];
      if (rate !== undefined && (typeof rate !== "number" || !(rate >= 0 && rate <= 1))) return wrong(`state.rates.${key}`, "a number from 0 to 1", rate);
    }
  }
  return undefined;
}

function refusal(code: Refusal["code"], message: string, path: string): Refusal {
  return { code, message, path };
}

function missing(key: string): Refusal {
  return refusal("missing_field", `missing required field ${tick(key)}`, key);
}

function wrong(path: string, expected: string, got: unknown): Refusal {
  return refusal("wrong_type", `\`${path}\` must be ${expected}, got ${describe(got)}`, path);
}
