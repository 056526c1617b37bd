/**
 * Name resolution for paths: what `args.repo`, `action.costClass`,
 * `production_repos`, `p` or `medium` names, and its type.
 *
 * In: a `Path`, the env (constants, matched actions) and scope (variables,
 * guards), plus the type it is compared with (for bare enum members).
 * Out: the path's type and `PathResolution`; reports unknown names (AGP201,
 * AGP203, AGP212), unguarded optional / nullable / human reads (AGP210,
 * AGP227, AGP228), reads into non-objects (AGP229) and type conflicts between
 * actions (AGP219). A field path resolves against every matched action.
 * Must not type operators (typing.ts does).
 */
import type { ActionEntry, Field } from "../catalog/index.js";
import { diagnostic, didYouMean, joinSpans } from "../diagnostics/index.js";
import type { Identifier, Path } from "../syntax/index.js";
import { REQUEST_ROOTS, type ActionFieldType, type PathResolution, type RequestRoot, type Type } from "./checked.js";
import { actionOwner, patternsText, type Env, type Scope } from "./env.js";
import { describeType, ERROR_TYPE, mergeTypes, sameShape, splitNull } from "./types.js";

export interface Resolved {
  readonly type: Type;
  readonly resolution: PathResolution;
}

export interface ResolveMode {
  /** Inside `has`: absent or null links are what is being tested, so no guard is needed. */
  readonly guard?: boolean;
  /** The type this bare name is compared with: lets `medium` resolve as an enum member. */
  readonly expected?: Type;
  /** How the compared side reads, for messages: `action.costClass`. */
  readonly expectedText?: string;
}

const ERROR: Resolved = { type: ERROR_TYPE, resolution: { kind: "error" } };

