/**
 * Guard facts: what a condition establishes about presence and nullness
 * for the expressions evaluated after it.
 *
 * In: an AST expression. Out: the path keys known present (`has p`) or not
 * null (`p != null`) when the expression is true (`whenTrue`) or false
 * (`whenFalse`). `a and b` checks `b` under `whenTrue(a)`; `a or b` checks
 * `b` under `whenFalse(a)`. Purely syntactic; must not report anything.
 */
import type { Expr, Literal } from "../syntax/index.js";
import { pathKey, type Scope } from "./env.js";

export interface Facts {
  readonly present: ReadonlySet<string>;
  readonly nonNull: ReadonlySet<string>;
}

const NONE: Facts = { present: new Set(), nonNull: new Set() };

export function whenTrue(expr: Expr): Facts {
  switch (expr.kind) {
    case "Has": {
      // `has args.a.b` means every link of the chain is present.
      const parts = [expr.path.root.name, ...expr.path.fields.map((f) => f.name)];
      const present = new Set<string>();
      for (let i = 1; i <= parts.length; i++) present.add(parts.slice(0, i).join("."));
      return { present, nonNull: new Set() };
    }
    case "Logical":
      return expr.op === "and" ? union(whenTrue(expr.left), whenTrue(expr.right)) : intersect(whenTrue(expr.left), whenTrue(expr.right));
    case "Not":
      return whenFalse(expr.operand);
    case "Compare":
      return expr.op === "!=" ? nullTest(expr.left, expr.right) : NONE;
    default:
      return NONE;
  }
}

export function whenFalse(expr: Expr): Facts {
  switch (expr.kind) {
    case "Logical":
      return expr.op === "or" ? union(whenFalse(expr.left), whenFalse(expr.right)) : intersect(whenFalse(expr.left), whenFalse(expr.right));
    case "Not":
      return whenTrue(expr.operand);
    case "Compare":
      return expr.op === "==" ? nullTest(expr.left, expr.right) : NONE;
    default:
      return NONE;
  }
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
