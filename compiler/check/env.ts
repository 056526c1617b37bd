/**
 * What the expression checker knows while it checks one condition: the
 * package's constants, the actions the pattern matched, whether a human is
 * surely present, the quantifier variables in scope and the facts that
 * guards (`has p`, `p != null`) established on the way to the expression.
 *
 * In: built by rules.ts per rule / limit. Out: read by resolve.ts and
 * typing.ts. Must not report anything itself.
 */
import type { ActionEntry, CatalogSet, SchemaLocation } from "../catalog/index.js";
import type { Diagnostic } from "../diagnostics/index.js";
import type { ActionPattern, Path, Span } from "../syntax/index.js";
import type { ConstantValue, Type } from "./checked.js";
import type { ConditionDecl, LetDecl } from "../syntax/index.js";

/** A `let` of a package, with its type and whether anything read it. */
export interface ConstantInfo {
  readonly name: string;
  readonly package: string;
  readonly file: string;
  readonly decl: LetDecl;
  readonly value: ConstantValue;
  readonly type: Type;
  used: boolean;
}

/** A named condition of a package (`let name(params) = body`), and whether anything used it. */
export interface ConditionInfo {
  readonly name: string;
  readonly package: string;
  readonly file: string;
  readonly decl: ConditionDecl;
  used: boolean;
  /** Problems already reported inside the body (code, place, message): each once, whatever the uses. */
  readonly reported: Set<string>;
  /** Nodes of the body with every use expanded (conditions.ts), or undefined when it must not be expanded (a cycle, too big). */
  expandedNodes?: number;
}

/** Fixed for one rule or limit. */
export interface Env {
  readonly packageName: string;
  readonly constants: ReadonlyMap<string, ConstantInfo>;
  readonly conditions: ReadonlyMap<string, ConditionInfo>;
  /**
   * The named conditions being expanded around the expression now being
   * typed, innermost last, each with the use that expanded it: a cycle is
   * never expanded twice, and errors inside a body also point at the use.
   */
  readonly expanding: readonly { readonly name: string; readonly use: Span }[];
  readonly catalogs: CatalogSet;
  /** The actions the patterns matched, sorted by name. */
  readonly actions: readonly ActionEntry[];
  /** The rule's or limit's patterns (one, or the members of a `{…}` list). */
  readonly patterns: readonly ActionPattern[];
  /** True in rules `for human`: `human.*` is then always present. */
  readonly humanPresent: boolean;
  /** "rules for the agent" / "limits": where the human may be absent, for messages. */
  readonly where: string;
  /** "rule `x`" / "limit `x`": whose expression is being typed, for messages about uses of conditions. */
  readonly owner?: string;
  /** Nodes the uses of named conditions may still expand to in this rule or limit (MAX_EXPANDED_NODES in all). */
  readonly expansion: { left: number };
  readonly report: (d: Diagnostic) => void;
  /** Problems already reported for this rule or limit that should be reported once per rule (AGP219 per path). */
  readonly once: Set<string>;
  /** Maps a schema location to a span in the catalog file, when the driver can. */
  readonly locate?: (location: SchemaLocation) => Span | undefined;
  /**
   * What session operators may use here (docs/decisions/0024-session-rules.md);
   * absent where they are not allowed (limits, labels, filters).
   */
  readonly session?: SessionEnv;
  /** Inside a past call's filter: the rule's env and scope, which `current.…` and outer variables read. */
  readonly outer?: { readonly env: Env; readonly scope: Scope };
}

/** The package's session settings, the labels declared anywhere, and where uses are recorded. */
export interface SessionEnv {
  /** The rule being checked (for messages about its patterns). */
  readonly rule: string;
  readonly retainMs: number;
  /** The package's default `track`. */
  readonly track?: number;
  readonly labels: ReadonlySet<string>;
  /** Called for each session operator or label test, so the set checks its session key once. */
  readonly used: (span: Span) => void;
  /** Called for each label a rule tests (for the unused-label warning). */
  readonly tested: (label: string) => void;
}

/** Changes as the checker descends into an expression. */
export interface Scope {
  /** Quantifier variables: name → element type. */
  readonly variables: ReadonlyMap<string, Type>;
  /** Path keys known present (`has p` held): "args.labels", "human". */
  readonly present: ReadonlySet<string>;
  /** Path keys known not null (`p != null` held). */
  readonly nonNull: ReadonlySet<string>;
  /** Inside a past call's filter: the variables bound outside the operator (they read the current request). */
  readonly outerVariables?: ReadonlySet<string>;
}

export const EMPTY_SCOPE: Scope = { variables: new Map(), present: new Set(), nonNull: new Set() };

/** "args.pr.number" for a path; the key guards are recorded under. */
export function pathKey(path: Path): string {
  return [path.root.name, ...path.fields.map((f) => f.name)].join(".");
}

/** The author's spelling of a pattern: `*`, `aws.*`, `github.pull_request.merge`. */
export function patternText(pattern: ActionPattern): string {
  return pattern.wildcard ? [...pattern.segments, "*"].join(".") : pattern.segments.join(".");
}

/** The spelling of a rule's patterns: `aws.*`, or `{deploy.*, aws.*}` for a list. */
export function patternsText(patterns: readonly ActionPattern[]): string {
  return patterns.length === 1 ? patternText(patterns[0]!) : `{${patterns.map(patternText).join(", ")}}`;
}

/** Whether a pattern covers an action name: exact, `prefix.*` for names under the prefix, `*` for all. */
export function patternCovers(pattern: ActionPattern, action: string): boolean {
  const prefix = pattern.segments.join(".");
  if (!pattern.wildcard) return action === prefix;
  return prefix === "" || action.startsWith(`${prefix}.`);
}

/** "`aws.s3.get_object` (matched by `aws.*`)" or "`github.pull_request.open`". */
export function actionOwner(env: Env, action: string): string {
  const by = env.patterns.find((p) => patternCovers(p, action)) ?? env.patterns[0];
  return by !== undefined && (by.wildcard || env.patterns.length > 1)
    ? `\`${action}\` (matched by \`${patternText(by)}\`)`
    : `\`${action}\``;
}
