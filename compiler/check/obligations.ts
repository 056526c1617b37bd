/**
 * Obligations (`with key = value`): names and values against the catalogs'
 * `obligations` declarations, constants resolved.
 *
 * In: a rule's obligations, its package's constants, every declaration of
 * the loaded catalogs. Out: the resolved obligations of the rule; reports a
 * name no catalog declares when some catalog declares obligations (AGP260,
 * with a did-you-mean), a value of the wrong type (AGP261) or outside the
 * declared values (AGP262), a value that names no constant (AGP264), the
 * reserved `__proto__` (AGP236) and repeats (AGP230). Across rules
 * (`checkObligationUses`): undeclared names get AGP315 (once per name), and
 * two rules giving one undeclared name values of different types AGP263:
 * such a pair could only ever be merged into an `obligation_conflict` deny.
 * Must not merge values (the engines do, by the declared rule).
 */
import type { ObligationDecl, SchemaLocation } from "../catalog/index.js";
import { diagnostic, didYouMean, type Diagnostic, type RelatedSpan } from "../diagnostics/index.js";
import type { Obligation, RuleDecl, Span } from "../syntax/index.js";
import type { CheckedObligation, ObligationValue } from "./checked.js";
import type { ConditionInfo, ConstantInfo } from "./env.js";
import { showExpr } from "./show.js";

/** What checking one rule's obligations needs. */
export interface ObligationContext {
  readonly constants: ReadonlyMap<string, ConstantInfo>;
  readonly conditions: ReadonlyMap<string, ConditionInfo>;
  /** Every declaration of every loaded catalog; undefined when no catalog declares any. */
  readonly declared?: ReadonlyMap<string, ObligationDecl>;
  readonly report: (d: Diagnostic) => void;
  readonly locate?: (location: SchemaLocation) => Span | undefined;
}

/** One resolved obligation and where it was written, for the checks across rules. */
export interface ObligationUse extends CheckedObligation {
  readonly rule: string;
  readonly span: Span;
}

/** Resolves and checks the obligations of one rule. */
export function checkObligations(rule: RuleDecl, ctx: ObligationContext, uses: ObligationUse[]): CheckedObligation[] {
  const seen = new Map<string, Span>();
  const checked: CheckedObligation[] = [];
  for (const obligation of rule.obligations) {
    const key = obligation.key.name;
    // Gateways read obligations as object keys; in JavaScript this one would set the prototype.
    if (key === "__proto__") ctx.report(diagnostic("AGP236", obligation.key.span, { key }));
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      ctx.report(diagnostic("AGP230", obligation.key.span, { key }, { related: [{ span: earlier, message: "first given here" }] }));
      continue;
    }
    seen.set(key, obligation.key.span);
    const value = resolveValue(obligation, ctx);
    if (value === undefined) continue;
    if (!declaredFits(obligation, value, ctx)) continue;
    checked.push({ key, value });
    uses.push({ key, value, rule: rule.id.name, span: obligation.span });
  }
  return checked;
}

/** The value as written, or the constant it names; sets are sorted and distinct. */
function resolveValue(obligation: Obligation, ctx: ObligationContext): ObligationValue | undefined {
  const value = obligation.value;
  switch (value.kind) {
    case "String":
    case "Number":
    case "Boolean":
      return value.value;
    case "Null":
      return null;
    case "Set": {
      const members = value.elements.map((e) => (e.kind === "Null" ? null : e.value));
      return stringSet(members, obligation, ctx);
    }
    case "Path": {
      const name = value.root.name;
      const constant = ctx.constants.get(name);
      if (constant === undefined) {
        const what = ctx.conditions.has(name) ? "a named condition" : "not a constant of the package";
        const help = ctx.conditions.has(name) ? "an obligation's value is a literal, a set or a constant" : didYouMean(name, ctx.constants.keys());
        ctx.report(diagnostic("AGP264", value.span, { name, what }, help === undefined ? {} : { help }));
        return undefined;
      }
      constant.used = true;
      return constant.value.kind === "literal" ? constant.value.value : stringSet(constant.value.values, obligation, ctx);
    }
  }
}