export function resolvePath(path: Path, env: Env, scope: Scope, mode: ResolveMode = {}): Resolved {
  const root = path.root.name;
  const variable = scope.variables.get(root);
  if (variable !== undefined) {
    const fields = path.fields.map((f) => f.name);
    const current = scope.outerVariables?.has(root) === true ? { current: true as const } : {};
    if (path.fields.length === 0) return { type: variable, resolution: { kind: "variable", name: root, fields, ...current } };
    const walked = walk(variable, root, path, 0, env, scope, mode);
    if (walked === undefined) return ERROR;
    return { type: walked.type, resolution: { kind: "variable", name: root, fields, ...current } };
  }
  const constant = env.constants.get(root);
  if (constant !== undefined) {
    constant.used = true;
    if (path.fields.length > 0) {
      const field = path.fields[0]!;
      env.report(
        diagnostic("AGP229", joinSpans(path.root.span, field.span), {
          field: field.name,
          path: root,
          type: describeType(constant.type),
        }),
      );
      return ERROR;
    }
    return {
      type: constant.type,
      resolution: { kind: "constant", name: root, package: constant.package, value: constant.value },
    };
  }
  if (root === "current" && !env.constants.has(root)) return resolveCurrent(path, env, mode);
  if ((REQUEST_ROOTS as readonly string[]).includes(root)) return resolveRequest(root as RequestRoot, path, env, scope, mode);
  if (path.fields.length === 0 && mode.expected !== undefined) {
    const { base } = splitNull(mode.expected);
    if (base.kind === "string" && base.enum !== undefined) {
      if (base.enum.includes(root)) return { type: base, resolution: { kind: "enumMember", value: root } };
      const help = didYouMean(root, base.enum) ?? `the members are ${base.enum.map((m) => `\`${m}\``).join(", ")}`;
      env.report(diagnostic("AGP212", path.span, { value: root, path: mode.expectedText ?? "the compared value" }, { help: help }));
      return ERROR;
    }
  }
  const candidates = [...scope.variables.keys(), ...env.constants.keys(), ...REQUEST_ROOTS];
  const help = didYouMean(root, candidates);
  env.report(diagnostic("AGP203", path.root.span, { name: root }, help === undefined ? {} : { help }));
  return ERROR;
}

/**
 * `current.args.path` inside a past call's filter: the current request's
 * field, resolved where the operator stands (its actions, its guards).
 * Anywhere else, or without a field, it is AGP249.
 */
function resolveCurrent(path: Path, env: Env, mode: ResolveMode): Resolved {
  const [first, ...rest] = path.fields;
  if (env.outer === undefined || first === undefined) {
    const why = env.outer === undefined
      ? "`current` reads the current request inside a past call's filter (`earlier … where args.x == current.args.x …`)"
      : "name a field of the current request, such as `current.args.path`";
    env.report(diagnostic("AGP249", path.span, { path: show(path, path.fields.length) }, { help: why }));
    return ERROR;
  }
  const inner: Path = { kind: "Path", root: first, fields: rest, span: path.span };
  const resolved = resolvePath(inner, env.outer.env, env.outer.scope, mode);
  const r = resolved.resolution;
  if (r.kind === "field" || r.kind === "variable") return { type: resolved.type, resolution: { ...r, current: true } };
  return resolved;
}

function resolveRequest(root: RequestRoot, path: Path, env: Env, scope: Scope, mode: ResolveMode): Resolved {
  const fields = path.fields.map((f) => f.name);
  const request = env.catalogs.request;
  if (root === "human" && !env.humanPresent && mode.guard !== true && !scope.present.has("human")) {
    env.report(diagnostic("AGP228", path.span, { path: show(path, path.fields.length), where: env.where }));
    return ERROR;
  }
  if (root === "agent" || root === "human" || root === "context" || root === "env") {
    const start: Type = root === "env" ? request.env : request[root];
    const walked = walk(start, root, path, 0, env, scope, mode, `the request's \`${root}\``);
    if (walked === undefined) return ERROR;
    const perAction = env.actions.map((a) => ({ action: a.name, type: walked.type, required: walked.required }));
    return { type: walked.type, resolution: { kind: "field", root, fields, perAction } };
  }
  if (fields.length === 0) {
    return { type: { kind: "any" }, resolution: { kind: "field", root, fields, perAction: [] } };
  }
  // args and action depend on the action: resolve under each matched action.
  const results: { action: ActionEntry; outcome: Outcome }[] = env.actions.map((action) => ({
    action,
    outcome: root === "args" ? walkQuiet(action.args, root, path, 0) : walkMetadata(action, env, path),
  }));
  const missing = results.find((r) => r.outcome.kind === "missing");
  if (missing !== undefined && missing.outcome.kind === "missing") {
    const at = missing.outcome.index;
    const shown = show(path, at + 1);
    const present = results.find((r) => r.outcome.kind === "ok");
    const help =
      present !== undefined
        ? `\`${shown}\` exists on \`${present.action.name}\`; narrow the pattern \`${patternsText(env.patterns)}\` or split the rule`
        : didYouMean(path.fields[at]!.name, missing.outcome.candidates)?.replace(/`([^`]*)`/, (_, m: string) => `\`${show(path, at)}.${m}\``);
    env.report(
      diagnostic("AGP201", joinSpans(path.root.span, path.fields[at]!.span), {
        path: shown,
        owner: actionOwner(env, missing.action.name),
      }, help === undefined ? {} : { help }),
    );
    return ERROR;
  }
  const notObject = results.find((r) => r.outcome.kind === "notObject");
  if (notObject !== undefined && notObject.outcome.kind === "notObject") {
    reportNotObject(env, path, notObject.outcome.index, notObject.outcome.type);
    return ERROR;
  }
  const oks = results.flatMap((r) => (r.outcome.kind === "ok" ? [{ action: r.action, ...r.outcome }] : []));
  const first = oks[0];
  if (first === undefined) return { type: ERROR_TYPE, resolution: { kind: "field", root, fields, perAction: [] } };
  for (const other of oks.slice(1)) {
    if (!sameShape(first.type, other.type)) {
      const key = `AGP219 ${show(path, path.fields.length)}`;
      if (env.once.has(key)) return ERROR;
      env.once.add(key);
      env.report(
        diagnostic("AGP219", path.span, {
          path: show(path, path.fields.length),
          first: describeType(first.type),
          firstAction: first.action.name,
          second: describeType(other.type),
          secondAction: other.action.name,
          pattern: patternsText(env.patterns),
        }),
      );
      return ERROR;
    }
  }
  if (mode.guard !== true) {
    for (const r of oks) {
      const unguarded = r.optional.find((key) => !scope.present.has(key));
      if (unguarded !== undefined) {
        env.report(diagnostic("AGP210", path.span, { path: unguarded, owner: actionOwner(env, r.action.name), guard: unguarded }));
        return ERROR;
      }
      const nullable = r.nullable.find((n) => !scope.nonNull.has(n.key));
      if (nullable !== undefined) {
        env.report(
          diagnostic("AGP227", path.span, { path: nullable.key, owner: actionOwner(env, r.action.name), op: `.${nullable.next}` }),
        );
        return ERROR;
      }
    }
  }
  const type = oks.slice(1).reduce((t, r) => mergeTypes(t, r.type), first.type);
  const perAction: ActionFieldType[] = oks.map((r) => ({ action: r.action.name, type: r.type, required: r.optional.length === 0 }));
  return { type, resolution: { kind: "field", root, fields, perAction } };
}

