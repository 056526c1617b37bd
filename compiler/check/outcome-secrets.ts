/**
 * AGP286: a session operator that matches past calls by their outcome
 * (`succeeded`, `failed`, `rolled_back`) may not read a field the catalog
 * marks `x-agp-secret`. Its filter, correlated keys and summed amount are
 * evaluated when the outcome is reported, from the run record the gateway
 * keeps until then; the gateway keeps no secret there (ADR 0025), so every
 * report of such a call would be refused. Refused here, at check time,
 * instead (docs/decisions/0047-outcome-filters-and-secrets.md).
 *
 * In: a typed past-call pattern, the operator, the env (rule, catalogs).
 * Out: AGP286 diagnostics, one per past-call path that is secret, lies in a
 * secret or holds one (in any option of a union) — the same test the
 * gateway applies to the manifest (runtime/governance/outcome-record.ts).
 * Must not report filters of decision statuses (`allowed`, `parked`,
 * `refused`): they are evaluated when the call is recorded, with the
 * request at hand, and nothing of them is kept.
 */
import type { FieldType, ObjectType } from "../catalog/index.js";
import { diagnostic } from "../diagnostics/index.js";
import type { TypedCall, TypedExpr } from "./checked.js";
import type { Env } from "./env.js";

const OUTCOME_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "rolled_back"]);

/** Whether the monitor of `op` over `call` reads `call`'s filter when an outcome is reported. */
export function readsAtOutcome(op: string, call: TypedCall): boolean {
  // `previous` asks about the last call only; its filter is read when that call is recorded.
  return op !== "previous" && OUTCOME_STATUSES.has(call.status);
}

/**
 * Reports AGP286 for every secret the outcome of `call` would read: paths of
 * the past call in its filter (conditions and correlations) and, for `sum`,
 * the summed value.
 */
export function checkOutcomeSecrets(op: string, call: TypedCall, summed: TypedExpr | undefined, env: Env): void {
  if (!readsAtOutcome(op, call)) return;
  const reads: TypedExpr[] = [];
  if (call.filter !== undefined) collectPastPaths(call.filter, reads);
  if (summed !== undefined) collectPastPaths(summed, reads);
  const reported = new Set<string>();
  for (const read of reads) {
    if (read.kind !== "Path" || read.resolution.kind !== "field") continue;
    const { root, fields } = read.resolution;
    const path = [root, ...fields].join(".");
    if (reported.has(path)) continue;
    for (const { action } of read.resolution.perAction) {
      const start = rootType(root, action, env);
      const secret = start === undefined ? undefined : secretAlong(start, fields, root);
      if (secret === undefined) continue;
      reported.add(path);
      env.report(diagnostic("AGP286", read.node.span, { rule: env.session?.rule ?? "", path, secret, action, status: call.status }));
      break;
    }
  }
}

/** Every path of the past call (not `current.…`, not the action's metadata) an expression reads. */
function collectPastPaths(e: TypedExpr, out: TypedExpr[]): void {
  if (e.kind === "Path") {
    if (e.resolution.kind === "field" && e.resolution.current !== true && e.resolution.root !== "action") out.push(e);
    return;
  }
  // Walk every typed child: a new node kind that holds expressions is covered without a change here.
  for (const [key, value] of Object.entries(e)) {
    if (key === "node" || key === "type" || key === "resolution") continue;
    visit(value, out);
  }
}

function visit(value: unknown, out: TypedExpr[]): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, out);
    return;
  }
  if (typeof value === "object" && value !== null && "kind" in value && "node" in value && "type" in value) collectPastPaths(value as TypedExpr, out);
}

/** The type a path's root names for `action`: its args, or the request shape's part. */
function rootType(root: string, action: string, env: Env): FieldType | undefined {
  switch (root) {
    case "args":
      return env.catalogs.actions.get(action)?.args;
    case "agent":
    case "human":
    case "context":
      return env.catalogs.request[root];
    case "env":
      return env.catalogs.request.env;
    default:
      return undefined;
  }
}

/**
 * The first secret the path reads: a field on the way marked secret (the
 * value lies in a secret), or, at its end, a secret anywhere inside the
 * value (it holds one). Undefined when it reads none.
 */
export function secretAlong(type: FieldType, fields: readonly string[], at: string): string | undefined {
  if (fields.length === 0) return secretInside(type, at, 0);
  if (type.kind === "union") {
    for (const option of type.options) {
      const found = secretAlong(option, fields, at);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (type.kind !== "object") return undefined;
  const field = type.fields.get(fields[0]!);
  if (field === undefined) return undefined;
  const here = `${at}.${field.name}`;
  if (field.secret === true) return here;
  return secretAlong(field.type, fields.slice(1), here);
}

// Schemas nest at most 32 levels (AGP414); the bound keeps a malformed type from looping.
const MAX_DEPTH = 64;

function secretInside(type: FieldType, at: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (type.kind) {
    case "object":
      return secretInObject(type, at, depth);
    case "array":
      return secretInside(type.items, `${at}[]`, depth + 1);
    case "union":
      for (const option of type.options) {
        const found = secretInside(option, at, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function secretInObject(type: ObjectType, at: string, depth: number): string | undefined {
  for (const field of type.fields.values()) {
    const here = `${at}.${field.name}`;
    if (field.secret === true) return here;
    const found = secretInside(field.type, here, depth + 1);
    if (found !== undefined) return found;
  }
  return type.additional === undefined ? undefined : secretInside(type.additional, `${at}.*`, depth + 1);
}
