/**
 * Named conditions as definitions, checked once: parameters, cycles, and
 * how big a use can grow once expanded.
 *
 * In: one package's named conditions (and constants). Out: AGP266 for a
 * condition that uses itself, through others or directly, with the cycle
 * shown (once per cycle, at its first definition in source order, every
 * use on the cycle a related span); AGP267 for a parameter that hides a
 * constant, a condition, a request root or a built-in; AGP268 for a
 * condition whose expansion would be larger than MAX_EXPANDED_NODES or
 * nest deeper than MAX_TREE_DEPTH. Conditions in a cycle or over the
 * bound are marked so uses never expand them. Typing the body happens at
 * each use (calls.ts), since the argument types and the actions are the
 * use's. Must not type expressions.
 */
import { diagnostic, type Diagnostic, type RelatedSpan } from "../diagnostics/index.js";
import { MAX_TREE_DEPTH, type ConditionDecl, type Expr, type Span } from "../syntax/index.js";
import { REQUEST_ROOTS } from "./checked.js";
import type { ConditionInfo, ConstantInfo } from "./env.js";
import { isViewName } from "./views.js";

/** The most nodes one use of a condition may expand to, and one rule's or limit's condition in all. */
export const MAX_EXPANDED_NODES = 200_000;

/** A use of a condition inside a body: the callee and where. */
interface Use {
  readonly name: string;
  readonly span: Span;
}

/** Checks a package's conditions; returns the names that must never be expanded. */
export function checkConditions(
  conditions: ReadonlyMap<string, ConditionInfo>,
  constants: ReadonlyMap<string, ConstantInfo>,
  report: (d: Diagnostic) => void,
): Set<string> {
  const blocked = new Set<string>();
  const uses = new Map<string, Use[]>();
  for (const condition of conditions.values()) {
    checkParams(condition.decl, conditions, constants, report);
    const params = new Set(condition.decl.params.map((p) => p.name));
    uses.set(condition.name, usesIn(condition.decl.body, params, conditions, constants));
  }
  for (const cycle of cycles(conditions, uses)) {
    for (const name of cycle) {
      blocked.add(name);
      conditions.get(name)!.expandedNodes = undefined;
    }
    const first = cycle[0]!;
    const shown = [...cycle, first].map((n) => `\`${n}\``).join(" → ");
    const related: RelatedSpan[] = cycle.map((name, i) => {
      const next = cycle[(i + 1) % cycle.length]!;
      const use = uses.get(name)!.find((u) => u.name === next)!;
      return { span: use.span, message: `\`${name}\` uses \`${next}\` here` };
    });
    report(diagnostic("AGP266", conditions.get(first)!.decl.name.span, { name: first, cycle: shown }, { related }));
  }
  const sizes = new Map<string, { nodes: number; depth: number }>();
  for (const condition of conditions.values()) {
    if (blocked.has(condition.name)) continue;
    const size = expandedSize(condition.name, conditions, uses, blocked, sizes, []);
    condition.expandedNodes = size.nodes;
    if (size.nodes > MAX_EXPANDED_NODES || size.depth > MAX_TREE_DEPTH) {
      condition.expandedNodes = undefined;
      blocked.add(condition.name);
      const why =
        size.nodes > MAX_EXPANDED_NODES
          ? `expanded, it holds more than ${MAX_EXPANDED_NODES} nodes`
          : `expanded, it nests more than ${MAX_TREE_DEPTH} levels deep`;
      report(diagnostic("AGP268", condition.decl.name.span, { name: condition.name, why }));
    }
  }
  return blocked;
}

/** A parameter must not hide a name the body could otherwise read (AGP267). */
function checkParams(
  decl: ConditionDecl,
  conditions: ReadonlyMap<string, ConditionInfo>,
  constants: ReadonlyMap<string, ConstantInfo>,
  report: (d: Diagnostic) => void,
): void {
  for (const param of decl.params) {
    const name = param.name;
    const what = constants.has(name)
      ? `the constant \`${name}\``
      : conditions.has(name)
        ? `the condition \`${name}\``
        : (REQUEST_ROOTS as readonly string[]).includes(name)
          ? `the request's \`${name}\``
          : isViewName(name)
            ? `the built-in function \`${name}\``
            : undefined;
    if (what !== undefined) report(diagnostic("AGP267", param.span, { name, what }, { help: "rename the parameter" }));
  }
}

