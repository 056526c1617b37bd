/**
 * Typing of session operators (docs/decisions/0024-session-rules.md):
 * `earlier`, `previous`, `count`, `sum`, `no … since`, `only … since`,
 * `exposed`, `carries`, and the past call patterns they look at.
 *
 * In: a `PastExpr` / `LabelExpr` (or a comparison holding `count`), its env
 * and scope, and the expression typer (passed in to keep the import graph
 * acyclic). Out: typed nodes carrying what lowering needs (windows in ms,
 * capacities, the ring size of `count`). Reports: AGP240 (window longer than
 * `retain`), AGP241 (unbounded correlation), AGP242 (unknown label), AGP245
 * (a filter that compares the past call with the current request other than
 * by `==` / `in`), AGP246 (an operator where none may stand), AGP247 (`count`
 * not compared with a number), AGP248 (a summed value that is not a number
 * field of the past call), AGP250 (a sum's step), AGP251 (a correlated value
 * that is not a required scalar), AGP252 (`since` with a correlation),
 * AGP253 (a capacity too large), AGP286 (an outcome's filter or sum reads
 * a secret: outcome-secrets.ts), AGP311 / AGP312 (pointless `track`).
 * Must not evaluate anything or know about monitors' layout.
 */
import type { Type as CatalogType } from "./checked.js";
import { diagnostic, didYouMean, type Span } from "../diagnostics/index.js";
import type { CallPattern, CompareExpr, Duration, Expr, LabelExpr, PastExpr } from "../syntax/index.js";
import type { Correlation, TypedCall, TypedExpr, TypedPast } from "./checked.js";
import { EMPTY_SCOPE, type Env, type Scope } from "./env.js";
import { checkOutcomeSecrets } from "./outcome-secrets.js";
import { matchAndReport } from "./patterns.js";
import type { ResolveMode } from "./resolve.js";
import { showCall, showExpr } from "./show.js";
import { BOOLEAN_TYPE, describeType, ERROR_TYPE, splitNull } from "./types.js";

type Typer = (expr: Expr, env: Env, scope: Scope, mode?: ResolveMode) => TypedExpr;

/** Milliseconds per unit of a session window. */
export const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** A duration in milliseconds (months never reach here: the parser refuses them). */
export function durationMs(d: Duration): number {
  return d.count * (UNIT_MS[d.unit as keyof typeof UNIT_MS] ?? 0);
}

/** The most distinct keys a correlated operator may keep, and the largest `count` ring. */
export const MAX_CAPACITY = 4096;
export const MAX_RING = 1000;
/** The most buckets a sum may keep. */
export const MAX_BUCKETS = 1000;

const COUNT_TYPE: CatalogType = { kind: "number", integer: true, minimum: 0 };
const SUM_TYPE: CatalogType = { kind: "number", integer: false };

/** `count …` (a comparison holding one is typed by `typeCountCompare`). */
export function isCount(expr: Expr): boolean {
  return expr.kind === "Past" && expr.op === "count";
}

