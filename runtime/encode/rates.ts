/**
 * `state.rates` as the request fields they replace (issue 15, ADR 0032):
 * the gateway's measured success, failure, rollback and violation rates
 * stand in for whatever `agent.<rate>_rate` the request claims, as
 * `state.trust` stands in for `agent.trust`.
 *
 * In: the manifest (the agent's declared rate fields); per request, the
 * validated state. Out: the rates by request field (`failure_rate` …), each
 * checked against the agent's declared field, or the first `Refused` at
 * `state.rates.<rate>`. Must not read the request.
 */
import type { Manifest, SchemaNode } from "../manifest.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { compileCheck } from "./readers.js";
import type { Check } from "./validate.js";
import { Refused, refusalOf } from "./values.js";

/** The checks of the agent's declared rate fields, by rate (`success` …); undefined where the agent declares none. */
export type RateChecks = Readonly<Record<string, Check | undefined>>;

/** Compiles the agent's rate field schemas once per loaded policy. */
export function rateChecks(manifest: Manifest): RateChecks {
  const agent = manifest.request.agent;
  const field = (name: string): SchemaNode | undefined => (agent.type === "object" ? agent.properties.find((p) => p.name === name)?.schema : undefined);
  const checks: Record<string, Check | undefined> = {};
  for (const [rate, name] of Object.entries(RATE_FIELDS)) {
    const schema = field(name);
    checks[rate] = schema === undefined ? undefined : compileCheck(schema);
  }
  return checks;
}

/**
 * `state.rates` (already shape-checked by `readState`) by request field,
 * each checked against the agent's declared field; undefined when none is given.
 */
export function readRates(state: RuntimeState | undefined, checks: RateChecks): Readonly<Record<string, number>> | undefined | Refused {
  const rates = state?.rates;
  if (rates === undefined) return undefined;
  let fields: Record<string, number> | undefined;
  for (const [rate, name] of Object.entries(RATE_FIELDS)) {
    const value = (rates as Readonly<Record<string, number | undefined>>)[rate];
    if (value === undefined) continue;
    const problem = checks[rate]?.(value);
    if (problem !== undefined) return new Refused(refusalOf(problem, `state.rates.${rate}`));
    (fields ??= {})[name] = value;
  }
  return fields;
}
