/**
 * Reading and checking the runtime state that comes with a request
 * (`trust`, `counters`, `approvals`, `killed`): read once into plain data
 * (./snapshot.ts, own properties only, the request bounds), then its shape
 * checked as ADR 0006 says, problems at `state.…`. The request itself is
 * read by ./intake.ts.
 *
 * In: an untrusted value, the request bounds. Out: the state's plain copy,
 * or a `Refused`. Must not evaluate anything of the policy.
 */
import { snapshot } from "./snapshot.js";
import { Refused, childPath, describe, firstUndeclared, isObject, type Refusal } from "./values.js";
import type { RequestBounds } from "../manifest.js";
import { RATE_FIELDS, type RuntimeState } from "../request.js";
import { killedProblem } from "../kill-scope.js";

const STATE_KEYS: ReadonlySet<string> = new Set(["trust", "counters", "approvals", "killed", "rates"]);
const RATE_KEYS: ReadonlySet<string> = new Set(Object.keys(RATE_FIELDS));

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

function wrong(path: string, expected: string, got: unknown): Refusal {
  return refusal("wrong_type", `\`${path}\` must be ${expected}, got ${describe(got)}`, path);
}
