/**
 * Typing of calls: built-in string views (`lower(args.repo)`) and uses of
 * named conditions (`unknown_recipient(r)`, or a bare `in_production`).
 *
 * In: the call (or the bare name), the env and scope of the use, and the
 * expression typer (passed in to keep the import graph acyclic). Out: a
 * typed `View` or `Call`; problems go to `env.report`: calls of things that
 * are neither (AGP269), the wrong number of arguments (AGP265), views of
 * non-strings (AGP270), unbounded or nullable strings (AGP216, AGP227).
 *
 * A named condition's body is typed at each use, its parameters bound to
 * the types of the arguments, under the guards that hold at the use, so a
 * condition reads exactly as if it were written out there. An error inside
 * the body is reported at the body (the definition) with a related span at
 * the use, once per place and message. Cycles are reported once, at the
 * definitions (conditions.ts); a use inside a cycle is not expanded again.
 * Must not decide what the body means (typing.ts types it).
 */
import { diagnostic, didYouMean, type Diagnostic, type RelatedSpan } from "../diagnostics/index.js";
import type { CallExpr, Expr, Path, Span } from "../syntax/index.js";
import { REQUEST_ROOTS, type Type, type TypedExpr } from "./checked.js";
import { requireMaxLength } from "./bounds.js";
import type { ConditionInfo, Env, Scope } from "./env.js";
import type { ResolveMode } from "./resolve.js";
import { showExpr } from "./show.js";
import { BOOLEAN_TYPE, describeType, ERROR_TYPE, splitNull } from "./types.js";
import { MAX_EXPANDED_NODES } from "./conditions.js";
import { isViewName, VIEW_NAMES, type ViewName } from "./views.js";

type Typer = (expr: Expr, env: Env, scope: Scope, mode?: ResolveMode) => TypedExpr;
type ConditionTyper = (expr: Expr, env: Env, scope: Scope, what: string) => TypedExpr;

/** How many named conditions may be expanded inside one another (a chain, not a cycle). */
export const MAX_EXPANSION_DEPTH = 32;

/** A typed stand-in for a call whose problem was reported. */
function failed(node: CallExpr | Path): TypedExpr {
  const path: Path = node.kind === "Path" ? node : { kind: "Path", root: node.callee, fields: [], span: node.span };
  return { kind: "Path", node: path, type: ERROR_TYPE, resolution: { kind: "error" } };
}

/** `name(args…)`: a view or a named condition. */
export function typeCall(expr: CallExpr, env: Env, scope: Scope, typeExpr: Typer, typeCondition: ConditionTyper): TypedExpr {
  const name = expr.callee.name;
  if (isViewName(name)) return typeView(expr, name, env, scope, typeExpr);
  const condition = env.conditions.get(name);
  if (condition === undefined || scope.variables.has(name)) {
    for (const arg of expr.args) typeExpr(arg, env, scope);
    const what = scope.variables.has(name)
      ? "a quantifier variable"
      : env.constants.has(name)
        ? "a constant"
        : (REQUEST_ROOTS as readonly string[]).includes(name)
          ? "a part of the request"
          : undefined;
    if (env.constants.has(name)) env.constants.get(name)!.used = true;
    const help = what === undefined ? didYouMean(name, [...env.conditions.keys(), ...VIEW_NAMES]) : undefined;
    env.report(
      diagnostic("AGP269", expr.callee.span, { name, what: what ?? "not defined" }, help === undefined ? {} : { help }),
    );
    return failed(expr);
  }
  return typeUse(expr, expr.args, condition, env, scope, typeExpr, typeCondition);
}

/** A bare name that names a condition without parameters (or, wrongly, one with some). */
export function typeBareUse(path: Path, condition: ConditionInfo, env: Env, scope: Scope, typeExpr: Typer, typeCondition: ConditionTyper): TypedExpr {
  return typeUse(path, [], condition, env, scope, typeExpr, typeCondition);
}

function typeUse(
  node: CallExpr | Path,
  args: readonly Expr[],
  condition: ConditionInfo,
  env: Env,
  scope: Scope,
  typeExpr: Typer,
  typeCondition: ConditionTyper,
): TypedExpr {
  condition.used = true;
  const name = condition.name;
  const params = condition.decl.params.map((p) => p.name);
  const typedArgs = args.map((arg) => typeExpr(arg, env, scope));
  if (args.length !== params.length) {
    const wanted = params.length === 0 ? "no arguments: use it by its name" : `${params.length} ${params.length === 1 ? "argument" : "arguments"} (${params.join(", ")})`;
    env.report(
      diagnostic("AGP265", node.span, { name, wanted, given: String(args.length) }, {
        related: [{ span: condition.decl.name.span, message: `\`${name}\` is defined here` }],
      }),
    );
    return failed(node);
  }
  // Cycles and oversized bodies are reported at the definitions (conditions.ts); a use just stops here.
  if (condition.expandedNodes === undefined || env.expanding.some((e) => e.name === name)) return failed(node);
  if (env.expanding.length >= MAX_EXPANSION_DEPTH) {
    env.report(diagnostic("AGP268", node.span, { name, why: `conditions are nested more than ${MAX_EXPANSION_DEPTH} deep here` }));
    return failed(node);
  }
  if (env.expanding.length === 0) {
    env.expansion.left -= condition.expandedNodes;
    if (env.expansion.left < 0) {
      if (env.expansion.left + condition.expandedNodes >= 0) {
        env.report(diagnostic("AGP268", node.span, { name, why: `with its other uses, ${env.owner ?? "this condition"} expands to more than ${MAX_EXPANDED_NODES} nodes` }));
      }
      return failed(node);
    }
  }
  const bodyEnv: Env = {
    ...env,
    expanding: [...env.expanding, { name, use: node.span }],
    report: reportFromBody(env, condition, node),
  };
  const body = typeCondition(condition.decl.body, bodyEnv, bodyScope(condition, args, typedArgs, env, scope), `the body of condition \`${name}\``);
  return { kind: "Call", node, type: BOOLEAN_TYPE, name, package: condition.package, params, args: typedArgs, body };
}