function stringSet(members: readonly (string | number | boolean | null)[], obligation: Obligation, ctx: ObligationContext): readonly string[] | undefined {
  if (!members.every((m): m is string => typeof m === "string")) {
    ctx.report(
      diagnostic("AGP261", obligation.value.span, {
        key: obligation.key.name,
        expected: "a set of strings",
        value: showValue(obligation),
        found: "a set of other values",
      }),
    );
    return undefined;
  }
  return [...new Set(members)].sort();
}

const TYPE_TEXT: Readonly<Record<ObligationDecl["type"], string>> = {
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  string: "a string",
  set: "a set of strings (`{\"a\", \"b\"}`)",
};

/** Checks a value against the declaration of its name; true when it may be used. */
function declaredFits(obligation: Obligation, value: ObligationValue, ctx: ObligationContext): boolean {
  const key = obligation.key.name;
  if (ctx.declared === undefined) return true;
  const decl = ctx.declared.get(key);
  if (decl === undefined) {
    const help = didYouMean(key, ctx.declared.keys()) ?? "declare it in a catalog's `obligations` section (docs/catalogs.md)";
    ctx.report(diagnostic("AGP260", obligation.key.span, { key }, { help }));
    return false;
  }
  const related = declaredAt(decl, ctx);
  if (value === null) return true;
  if (kindOf(value) !== decl.type && !(decl.type === "number" && kindOf(value) === "integer")) {
    ctx.report(
      diagnostic("AGP261", obligation.value.span, { key, expected: TYPE_TEXT[decl.type], value: showValue(obligation), found: describe(value) }, related),
    );
    return false;
  }
  if (decl.enum !== undefined) {
    const outside = (Array.isArray(value) ? value : [value]).find((v) => typeof v === "string" && !decl.enum!.includes(v));
    if (outside !== undefined) {
      const help = didYouMean(String(outside), decl.enum) ?? `the values are ${decl.enum.map((m) => `\`${m}\``).join(", ")}`;
      ctx.report(diagnostic("AGP262", obligation.value.span, { key, value: String(outside) }, { help, ...related }));
      return false;
    }
  }
  return true;
}

function declaredAt(decl: ObligationDecl, ctx: ObligationContext): { related?: RelatedSpan[] } {
  const span = ctx.locate?.(decl.location);
  return span === undefined ? {} : { related: [{ span, message: `\`${decl.name}\` is declared here` }] };
}

/** The declared type a value has: integers are numbers too. */
function kindOf(value: Exclude<ObligationValue, null>): ObligationDecl["type"] {
  if (Array.isArray(value)) return "set";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as "boolean" | "string";
}

function describe(value: Exclude<ObligationValue, null>): string {
  if (Array.isArray(value)) return "a set";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return typeof value === "string" ? "a string" : "a boolean";
}

function showValue(obligation: Obligation): string {
  return showExpr(obligation.value);
}

/**
 * Checks across every rule: undeclared names (when no catalog declares any
 * obligation) get AGP315 at their first use, and must be given values of one
 * type everywhere (AGP263).
 */
export function checkObligationUses(uses: readonly ObligationUse[], declared: boolean, report: (d: Diagnostic) => void): void {
  if (declared) return;
  const first = new Map<string, ObligationUse>();
  const ordered = [...uses].sort((a, b) => (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.offset - b.span.offset));
  for (const use of ordered) {
    if (use.value === null) continue;
    const earlier = first.get(use.key);
    if (earlier === undefined) {
      first.set(use.key, use);
      report(diagnostic("AGP315", use.span, { key: use.key }));
      continue;
    }
    const a = family(earlier.value as Exclude<ObligationValue, null>);
    const b = family(use.value);
    if (a !== b) {
      report(
        diagnostic("AGP263", use.span, { key: use.key, rule: use.rule, other: earlier.rule, type: a, found: b }, {
          related: [{ span: earlier.span, message: `\`${earlier.rule}\` gives \`${use.key}\` ${a} here` }],
        }),
      );
    }
  }
}

function family(value: Exclude<ObligationValue, null>): string {
  if (Array.isArray(value)) return "a set";
  return typeof value === "number" ? "a number" : typeof value === "string" ? "a string" : "a boolean";
}
