/**
 * Bounds: a string a policy inspects byte-wise and an array it iterates or
 * searches must declare `maxLength` / `maxItems` in its schema, so every
 * decision has a known worst-case cost (DESIGN.md, "Bounded-time evaluation").
 *
 * In: the type of an operand and how it is used. Out: AGP216 / AGP217 naming
 * the schema file and JSON pointer (plus a related span into the catalog file
 * when the driver can locate it). Must not decide which operators need bounds
 * (compare.ts and typing.ts do).
 */
import type { SchemaLocation } from "../catalog/index.js";
import { diagnostic, type RelatedSpan } from "../diagnostics/index.js";
import type { Expr } from "../syntax/index.js";
import type { Type } from "./checked.js";
import type { Env } from "./env.js";
import { showExpr } from "./show.js";
import { splitNull } from "./types.js";

/** Reports AGP216 unless the string type has a maxLength. `op` is the operator as written. */
export function requireMaxLength(env: Env, type: Type, expr: Expr, op: string): void {
  const { base } = splitNull(type);
  if (base.kind !== "string" || base.maxLength !== undefined) return;
  const where = schemaPlace(base.location);
  env.report(
    diagnostic("AGP216", expr.span, { op, path: showExpr(expr), ...where }, { related: related(env, base.location, "the schema of `" + showExpr(expr) + "`") }),
  );
}

/** Reports AGP217 unless the array type has a maxItems. `use` says what the policy does: "`all` iterates over". */
export function requireMaxItems(env: Env, type: Type, expr: Expr, use: string): void {
  const { base } = splitNull(type);
  if (base.kind !== "array" || base.maxItems !== undefined) return;
  const where = schemaPlace(base.location);
  env.report(
    diagnostic("AGP217", expr.span, { use, path: showExpr(expr), ...where }, { related: related(env, base.location, "the schema of `" + showExpr(expr) + "`") }),
  );
}

function schemaPlace(location: SchemaLocation | undefined): { file: string; pointer: string } {
  return { file: location?.file ?? "the request shape", pointer: location?.pointer === undefined || location.pointer === "" ? "/" : location.pointer };
}

function related(env: Env, location: SchemaLocation | undefined, message: string): RelatedSpan[] | undefined {
  if (location === undefined || env.locate === undefined) return undefined;
  const span = env.locate(location);
  return span === undefined ? undefined : [{ span, message }];
}