type Outcome =
  | { kind: "ok"; type: Type; optional: string[]; nullable: { key: string; next: string }[] }
  | { kind: "missing"; index: number; candidates: string[] }
  | { kind: "notObject"; index: number; type: Type };

/** Walks `path.fields[from..]` starting at `start` without reporting; keys are prefixed with the root. */
function walkQuiet(start: Type, prefix: string, path: Path, from: number, optional: string[] = [], nullable: { key: string; next: string }[] = []): Outcome {
  let type = start;
  let key = [prefix, ...path.fields.slice(0, from).map((f) => f.name)].join(".");
  for (let i = from; i < path.fields.length; i++) {
    const name = path.fields[i]!.name;
    const { base, nullable: isNullable } = splitNull(type);
    if (isNullable && base.kind === "object") nullable.push({ key, next: name });
    if (base.kind !== "object") return { kind: "notObject", index: i, type };
    const field: Field | undefined = base.fields.get(name);
    if (field === undefined) return { kind: "missing", index: i, candidates: [...base.fields.keys()] };
    key = `${key}.${name}`;
    if (!field.required) optional.push(key);
    type = field.type;
  }
  return { kind: "ok", type, optional, nullable };
}

function walkMetadata(action: ActionEntry, env: Env, path: Path): Outcome {
  const key = path.fields[0]!.name;
  if (key === "name" || key === "family") {
    if (path.fields.length > 1) return { kind: "notObject", index: 1, type: { kind: "string" } };
    const longest = [...env.catalogs.actions.values()].reduce((m, a) => Math.max(m, a.name.length), 0);
    return { kind: "ok", type: { kind: "string", maxLength: longest }, optional: [], nullable: [] };
  }
  const value = action.metadata.get(key);
  const catalog = env.catalogs.catalogs.find((c) => c.file === action.location.file);
  const declared = catalog?.metadataTypes.get(key);
  if (value === undefined && declared === undefined) {
    const candidates = ["name", "family", ...action.metadata.keys(), ...(catalog?.metadataTypes.keys() ?? [])];
    return { kind: "missing", index: 0, candidates: [...new Set(candidates)] };
  }
  const optional = value === undefined ? [`action.${key}`] : [];
  return walkQuiet(value?.type ?? declared!, `action.${key}`, path, 1, optional);
}

/** Walks a path from a non-action root (or a variable), reporting problems itself. */
function walk(
  start: Type,
  prefix: string,
  path: Path,
  from: number,
  env: Env,
  scope: Scope,
  mode: ResolveMode,
  owner = `the elements of \`${prefix}\``,
): { type: Type; required: boolean } | undefined {
  const outcome = walkQuiet(start, prefix, path, from);
  if (outcome.kind === "missing") {
    const at = outcome.index;
    const shown = show(path, at + 1);
    const help = didYouMean(path.fields[at]!.name, outcome.candidates)?.replace(/`([^`]*)`/, (_, m: string) => `\`${show(path, at)}.${m}\``);
    env.report(
      diagnostic("AGP201", joinSpans(path.root.span, path.fields[at]!.span), { path: shown, owner }, help === undefined ? {} : { help }),
    );
    return undefined;
  }
  if (outcome.kind === "notObject") {
    reportNotObject(env, path, outcome.index, outcome.type);
    return undefined;
  }
  if (mode.guard !== true) {
    const unguarded = outcome.optional.find((key) => !scope.present.has(key));
    if (unguarded !== undefined) {
      env.report(diagnostic("AGP210", path.span, { path: unguarded, owner, guard: unguarded }));
      return undefined;
    }
    const nullable = outcome.nullable.find((n) => !scope.nonNull.has(n.key));
    if (nullable !== undefined) {
      env.report(diagnostic("AGP227", path.span, { path: nullable.key, owner, op: `.${nullable.next}` }));
      return undefined;
    }
  }
  return { type: outcome.type, required: outcome.optional.length === 0 };
}

function reportNotObject(env: Env, path: Path, index: number, type: Type): void {
  const field: Identifier = path.fields[index]!;
  env.report(
    diagnostic("AGP229", joinSpans(path.root.span, field.span), {
      field: field.name,
      path: show(path, index),
      type: describeType(type),
    }),
  );
}

/** The path's first `count` fields after the root, as written: `args.pr`. */
export function show(path: Path, count: number): string {
  return [path.root.name, ...path.fields.slice(0, count).map((f) => f.name)].join(".");
}
