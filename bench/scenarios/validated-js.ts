/**
 * The hand-written JS function with the argument validation a careful
 * developer would add in front of it: each action's JSON Schema compiled
 * by Ajv (the validator agp's checker itself uses), refusing a request
 * whose `args` do not fit. It shows how much of the gap between agp and
 * the bare JS floor is validation, which agp does on every call.
 *
 * In: a scenario and its hand-written function. Out: a decide function
 * with the same outcomes on valid requests. Must not depend on agp's
 * engines.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { AgentRequest } from "../../runtime/index.js";
import type { Outcome, Scenario } from "./description.js";
import type { HandWritten } from "./to-js.js";

interface CatalogJson {
  readonly family: string;
  readonly $defs?: Record<string, unknown>;
  readonly actions: Record<string, { readonly args: Record<string, unknown> }>;
}

const INVALID: Outcome = Object.freeze({ effect: "deny", rules: Object.freeze([]) as readonly string[] });

/** `js` behind an Ajv check of each request's `args` against its action's schema. */
export function withValidation(scenario: Scenario, js: HandWritten): (request: AgentRequest) => Outcome {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const catalog of Object.values(scenario.catalogs) as CatalogJson[]) {
    for (const [name, action] of Object.entries(catalog.actions)) {
      validators.set(`${catalog.family}.${name}`, ajv.compile({ ...action.args, $defs: catalog.$defs ?? {} }));
    }
  }
  const decide = js.decide;
  return (request) => {
    const validate = validators.get(request.action);
    if (validate === undefined || !validate(request.args)) return INVALID;
    return decide(request);
  };
}
