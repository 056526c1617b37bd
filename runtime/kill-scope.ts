/**
 * `state.killed` for the runtime's engines (the object path and the JSON
 * path): which engaged kill switch applies to a request, and whether a
 * `state.killed` value is well formed.
 *
 * In: the state's `killed` list (strings: `"global"`, an agent id, an action
 * family; scopes: `{ env }`, `{ action }`, `{ action, env }`), the request's
 * agent id, action, family and env. Out: the name the deny's reason shows
 * (``kill switch `<name>` is engaged``), or a validation problem.
 * Semantics (ADR 0006 step 3, amended by ADR 0031): strings are tried in
 * the order global, agent, family; then scopes in list order. Ids, envs and
 * action names are compared by identity key (runtime/identity.ts), as the
 * gateway's switches are, so case, Unicode form and invisible characters
 * never slip past a switch; an env scope matches string envs only. The
 * reference interpreter says the same in compiler/interpret/state.ts.
 * Must not import anything but the identity key.
 */
import { identityKey } from "./identity.js";

/** The name the deny shows for a scope: `env production`, `aws.*`, `aws.* in production`. */
export function scopeName(scope: { readonly env?: string; readonly action?: string }): string {
  if (scope.action === undefined) return `env ${scope.env ?? ""}`;
  return scope.env === undefined ? scope.action : `${scope.action} in ${scope.env}`;
}

/** Whether an action pattern (exact, or `prefix.*`) covers an action, both compared by identity key. */
export function patternCovers(pattern: string, action: string): boolean {
  const p = identityKey(pattern);
  const a = identityKey(action);
  return p.endsWith(".*") ? a.startsWith(p.slice(0, -1)) && a.length > p.length - 1 : p === a;
}

/** The first engaged switch of `killed` that applies, by name; undefined when none does. */
export function killedBy(killed: readonly unknown[] | undefined, agentId: unknown, action: string, family: string, env: unknown): string | undefined {
  if (killed === undefined || killed.length === 0) return undefined;
  const keys = killed.map((k) => (typeof k === "string" ? identityKey(k) : undefined));
  const named = (name: string): boolean => keys.includes(identityKey(name));
  if (named("global")) return "global";
  if (typeof agentId === "string" && named(agentId)) return agentId;
  if (named(family)) return family;
  const envKey = typeof env === "string" ? identityKey(env) : undefined;
  for (const entry of killed) {
    if (typeof entry !== "object" || entry === null) continue;
    const scope = entry as { env?: string; action?: string };
    if (scope.env !== undefined && identityKey(scope.env) !== envKey) continue;
    if (scope.action !== undefined && !patternCovers(scope.action, action)) continue;
    return scopeName(scope);
  }
  return undefined;
}

/** What is wrong with a `state.killed` value, as a path and what it must be; undefined when it is well formed. */
export function killedProblem(killed: unknown): { readonly path: string; readonly expected: string; readonly got: unknown; readonly unknownKey?: string } | undefined {
  if (!Array.isArray(killed)) return { path: "state.killed", expected: "an array of kill switches (strings or { env, action })", got: killed };
  for (let i = 0; i < killed.length; i++) {
    const entry: unknown = killed[i];
    const path = `state.killed[${i}]`;
    if (typeof entry === "string") continue;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return { path, expected: "a string or { env, action }", got: entry };
    const scope = entry as Record<string, unknown>;
    for (const key of Object.keys(scope).sort()) if (key !== "env" && key !== "action") return { path: `${path}.${key}`, expected: "", got: undefined, unknownKey: key };
    if (scope["env"] !== undefined && (typeof scope["env"] !== "string" || identityKey(scope["env"]) === "")) return { path: `${path}.env`, expected: "a non-empty string", got: scope["env"] };
    if (scope["action"] !== undefined && !isPattern(scope["action"])) return { path: `${path}.action`, expected: "an action name or `prefix.*`", got: scope["action"] };
    if (scope["env"] === undefined && scope["action"] === undefined) return { path, expected: "a scope naming an `env`, an `action` or both", got: entry };
  }
  return undefined;
}

function isPattern(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const key = identityKey(value);
  const body = key.endsWith(".*") ? key.slice(0, -2) : key;
  return body !== "" && !body.split(".").some((s) => s === "" || s.includes("*"));
}
