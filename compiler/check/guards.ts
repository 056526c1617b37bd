/**
 * Guard facts: what a condition establishes about presence and nullness
 * for the expressions evaluated after it.
 *
 * In: an AST expression. Out: the path keys known present (`has p`) or not
 * null (`p != null`) when the expression is true (`whenTrue`) or false
 * (`whenFalse`). `a and b` checks `b` under `whenTrue(a)`; `a or b` checks
 * `b` under `whenFalse(a)`; a use of a named condition establishes what its
 * body does. Syntactic; must not report anything.
 */
import type { ConditionDecl, Expr, Literal } from "../syntax/index.js";
import { pathKey, type Env, type Scope } from "./env.js";

export interface Facts {
  readonly present: ReadonlySet<string>;
  readonly nonNull: ReadonlySet<string>;
}

/**
 * The named condition a bare name or a call uses, when it names one there
 * (not a variable or constant). Guards flow out of a condition's body as
 * they would out of the body written in place; without a lookup, uses of
 * conditions establish nothing.
 */
export type ConditionLookup = (name: string) => ConditionDecl | undefined;

const NONE: Facts = { present: new Set(), nonNull: new Set() };

/** The lookup for expressions typed in `env` and `scope`. */
export function guardLookup(env: Env, scope: Scope): ConditionLookup {
  return (name) => (scope.variables.has(name) || env.constants.has(name) ? undefined : env.conditions.get(name)?.decl);
}

export function whenTrue(expr: Expr, lookup?: ConditionLookup, expanding: readonly string[] = []): Facts {
  switch (expr.kind) {
    case "Has": {
      // `has args.a.b` means every link of the chain is present.
      const parts = [expr.path.root.name, ...expr.path.fields.map((f) => f.name)];
      const present = new Set<string>();
      for (let i = 1; i <= parts.length; i++) present.add(parts.slice(0, i).join("."));
      return { present, nonNull: new Set() };
    }
    case "Logical":
      return expr.op === "and"
        ? union(whenTrue(expr.left, lookup, expanding), whenTrue(expr.right, lookup, expanding))
        : intersect(whenTrue(expr.left, lookup, expanding), whenTrue(expr.right, lookup, expanding));
    case "Not":
      return whenFalse(expr.operand, lookup, expanding);
    case "Compare":
      return expr.op === "!=" ? nullTest(expr.left, expr.right) : NONE;
    case "Path":
    case "Call":
      return throughCondition(expr, lookup, expanding, whenTrue);
    default:
      return NONE;
  }
}

export function whenFalse(expr: Expr, lookup?: ConditionLookup, expanding: readonly string[] = []): Facts {
  switch (expr.kind) {
    case "Logical":
      return expr.op === "or"
        ? union(whenFalse(expr.left, lookup, expanding), whenFalse(expr.right, lookup, expanding))
        : intersect(whenFalse(expr.left, lookup, expanding), whenFalse(expr.right, lookup, expanding));
    case "Not":
      return whenTrue(expr.operand, lookup, expanding);
    case "Compare":
      return expr.op === "==" ? nullTest(expr.left, expr.right) : NONE;
    case "Path":
    case "Call":
      return throughCondition(expr, lookup, expanding, whenFalse);
    default:
      return NONE;
  }
}

/**
 * The facts of a use of a named condition: those of its body, with facts
 * about a parameter turned into facts about its argument (when that is a
 * path) and other facts about parameters dropped.
 */
function throughCondition(
  expr: Extract<Expr, { kind: "Path" | "Call" }>,
  lookup: ConditionLookup | undefined,
  expanding: readonly string[],
  facts: (e: Expr, l?: ConditionLookup, x?: readonly string[]) => Facts,
): Facts {
  if (lookup === undefined) return NONE;
  const name = expr.kind === "Call" ? expr.callee.name : expr.fields.length === 0 ? expr.root.name : undefined;
  const decl = name === undefined ? undefined : lookup(name);
  const args = expr.kind === "Call" ? expr.args : [];
  if (decl === undefined || name === undefined || expanding.includes(name) || decl.params.length !== args.length) return NONE;
  const inner = facts(decl.body, lookup, [...expanding, name]);
  const params = decl.params.map((p) => p.name);
  const rename = (key: string): string | undefined => {
    const [root] = key.split(".");
    const i = params.indexOf(root!);
    if (i < 0) return key;
    const arg = args[i];
    return arg?.kind === "Path" ? `${pathKey(arg)}${key.slice(root!.length)}` : undefined;
  };
  const map = (keys: ReadonlySet<string>) => new Set([...keys].flatMap((k) => rename(k) ?? []));
  return { present: map(inner.present), nonNull: map(inner.nonNull) };
}

/** `p != null` (or `null != p`): p is not null. */
function nullTest(left: Expr, right: Expr): Facts {
  const path = left.kind === "Path" && isNull(right) ? left : right.kind === "Path" && isNull(left) ? right : undefined;
  return path === undefined ? NONE : { present: new Set(), nonNull: new Set([pathKey(path)]) };
}

function isNull(expr: Expr): expr is Literal {
  return expr.kind === "Null";
}

function union(a: Facts, b: Facts): Facts {
  return { present: new Set([...a.present, ...b.present]), nonNull: new Set([...a.nonNull, ...b.nonNull]) };
}

function intersect(a: Facts, b: Facts): Facts {
  return {
    present: new Set([...a.present].filter((k) => b.present.has(k))),
    nonNull: new Set([...a.nonNull].filter((k) => b.nonNull.has(k))),
  };
}

/** The scope extended with facts. */
export function assume(scope: Scope, facts: Facts): Scope {
  if (facts.present.size === 0 && facts.nonNull.size === 0) return scope;
  return {
    ...scope,
    present: new Set([...scope.present, ...facts.present]),
    nonNull: new Set([...scope.nonNull, ...facts.nonNull]),
  };
}