/** The conditions a body uses (bare names and calls), outside what its parameters and quantifiers bind. */
function usesIn(
  body: Expr,
  params: ReadonlySet<string>,
  conditions: ReadonlyMap<string, ConditionInfo>,
  constants: ReadonlyMap<string, ConstantInfo>,
): Use[] {
  const found: Use[] = [];
  const visit = (expr: Expr, bound: ReadonlySet<string>): void => {
    switch (expr.kind) {
      case "Path": {
        const name = expr.root.name;
        if (expr.fields.length === 0 && !bound.has(name) && !constants.has(name) && conditions.has(name)) found.push({ name, span: expr.span });
        return;
      }
      case "Call":
        if (!bound.has(expr.callee.name) && conditions.has(expr.callee.name)) found.push({ name: expr.callee.name, span: expr.span });
        for (const arg of expr.args) visit(arg, bound);
        return;
      case "Logical":
      case "Compare":
        visit(expr.left, bound);
        visit(expr.right, bound);
        return;
      case "Not":
        visit(expr.operand, bound);
        return;
      case "Quantified":
        visit(expr.collection, bound);
        visit(expr.body, new Set([...bound, expr.variable.name]));
        return;
      default:
        return;
    }
  };
  visit(body, params);
  return found;
}

/** Every cycle of the "uses" graph, each once, starting at its first member in definition order. */
function cycles(conditions: ReadonlyMap<string, ConditionInfo>, uses: ReadonlyMap<string, readonly Use[]>): string[][] {
  const order = [...conditions.keys()];
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, "active");
    stack.push(name);
    for (const use of uses.get(name) ?? []) {
      const s = state.get(use.name);
      if (s === "active") {
        const cycle = stack.slice(stack.indexOf(use.name));
        const start = cycle.reduce((best, n) => (order.indexOf(n) < order.indexOf(best) ? n : best));
        const rotated = [...cycle.slice(cycle.indexOf(start)), ...cycle.slice(0, cycle.indexOf(start))];
        const key = rotated.join("\u0000");
        if (!seen.has(key)) {
          seen.add(key);
          found.push(rotated);
        }
      } else if (s === undefined) visit(use.name);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of order) if (!state.has(name)) visit(name);
  return found;
}

/** Nodes and depth of a condition's body with every use expanded (memoized; blocked uses count as one node). */
function expandedSize(
  name: string,
  conditions: ReadonlyMap<string, ConditionInfo>,
  uses: ReadonlyMap<string, readonly Use[]>,
  blocked: ReadonlySet<string>,
  memo: Map<string, { nodes: number; depth: number }>,
  path: readonly string[],
): { nodes: number; depth: number } {
  const known = memo.get(name);
  if (known !== undefined) return known;
  const condition = conditions.get(name)!;
  const own = measure(condition.decl.body);
  let nodes = own.nodes;
  let depth = own.depth;
  for (const use of uses.get(name) ?? []) {
    if (blocked.has(use.name) || path.includes(use.name)) continue;
    const inner = expandedSize(use.name, conditions, uses, blocked, memo, [...path, name]);
    nodes += inner.nodes;
    depth = Math.max(depth, own.depth + inner.depth);
    if (nodes > MAX_EXPANDED_NODES) break;
  }
  const size = { nodes, depth };
  memo.set(name, size);
  return size;
}

/** Nodes and depth of an expression as written (iterative: a long `and` chain is a wide tree). */
export function measure(expr: Expr): { nodes: number; depth: number } {
  let nodes = 0;
  let depth = 0;
  const stack: { value: unknown; level: number }[] = [{ value: expr, level: 0 }];
  while (stack.length > 0) {
    const { value, level } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    const node = value as { kind?: unknown };
    const here = typeof node.kind === "string" ? level + 1 : level;
    if (typeof node.kind === "string") {
      nodes++;
      depth = Math.max(depth, here);
    }
    for (const [key, child] of Object.entries(value)) {
      if (key !== "span" && child !== null && typeof child === "object") stack.push({ value: child, level: here });
    }
  }
  return { nodes, depth };
}
