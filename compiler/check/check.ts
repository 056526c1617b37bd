/**
 * The type checker's entry point: one policy set in, diagnostics and the
 * checked policy set out.
 *
 * In: parsed files and the loaded catalogs (one merged `CatalogSet`, plus
 * optionally which catalog files each package names). Out: every diagnostic
 * of every file (AGP2xx errors, AGP3xx warnings), sorted, and the
 * `CheckedPolicySet` later stages consume (see checked.ts).
 * Must not read files (project.ts does) or throw for user mistakes.
 */
import type { CatalogSet, SchemaLocation } from "../catalog/index.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import type { PolicyFile, Span } from "../syntax/index.js";
import type { CheckedCondition, CheckedConstant, CheckedLabel, CheckedLimit, CheckedPackage, CheckedPolicySet, CheckedRule } from "./checked.js";
import { checkConditions } from "./conditions.js";
import { checkObligationUses, type ObligationUse } from "./obligations.js";
import { collectDeclarations } from "./declarations.js";
import { subsetCatalogs } from "./patterns.js";
import { checkLimit, checkRule, type PackageContext } from "./rules.js";
import { catalogLabels, checkedSession, checkLabel, declaredLabels, SessionUses, unusedLabels } from "./session.js";
import { checkTests } from "./tests.js";
import { neverMatching, pointless, unmentionedActions, unusedConstants } from "./warnings.js";

export interface CheckInput {
  readonly files: readonly PolicyFile[];
  /** Every catalog the policy set names, merged (the request shape comes from here). */
  readonly catalogs: CatalogSet;
  /**
   * Package name → the `Catalog.file`s its `actions` statements name. A
   * package resolves patterns and fields only against its own catalogs.
   * Absent: every package sees every catalog (handy in unit tests).
   */
  readonly packageCatalogs?: ReadonlyMap<string, readonly string[]>;
  /**
   * Packages some of whose catalogs could not be loaded (their errors are
   * reported by the catalog loader): patterns that match nothing there are
   * not reported again as unknown actions.
   */
  readonly incomplete?: ReadonlySet<string>;
  /**
   * Earlier stages (reading, parsing, catalogs) reported errors: statements
   * may be missing, so the whole-policy warnings (never matching, pointless,
   * unused) are withheld, as they are when the checker finds errors.
   */
  readonly earlierErrors?: boolean;
  /**
   * Approver groups declared besides those of the catalogs (`CatalogSet.groups`);
   * when neither declares any, any group name is accepted.
   */
  readonly groups?: readonly string[];
  /** Maps a schema location to a span in its catalog file, for related spans and AGP305. */
  readonly locate?: (location: SchemaLocation) => Span | undefined;
}

export interface CheckOptions {
  /** Warnings become errors, except AGP305 (reported only). */
  readonly strict?: boolean;
}

export interface CheckResult {
  /** Sorted by file and position; exact repeats dropped. */
  readonly diagnostics: Diagnostic[];
  /** Always present; only meaningful when `diagnostics` has no errors. */
  readonly checked: CheckedPolicySet;
}

/** Codes that stay warnings under --strict. */
export const REPORTED_ONLY: ReadonlySet<string> = new Set(["AGP305"]);