/**
 * The scope a body is typed in: the parameters as variables of the
 * arguments' types, and the use's guards on request fields (not those on the
 * caller's variables, which the body cannot see); a guard on an argument
 * path holds for its parameter too.
 */
function bodyScope(condition: ConditionInfo, args: readonly Expr[], typedArgs: readonly TypedExpr[], env: Env, scope: Scope): Scope {
  const params = condition.decl.params.map((p) => p.name);
  const hidden = new Set([...scope.variables.keys(), ...params]);
  const visible = (key: string) => !hidden.has(key.split(".")[0]!);
  const present = new Set([...scope.present].filter(visible));
  const nonNull = new Set([...scope.nonNull].filter(visible));
  const variables = new Map<string, Type>();
  params.forEach((param, i) => {
    variables.set(param, typedArgs[i]?.type ?? ERROR_TYPE);
    const arg = args[i];
    if (arg?.kind !== "Path") return;
    const key = showExpr(arg);
    for (const [from, to] of [[scope.present, present], [scope.nonNull, nonNull]] as const) {
      for (const fact of from) {
        if (fact === key) to.add(param);
        else if (fact.startsWith(`${key}.`)) to.add(`${param}${fact.slice(key.length)}`);
      }
    }
  });
  void env;
  return { variables, present, nonNull };
}

/**
 * Reports of a body's typing: at the definition, with the uses that led
 * there as related spans; one report per place and message, however many
 * uses reach it.
 */
function reportFromBody(env: Env, condition: ConditionInfo, use: CallExpr | Path): (d: Diagnostic) => void {
  const inside = (span: Span) =>
    span.file === condition.file && span.offset >= condition.decl.span.offset && span.endOffset <= condition.decl.span.endOffset;
  return (d) => {
    const last = d.related?.[d.related.length - 1];
    // From a condition this body uses: the use that led there is in this body, so this use is part of the chain.
    const nested = !inside(d.span) && last !== undefined && inside(last.span) && last.message.startsWith("in this use of");
    if (!inside(d.span) && !nested) {
      env.report(d);
      return;
    }
    const key = `${d.code}\u0000${d.span.file}\u0000${d.span.offset}\u0000${d.message}`;
    if (!nested) {
      if (condition.reported.has(key)) return;
      condition.reported.add(key);
    }
    const by = env.owner === undefined ? "" : ` by ${env.owner}`;
    const related: RelatedSpan = { span: use.span, message: `in this use of \`${condition.name}\`${by}` };
    env.report({ ...d, related: [...(d.related ?? []), related] });
  };
}

/** `lower(s)`, `domain(s)`, `normpath(s)`: one string in, a string out, as long at most. */
function typeView(expr: CallExpr, view: ViewName, env: Env, scope: Scope, typeExpr: Typer): TypedExpr {
  const args = expr.args.map((a) => typeExpr(a, env, scope));
  const arg = args[0];
  const fail = (): TypedExpr => ({ kind: "View", node: expr, type: ERROR_TYPE, view, arg: arg ?? failed(expr) });
  if (args.length !== 1 || arg === undefined) {
    env.report(diagnostic("AGP265", expr.span, { name: view, wanted: "1 argument (a string)", given: String(args.length) }));
    return fail();
  }
  if (arg.type.kind === "error") return fail();
  const { base, nullable } = splitNull(arg.type);
  if (base.kind !== "string") {
    env.report(diagnostic("AGP270", expr.args[0]!.span, { view, expr: showExpr(expr.args[0]!), type: describeType(arg.type) }));
    return fail();
  }
  if (nullable && !(arg.kind === "Path" && scope.nonNull.has(showExpr(arg.node)))) {
    env.report(diagnostic("AGP227", expr.args[0]!.span, { path: showExpr(expr.args[0]!), owner: "its schema", op: view }));
    return fail();
  }
  if (arg.kind !== "Literal" && !(arg.kind === "Path" && arg.resolution.kind === "constant")) requireMaxLength(env, base, expr.args[0]!, view);
  const type: Type = { kind: "string", ...(base.maxLength === undefined ? {} : { maxLength: base.maxLength }) };
  return { kind: "View", node: expr, type, view, arg };
}