/** A session operator: its window, call patterns, value and capacity. `ring` is set by `typeCountCompare`. */
export function typePast(expr: PastExpr, env: Env, scope: Scope, typeExpr: Typer, ring?: number): TypedExpr {
  const session = env.session;
  // A named condition is expanded where it is used, but the interpreter and the monitors read session operators of the rule itself.
  if (session === undefined || env.expanding.length > 0) return notHere(expr, env);
  session.used(expr.span);
  const windowMs = durationMs(expr.window);
  checkWindow(expr.window, session.retainMs, env);
  const call = typeCall(expr.call, env, scope, typeExpr);
  const anchor = expr.anchor === undefined ? undefined : typeCall(expr.anchor, env, scope, typeExpr);
  const base = { kind: "Past" as const, node: expr, op: expr.op, call, ...(anchor === undefined ? {} : { anchor }), windowMs };
  const correlated = call.correlations.length > 0;
  if ((expr.op === "no_since" || expr.op === "only_since") && (correlated || (anchor?.correlations.length ?? 0) > 0)) {
    env.report(diagnostic("AGP252", expr.span, { expr: showExpr(expr) }));
  }
  checkOutcomeSecrets(expr.op, call, undefined, env);
  if (anchor !== undefined) checkOutcomeSecrets(expr.op, anchor, undefined, env);
  let capacity: number | undefined;
  if (correlated && (expr.op === "earlier" || expr.op === "count" || expr.op === "sum")) capacity = capacityOf(expr, call, env);
  else if (expr.track !== undefined) {
    env.report(diagnostic("AGP312", expr.track.span, { op: opWord(expr) }));
  }
  switch (expr.op) {
    case "count": {
      if (ring === undefined) {
        env.report(diagnostic("AGP247", expr.span, { why: "it is not compared with a number" }));
        return { ...base, type: ERROR_TYPE };
      }
      return { ...base, type: COUNT_TYPE, ring, ...(capacity === undefined ? {} : { capacity }) } satisfies TypedPast;
    }
    case "sum": {
      const value = typeSumValue(expr, call, env, scope, typeExpr);
      checkOutcomeSecrets(expr.op, { ...call, filter: undefined }, value, env);
      const stepMs = stepOf(expr, windowMs, env);
      return { ...base, type: SUM_TYPE, value, ...(stepMs === undefined ? {} : { stepMs }), ...(capacity === undefined ? {} : { capacity }) } satisfies TypedPast;
    }
    default:
      return { ...base, type: BOOLEAN_TYPE, ...(capacity === undefined ? {} : { capacity }) } satisfies TypedPast;
  }
}

/** `exposed L within W` and `carries L`. */
export function typeLabelTest(expr: LabelExpr, env: Env): TypedExpr {
  const session = env.session;
  if (session === undefined || env.expanding.length > 0) {
    env.report(diagnostic("AGP246", expr.span, { op: `\`${expr.op}\``, where: whereNot(env) }));
    return { kind: "LabelTest", node: expr, type: ERROR_TYPE, label: expr.label.name };
  }
  session.used(expr.span);
  const name = expr.label.name;
  if (!session.labels.has(name)) {
    const help = didYouMean(name, session.labels) ?? (session.labels.size === 0
      ? "declare it: `label " + name + " on <actions>`, or give actions `\"x-agp-labels\": [\"" + name + "\"]` in their catalog"
      : `declared labels: ${[...session.labels].sort().map((l) => `\`${l}\``).join(", ")}`);
    env.report(diagnostic("AGP242", expr.label.span, { label: name }, { help }));
    return { kind: "LabelTest", node: expr, type: ERROR_TYPE, label: name };
  }
  session.tested(name);
  if (expr.window === undefined) return { kind: "LabelTest", node: expr, type: BOOLEAN_TYPE, label: name };
  checkWindow(expr.window, session.retainMs, env);
  return { kind: "LabelTest", node: expr, type: BOOLEAN_TYPE, label: name, windowMs: durationMs(expr.window) };
}

/**
 * `count … <op> n` (or `n <op> count …`): n must be a number (a literal or
 * a constant); the ring keeps the K latest times that decide the comparison.
 */
export function typeCountCompare(expr: CompareExpr, env: Env, scope: Scope, typeExpr: Typer): TypedExpr {
  const countOnLeft = isCount(expr.left);
  const countSide = (countOnLeft ? expr.left : expr.right) as PastExpr;
  const otherSide = countOnLeft ? expr.right : expr.left;
  const other = typeExpr(otherSide, env, scope);
  const literal = numberValue(other);
  const op = countOnLeft ? expr.op : flip(expr.op);
  let ring: number | undefined;
  if (literal === undefined || !["==", "!=", "<", "<=", ">", ">="].includes(op)) {
    if (other.type.kind !== "error") {
      const why = literal === undefined
        ? `\`${showExpr(otherSide)}\` is ${describeType(other.type)}, not a number literal or constant`
        : `\`${expr.op}\` is not a comparison of numbers`;
      env.report(diagnostic("AGP247", countSide.span, { why }));
    }
  } else {
    ring = ringFor(op, literal);
    if (ring > MAX_RING) {
      env.report(diagnostic("AGP247", countSide.span, { why: `comparing with ${String(literal)} needs the last ${String(ring)} times, more than ${String(MAX_RING)}` }));
      ring = undefined;
    }
  }
  const count = ring === undefined ? typePast(countSide, env, scope, typeExpr, 1) : typePast(countSide, env, scope, typeExpr, ring);
  const typed: TypedExpr = countOnLeft
    ? { kind: "Compare", node: expr, type: BOOLEAN_TYPE, op: expr.op, left: count, right: other }
    : { kind: "Compare", node: expr, type: BOOLEAN_TYPE, op: expr.op, left: other, right: count };
  return typed;
}

