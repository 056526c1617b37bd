/**
 * What finishing a decision reads of the request, once it is validated: the
 * action, whether a human is named, `state.trust` and `state.rates`, and the
 * values captured while the request was read (the agent's and the human's
 * ids, the env, every limit key), so nothing reads the host's objects again (ADR 0008).
 *
 * In: the manifest (which paths to capture), a request view. Out: the
 * capture plan, a limit key's value, and a view made from a plain copy (the
 * JSON decider's parsed request). Must not read anything but own
 * properties of plain copies.
 */
import type { Manifest } from "../manifest.js";

/** The request as finishing sees it; reused between calls. */
export interface RequestView {
  action: string;
  actionId: number;
  /** Whether the request names a human (present and not null). */
  human: boolean;
  /** `state.trust` when given: replaces `agent.trust`. */
  trust: number | undefined;
  /** `state.rates` when given, by request field (`failure_rate` …): each replaces that field of `agent`. */
  rates: Readonly<Record<string, number>> | undefined;
  /** Captured values by capture index (`CapturePlan.paths`); undefined when absent. */
  readonly captures: unknown[];
}

/** Which request paths are captured, and what reads them. */
export interface CapturePlan {
  readonly paths: readonly (readonly string[])[];
  /** Capture index of `agent.id`, of `human.id` and of `env` (kill switches scoped to an env). */
  readonly agentId: number;
  readonly humanId: number;
  readonly env: number;
  /** Per limit (manifest order), per key: the key's path (`agent` / `human` alone widened to their `id`) and capture index. */
  readonly limitKeys: readonly (readonly { readonly path: readonly string[]; readonly capture: number }[])[];
  /** Capture index of the session key (the manifest's `session.key`); -1 in a policy without sessions. */
  readonly sessionKey: number;
}

/** The capture plan of a manifest: `agent.id`, `human.id`, then every limit key path once. */
export function capturePlan(manifest: Manifest): CapturePlan {
  const paths: string[][] = [];
  const byPath = new Map<string, number>();
  const capture = (path: readonly string[]): number => {
    const key = path.join("\u0000");
    let index = byPath.get(key);
    if (index === undefined) {
      index = paths.length;
      paths.push([...path]);
      byPath.set(key, index);
    }
    return index;
  };
  const agentId = capture(["agent", "id"]);
  const humanId = capture(["human", "id"]);
  const env = capture(["env"]);
  const limitKeys = manifest.limits.map((limit) =>
    limit.keys.map((k) => {
      const path = (k[0] === "agent" || k[0] === "human") && k.length === 1 ? [k[0], "id"] : [...k];
      return { path, capture: path[0] === "action" ? -1 : capture(path) };
    }),
  );
  const sessionKey = manifest.session === undefined ? -1 : capture(manifest.session.key);
  return { paths, agentId, humanId, env, limitKeys, sessionKey };
}

/** A fresh view with room for the plan's captures. */
export function newView(plan: CapturePlan): RequestView {
  return { action: "", actionId: -1, human: false, trust: undefined, rates: undefined, captures: new Array<unknown>(plan.paths.length).fill(undefined) };
}

/** A limit key's value: anything the request lacks is null (ADR 0006, "Limits"). */
export function keyValue(key: { readonly path: readonly string[]; readonly capture: number }, view: RequestView): unknown {
  const path = key.path;
  const root = path[0];
  if (root === "action") return path.length === 1 ? view.action : null;
  if (root === "agent" && path[1] === "trust" && view.trust !== undefined) return path.length === 2 ? view.trust : null;
  // Own keys only: a key path `agent.__proto__` must never read the prototype.
  const rates = view.rates;
  if (root === "agent" && rates !== undefined && path[1] !== undefined && hasOwn.call(rates, path[1])) return path.length === 2 ? rates[path[1]]! : null;
  if (root === "human" && !view.human) return null;
  const value = view.captures[key.capture];
  return value === undefined ? null : value;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Fills `view`'s captures from a plain copy of a validated request (own properties only). */
export function captureFromCopy(plan: CapturePlan, request: unknown, view: RequestView): void {
  plan.paths.forEach((path, index) => {
    let current: unknown = request;
    for (const key of path) {
      if (typeof current !== "object" || current === null || Array.isArray(current) || !hasOwn.call(current, key)) {
        current = undefined;
        break;
      }
      current = (current as Record<string, unknown>)[key];
    }
    view.captures[index] = current;
  });
}