export function check(input: CheckInput, options: CheckOptions = {}): CheckResult {
  const reported: Diagnostic[] = [];
  const report = (d: Diagnostic) => reported.push(d);
  const declarations = collectDeclarations(input.files, report);
  const rules: CheckedRule[] = [];
  const limits: CheckedLimit[] = [];
  const packages: CheckedPackage[] = [];
  const constants: CheckedConstant[] = [];
  const labels: CheckedLabel[] = [];
  const sessions = new SessionUses(declaredLabels(declarations.packages.values(), input.catalogs));
  const conditions: CheckedCondition[] = [];
  const obligationUses: ObligationUse[] = [];
  const groups =
    input.groups === undefined && input.catalogs.groups === undefined
      ? undefined
      : [...(input.groups ?? []), ...(input.catalogs.groups ?? [])];
  for (const pkg of declarations.packages.values()) {
    const files = input.packageCatalogs?.get(pkg.name);
    const ctx: PackageContext = {
      pkg,
      catalogs: subsetCatalogs(input.catalogs, files ?? (input.packageCatalogs === undefined ? undefined : [])),
      all: input.catalogs,
      incomplete: input.incomplete?.has(pkg.name) === true,
      report,
      ...(groups === undefined ? {} : { groups }),
      ...(input.locate === undefined ? {} : { locate: input.locate }),
      sessions,
      obligationUses,
    };
    checkConditions(pkg.conditions, pkg.constants, report);
    for (const { decl, file } of pkg.rules) rules.push(checkRule(decl, file, ctx));
    for (const { decl, file } of pkg.limits) limits.push(checkLimit(decl, file, ctx));
    for (const { decl, file } of pkg.labels) labels.push(checkLabel(decl, file, pkg, ctx.catalogs, input.catalogs, report));
    packages.push({
      name: pkg.name,
      delegation: pkg.delegation,
      catalogs: [...new Set(files ?? input.catalogs.catalogs.map((c) => c.file))],
      files: pkg.files,
    });
    for (const c of pkg.constants.values()) {
      constants.push({ name: c.name, package: c.package, file: c.file, value: c.value, type: c.type, decl: c.decl });
    }
    for (const c of pkg.conditions.values()) {
      conditions.push({ name: c.name, package: c.package, file: c.file, params: c.decl.params.map((p) => p.name), decl: c.decl });
    }
  }
  checkObligationUses(obligationUses, input.catalogs.obligations !== undefined, report);
  checkTests(
    declarations.tests,
    {
      rules: new Set(declarations.ruleIds.keys()),
      limits: new Set(declarations.limitIds.keys()),
      fixtures: declarations.fixtures,
      catalogs: input.catalogs,
      incomplete: (input.incomplete?.size ?? 0) > 0,
    },
    report,
  );
  labels.push(...catalogLabels(input.catalogs));
  const session = checkedSession([...declarations.packages.values()], sessions, input.catalogs, report);
  const warnings: Diagnostic[] = reported.filter((d) => d.severity === "warning");
  const warn = (d: Diagnostic) => warnings.push(d);
  const hard = reported.filter((d) => d.severity === "error");
  if (!hasErrors(hard) && input.earlierErrors !== true) {
    // INVARIANT: whole-policy warnings reason about types, so they run only on a well-typed set.
    neverMatching(rules, limits, warn);
    pointless(rules, warn);
    for (const pkg of declarations.packages.values()) unusedConstants(pkg.constants.values(), pkg.conditions.values(), warn);
    unusedLabels(declarations.packages.values(), sessions, warn);
  }
  // Statements that failed to parse may name actions: "no rule mentions it" would then be wrong.
  if (input.earlierErrors !== true) unmentionedActions(input.catalogs, rules, warn, input.locate);
  let diagnostics = sortDiagnostics([...hard, ...warnings].map(visible));
  if (options.strict === true) {
    diagnostics = diagnostics.map((d) => (d.severity === "warning" && !REPORTED_ONLY.has(d.code) ? { ...d, severity: "error" } : d));
  }
  return {
    diagnostics,
    checked: {
      packages,
      constants,
      conditions,
      rules,
      limits,
      tests: declarations.tests,
      labels,
      ...(session === undefined ? {} : { session }),
      ...(input.catalogs.obligations === undefined ? {} : { obligations: input.catalogs.obligations }),
    },
  };
}

/** Control, line-separator and bidirectional characters a message quotes from user input or catalogs. */
const INVISIBLE = /[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Keeps messages on one line and shows invisible characters escaped, as a string literal would. */
function visible(d: Diagnostic): Diagnostic {
  const escape = (text: string) =>
    text.replace(INVISIBLE, (c) => {
      const json = JSON.stringify(c).slice(1, -1);
      return json.length > 1 ? json : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    });
  const any = new RegExp(INVISIBLE.source);
  if (!any.test(d.message) && (d.help === undefined || !any.test(d.help))) return d;
  return { ...d, message: escape(d.message), ...(d.help === undefined ? {} : { help: escape(d.help) }) };
}