/** The least K such that min(count, K) decides `count <op> n`. */
export function ringFor(op: string, n: number): number {
  let k: number;
  switch (op) {
    case ">=":
    case "<":
      k = Math.ceil(n);
      break;
    case ">":
    case "<=":
      k = Math.floor(n) + 1;
      break;
    default: // == and !=
      k = Number.isInteger(n) ? n + 1 : 1;
  }
  return Math.max(1, k);
}

function flip(op: string): string {
  return op === "<" ? ">" : op === "<=" ? ">=" : op === ">" ? "<" : op === ">=" ? "<=" : op;
}

function numberValue(e: TypedExpr): number | undefined {
  if (e.kind === "Literal" && typeof e.value === "number") return e.value;
  if (e.kind === "Path" && e.resolution.kind === "constant" && e.resolution.value.kind === "literal" && typeof e.resolution.value.value === "number") {
    return e.resolution.value.value;
  }
  return undefined;
}

/** Where a session operator may not stand, for AGP246. */
function whereNot(env: Env): string {
  const condition = env.expanding[env.expanding.length - 1];
  if (condition !== undefined) return `the body of condition \`${condition.name}\``;
  return env.outer !== undefined ? "a past call's filter" : env.where;
}

function notHere(expr: PastExpr, env: Env): TypedExpr {
  const where = env.expanding.length === 0 && env.outer === undefined && expr.op === "sum" && env.where === "" ? "a summed value" : whereNot(env);
  env.report(diagnostic("AGP246", expr.span, { op: `\`${opWord(expr)}\``, where }));
  return { kind: "Past", node: expr, type: ERROR_TYPE, op: expr.op, call: { actions: [], status: "allowed", statics: [], correlations: [] }, windowMs: 0 };
}

function opWord(expr: PastExpr): string {
  return expr.op === "no_since" ? "no … since" : expr.op === "only_since" ? "only … since" : expr.op;
}

function checkWindow(window: Duration, retainMs: number, env: Env): void {
  if (durationMs(window) <= retainMs) return;
  env.report(
    diagnostic("AGP240", window.span, { what: "this window", window: show(window), retain: showMs(retainMs) }, {
      help: "shorten the window, or raise the package's `session … retain` (at most 31 days)",
    }),
  );
}

/** `1 hour`, `10 minutes` */
function show(d: Duration): string {
  return `${String(d.count)} ${d.unit}${d.count === 1 ? "" : "s"}`;
}

/** A whole number of the largest unit that divides `ms`: `24 hours`, `7 days`. */
export function showMs(ms: number): string {
  const units = [["week", UNIT_MS.week], ["day", UNIT_MS.day], ["hour", UNIT_MS.hour], ["minute", UNIT_MS.minute], ["second", UNIT_MS.second]] as const;
  for (const [unit, size] of units) {
    if (ms % size === 0) {
      const n = ms / size;
      return `${String(n)} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${String(ms)} ms`;
}

// ---------------------------------------------------------------- call patterns

/**
 * A past call: its actions (the package's catalogs), its status, and its
 * filter typed against the past call, with `current.…` and the variables
 * bound outside reading the current request; the filter's top-level
 * conjuncts are split into static ones and correlations.
 */
function typeCall(call: CallPattern, env: Env, scope: Scope, typeExpr: Typer): TypedCall {
  const actions = matchAndReport([call.pattern], env.catalogs, env.catalogs, { kind: "rule", id: env.session?.rule ?? "", packageName: env.packageName }, env.report);
  const status = call.status?.value ?? "allowed";
  if (call.filter === undefined) return { actions: actions.map((a) => a.name), status, statics: [], correlations: [] };
  const pastEnv: Env = {
    packageName: env.packageName,
    constants: env.constants,
    conditions: env.conditions,
    expanding: env.expanding,
    expansion: env.expansion,
    ...(env.owner === undefined ? {} : { owner: env.owner }),
    catalogs: env.catalogs,
    actions,
    patterns: [call.pattern],
    humanPresent: false,
    where: "a past call's filter",
    report: env.report,
    once: new Set(),
    ...(env.locate === undefined ? {} : { locate: env.locate }),
    outer: { env, scope },
  };
  const pastScope: Scope = { ...EMPTY_SCOPE, variables: scope.variables, outerVariables: new Set(scope.variables.keys()) };
  const filter = typeExpr(call.filter, pastEnv, pastScope);
  if (filter.type.kind !== "boolean" && filter.type.kind !== "error") {
    env.report(diagnostic("AGP215", call.filter.span, { what: "a past call's filter", expr: showExpr(call.filter), type: describeType(filter.type) }));
  }
  const statics: TypedExpr[] = [];
  const correlations: Correlation[] = [];
  for (const conjunct of conjuncts(filter)) {
    if (!readsCurrent(conjunct)) {
      statics.push(conjunct);
      continue;
    }
    const correlation = correlationOf(conjunct);
    if (correlation === undefined) {
      env.report(diagnostic("AGP245", conjunct.node.span, { expr: showExpr(conjunct.node) }));
      continue;
    }
    if (checkKeyTypes(correlation, env)) correlations.push(correlation);
  }
  return { actions: actions.map((a) => a.name), status, filter, statics, correlations };
}

/** `a and b and c` → [a, b, c]. */
function conjuncts(e: TypedExpr): TypedExpr[] {
  if (e.kind === "Logical" && e.op === "and") return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/** Whether an expression reads the current request (`current.…` or a variable bound outside the operator). */
export function readsCurrent(e: TypedExpr): boolean {
  switch (e.kind) {
    case "Path":
      return (e.resolution.kind === "field" || e.resolution.kind === "variable") && e.resolution.current === true;
    case "Logical":
    case "Compare":
      return readsCurrent(e.left) || readsCurrent(e.right);
    case "Not":
      return readsCurrent(e.operand);
    case "Has":
      return readsCurrent(e.path);
    case "Quantified":
      return readsCurrent(e.collection) || readsCurrent(e.body);
    case "View":
      return readsCurrent(e.arg);
    case "Call":
      // A named condition's arguments, and its body (which may read `current.…` itself).
      return e.args.some(readsCurrent) || readsCurrent(e.body);
    default:
      return false;
  }
}

function isCurrentValue(e: TypedExpr): boolean {
  return e.kind === "Path" && readsCurrent(e);
}

/** A path of the past call (not its catalog metadata, not a constant). */
function isPastField(e: TypedExpr): boolean {
  return e.kind === "Path" && e.resolution.kind === "field" && e.resolution.current !== true && e.resolution.root !== "action";
}

function correlationOf(e: TypedExpr): Correlation | undefined {
  if (e.kind !== "Compare") return undefined;
  if (e.op === "==") {
    if (isPastField(e.left) && isCurrentValue(e.right)) return { op: "eq", past: e.left, current: e.right };
    if (isCurrentValue(e.left) && isPastField(e.right)) return { op: "eq", past: e.right, current: e.left };
  }
  if (e.op === "in" && isCurrentValue(e.left) && isPastField(e.right)) return { op: "in", past: e.right, current: e.left };
  if (e.op === "contains" && isPastField(e.left) && isCurrentValue(e.right)) return { op: "in", past: e.left, current: e.right };
  return undefined;
}

/**
 * Both sides of a correlation are scalars (strings with `maxLength`,
 * numbers, booleans) that every matched action has and that are never null;
 * an `in` correlation's past side is an array of them with `maxItems`.
 */
function checkKeyTypes(c: Correlation, env: Env): boolean {
  const pastType = c.past.type;
  const pastBase = splitNull(pastType);
  const itemType = c.op === "in" ? (pastBase.base.kind === "array" ? pastBase.base.items : undefined) : pastType;
  const problems: string[] = [];
  const path = (e: TypedExpr) => showExpr(e.node);
  if (pastBase.nullable) problems.push(`\`${path(c.past)}\` may be null`);
  if (c.past.kind === "Path" && c.past.resolution.kind === "field" && !c.past.resolution.perAction.every((a) => a.required)) {
    problems.push(`\`${path(c.past)}\` is optional in some matched action`);
  }
  if (c.op === "in" && pastBase.base.kind === "array" && pastBase.base.maxItems === undefined) problems.push(`\`${path(c.past)}\` has no \`maxItems\``);
  const scalarProblem = (type: CatalogType | undefined, shown: string): string | undefined => {
    if (type === undefined) return `\`${shown}\` is not an array`;
    const { base, nullable } = splitNull(type);
    if (nullable) return `\`${shown}\` may be null`;
    if (base.kind === "string") return base.maxLength === undefined ? `\`${shown}\` has no \`maxLength\`` : undefined;
    if (base.kind === "number" || base.kind === "boolean") return undefined;
    return `\`${shown}\` is ${describeType(type)}`;
  };
  const pastProblem = scalarProblem(itemType, c.op === "in" ? `${path(c.past)}[…]` : path(c.past));
  if (pastProblem !== undefined) problems.push(pastProblem);
  const currentProblem = scalarProblem(c.current.type, path(c.current));
  if (currentProblem !== undefined) problems.push(currentProblem);
  if (c.current.kind === "Path" && c.current.resolution.kind === "field" && !c.current.resolution.perAction.every((a) => a.required)) {
    // A guard (`has current.args.x and …` outside the operator) does not reach into the filter's comparison.
    problems.push(`\`${path(c.current)}\` is optional in some action of the rule`);
  }
  if (problems.length === 0) return true;
  env.report(diagnostic("AGP251", c.past.node.span.offset < c.current.node.span.offset ? joinOf(c.past.node.span, c.current.node.span) : joinOf(c.current.node.span, c.past.node.span), { why: problems[0]! }));
  return false;
}

function joinOf(a: Span, b: Span): Span {
  return { ...a, endLine: b.endLine, endColumn: b.endColumn, endOffset: b.endOffset };
}

/**
 * The capacity of a correlated set: `track N` on the operator, else the
 * package's `track`, bounded by the number of distinct keys the catalog
 * allows (enums, booleans). Unbounded without either is AGP241.
 */
function capacityOf(expr: PastExpr, call: TypedCall, env: Env): number | undefined {
  const declared = expr.track?.value ?? env.session?.track;
  let domain = 1;
  for (const c of call.correlations) {
    const type = c.op === "in" ? arrayItems(c.past.type) : c.past.type;
    domain *= domainSize(type);
  }
  if (declared === undefined && !Number.isFinite(domain)) {
    const keys = call.correlations.map((c) => `\`${showExpr(c.past.node)}\``).join(", ");
    env.report(
      diagnostic("AGP241", expr.span, { keys }, {
        help: `say how many distinct values to keep: \`${opWord(expr)} … within … track 64\`, or \`session … track 64\` for the package`,
      }),
    );
    return undefined;
  }
  if (expr.track !== undefined && Number.isFinite(domain) && expr.track.value > domain) {
    env.report(diagnostic("AGP311", expr.track.span, { track: expr.track.value, domain }));
  }
  const capacity = Math.min(declared ?? Number.POSITIVE_INFINITY, domain);
  if (capacity > MAX_CAPACITY) {
    env.report(diagnostic("AGP253", expr.track?.span ?? expr.span, { capacity, max: MAX_CAPACITY }));
    return MAX_CAPACITY;
  }
  return capacity;
}

function arrayItems(type: CatalogType): CatalogType {
  const { base } = splitNull(type);
  return base.kind === "array" ? base.items : type;
}

/** How many distinct values a scalar type allows: enums and booleans are finite, the rest is not. */
function domainSize(type: CatalogType): number {
  const { base } = splitNull(type);
  if (base.kind === "boolean") return 2;
  if ((base.kind === "string" || base.kind === "number") && base.enum !== undefined) return new Set<unknown>(base.enum).size;
  if (base.kind === "number" && base.integer && base.minimum !== undefined && base.maximum !== undefined) return Math.floor(base.maximum) - Math.ceil(base.minimum) + 1;
  return Number.POSITIVE_INFINITY;
}

/** `sum X of …`: X is a number field of the past call (required, not null, in every matched action) or a number. */
function typeSumValue(expr: PastExpr, call: TypedCall, env: Env, scope: Scope, typeExpr: Typer): TypedExpr {
  const node = expr.value!;
  const pastEnv: Env = {
    packageName: env.packageName,
    constants: env.constants,
    conditions: env.conditions,
    expanding: env.expanding,
    expansion: env.expansion,
    ...(env.owner === undefined ? {} : { owner: env.owner }),
    catalogs: env.catalogs,
    actions: call.actions.map((a) => env.catalogs.actions.get(a)!).filter((a) => a !== undefined),
    patterns: [expr.call.pattern],
    humanPresent: false,
    where: "",
    report: env.report,
    once: new Set(),
    ...(env.locate === undefined ? {} : { locate: env.locate }),
  };
  const value = typeExpr(node, pastEnv, { ...EMPTY_SCOPE, variables: new Map() });
  if (value.type.kind === "error") return value;
  const literal = numberValue(value);
  if (literal !== undefined) return value;
  const { base, nullable } = splitNull(value.type);
  const field = value.kind === "Path" && value.resolution.kind === "field" && value.resolution.root !== "action" ? value.resolution : undefined;
  const why =
    field === undefined ? `\`${showExpr(node)}\` is not a field of the past call or a number`
    : base.kind !== "number" ? `\`${showExpr(node)}\` is ${describeType(value.type)}`
    : nullable ? `\`${showExpr(node)}\` may be null`
    : !field.perAction.every((a) => a.required) ? `\`${showExpr(node)}\` is optional in some action \`${showCall(expr.call)}\` matches`
    : undefined;
  if (why !== undefined) env.report(diagnostic("AGP248", node.span, { why }));
  return value;
}

/** A sum's bucket length: `step`, else a 24th of the window; it must divide the window into at most MAX_BUCKETS buckets. */
function stepOf(expr: PastExpr, windowMs: number, env: Env): number | undefined {
  const stepMs = expr.step === undefined ? windowMs / 24 : durationMs(expr.step);
  const span = expr.step?.span ?? expr.window.span;
  let why: string | undefined;
  if (!Number.isInteger(stepMs) || stepMs <= 0) why = `the window ${show(expr.window)} does not divide into 24 whole milliseconds; give a \`step\``;
  else if (windowMs % stepMs !== 0) why = `${show(expr.step!)} does not divide ${show(expr.window)}`;
  else if (windowMs / stepMs > MAX_BUCKETS) why = `${show(expr.window)} in steps of ${show(expr.step!)} is ${String(windowMs / stepMs)} buckets, more than ${String(MAX_BUCKETS)}`;
  if (why === undefined) return stepMs;
  env.report(diagnostic("AGP250", span, { why }));
  return undefined;
}
