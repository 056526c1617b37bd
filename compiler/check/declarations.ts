/**
 * Collects the declarations of a policy set: packages (their files, catalogs
 * and delegation mode), constants, rule and limit ids, fixtures and tests.
 *
 * In: parsed files. Out: `Declarations`; reports duplicate rule ids
 * (AGP207), constants and named conditions (AGP208) and limit ids (AGP209)
 * naming both places, conflicting `delegation` statements (AGP226), `let`
 * names that hide a request root (AGP232) or a built-in function (AGP267). Files without a
 * `package` statement form the package `""` (usually test files).
 * Must not look at catalogs or expressions.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/index.js";
import type {
  ActionsDecl, ConditionDecl, DefaultsDecl, DelegationMode, FixtureDecl, LabelDecl, LetDecl, LimitDecl, PolicyFile, RuleDecl, SessionDecl, Span, TestDecl,
} from "../syntax/index.js";
import { REQUEST_ROOTS, type CheckedTestFile, type ConstantValue, type Type } from "./checked.js";
import type { ConditionInfo, ConstantInfo } from "./env.js";
import { VIEW_NAMES } from "./views.js";
import { ERROR_TYPE, family, literalType, literalValue, mergeTypes } from "./types.js";

export interface PackageInfo {
  readonly name: string;
  readonly files: string[];
  delegation: DelegationMode;
  delegationSpan?: Span;
  /** `actions "…"` statements as written, with the file that wrote them. */
  readonly actions: { readonly file: string; readonly decl: ActionsDecl }[];
  readonly constants: Map<string, ConstantInfo>;
  /** Named conditions; they share one namespace with the constants. */
  readonly conditions: Map<string, ConditionInfo>;
  readonly rules: { readonly file: string; readonly decl: RuleDecl }[];
  readonly limits: { readonly file: string; readonly decl: LimitDecl }[];
  /** The package's `session` statement (a second one is AGP244). */
  session?: { readonly file: string; readonly decl: SessionDecl };
  readonly labels: { readonly file: string; readonly decl: LabelDecl }[];
}

export interface Declarations {
  readonly packages: Map<string, PackageInfo>;
  readonly ruleIds: Map<string, { readonly file: string; readonly decl: RuleDecl; readonly package: string }>;
  readonly limitIds: Map<string, { readonly file: string; readonly decl: LimitDecl; readonly package: string }>;
  readonly fixtures: Set<string>;
  readonly tests: CheckedTestFile[];
}

export function collectDeclarations(files: readonly PolicyFile[], report: (d: Diagnostic) => void): Declarations {
  const declarations: Declarations = { packages: new Map(), ruleIds: new Map(), limitIds: new Map(), fixtures: new Set(), tests: [] };
  for (const file of files) collectFile(file, declarations, report);
  return declarations;
}

function collectFile(file: PolicyFile, declarations: Declarations, report: (d: Diagnostic) => void): void {
  // A second `package` statement is a syntax error (AGP110); the first one counts.
  const first = file.statements.find((s) => s.kind === "Package");
  const name = first === undefined ? "" : first.name.parts.join(".");
  let pkg = declarations.packages.get(name);
  if (pkg === undefined) {
    pkg = { name, files: [], delegation: "both", actions: [], constants: new Map(), conditions: new Map(), rules: [], limits: [], labels: [] };
    declarations.packages.set(name, pkg);
  }
  pkg.files.push(file.file);
  const defaults: DefaultsDecl[] = [];
  const fixtures: FixtureDecl[] = [];
  const tests: TestDecl[] = [];
  for (const statement of file.statements) {
    switch (statement.kind) {
      case "Actions":
        pkg.actions.push({ file: file.file, decl: statement });
        break;
      case "Delegation":
        if (pkg.delegationSpan !== undefined && pkg.delegation !== statement.mode.value) {
          report(
            diagnostic("AGP226", statement.span, {
              message: `package \`${name}\` says \`delegation ${statement.mode.value}\` here but \`delegation ${pkg.delegation}\` elsewhere`,
            }, { help: "keep one `delegation` statement per package", related: [{ span: pkg.delegationSpan, message: "the other `delegation` statement" }] }),
          );
        } else {
          pkg.delegation = statement.mode.value;
          pkg.delegationSpan = statement.span;
        }
        break;
      case "Let":
        addConstant(statement, file.file, pkg, report);
        break;
      case "Condition":
        addCondition(statement, file.file, pkg, report);
        break;
      case "Rule": {
        const earlier = declarations.ruleIds.get(statement.id.name);
        if (earlier !== undefined) {
          report(
            diagnostic("AGP207", statement.id.span, { id: statement.id.name }, {
              related: [{ span: earlier.decl.id.span, message: `\`${statement.id.name}\` is first defined here` }],
            }),
          );
        } else declarations.ruleIds.set(statement.id.name, { file: file.file, decl: statement, package: name });
        pkg.rules.push({ file: file.file, decl: statement });
        break;
      }
      case "Limit": {
        const earlier = declarations.limitIds.get(statement.id.name);
        if (earlier !== undefined) {
          report(
            diagnostic("AGP209", statement.id.span, { id: statement.id.name }, {
              related: [{ span: earlier.decl.id.span, message: `\`${statement.id.name}\` is first defined here` }],
            }),
          );
        } else declarations.limitIds.set(statement.id.name, { file: file.file, decl: statement, package: name });
        pkg.limits.push({ file: file.file, decl: statement });
        break;
      }
      case "Session":
        if (pkg.session !== undefined) {
          report(
            diagnostic("AGP244", statement.span, { message: `package \`${name}\` has a second \`session\` statement` }, {
              help: "keep one `session` statement per package",
              related: [{ span: pkg.session.decl.span, message: "the first `session` statement" }],
            }),
          );
        } else pkg.session = { file: file.file, decl: statement };
        break;
      case "Label":
        pkg.labels.push({ file: file.file, decl: statement });
        break;
      case "Defaults":
        defaults.push(statement);
        break;
      case "Fixture":
        declarations.fixtures.add(statement.name.name);
        fixtures.push(statement);
        break;
      case "Test":
        tests.push(statement);
        break;
      case "Package":
        break;
    }
  }
  if (tests.length > 0 || fixtures.length > 0 || defaults.length > 0) {
    declarations.tests.push({ file: file.file, defaults, fixtures, tests });
  }
}

/** A `let` name must not hide a request root (AGP232) or be defined twice in its package (AGP208); true when it is fine. */
function newName(decl: LetDecl | ConditionDecl, pkg: PackageInfo, report: (d: Diagnostic) => void): boolean {
  const name = decl.name.name;
  if ((REQUEST_ROOTS as readonly string[]).includes(name)) {
    report(diagnostic("AGP232", decl.name.span, { name, what: decl.kind === "Let" ? "constant" : "condition" }));
    return false;
  }
  const earlier = pkg.constants.get(name)?.decl ?? pkg.conditions.get(name)?.decl;
  if (earlier !== undefined) {
    report(
      diagnostic("AGP208", decl.name.span, { name, package: pkg.name }, {
        related: [{ span: earlier.name.span, message: `\`${name}\` is first defined here` }],
      }),
    );
    return false;
  }
  return true;
}

function addCondition(decl: ConditionDecl, file: string, pkg: PackageInfo, report: (d: Diagnostic) => void): void {
  const name = decl.name.name;
  if ((VIEW_NAMES as readonly string[]).includes(name)) {
    report(diagnostic("AGP267", decl.name.span, { name, what: `the built-in function \`${name}\`` }, { help: "rename the condition" }));
    return;
  }
  if (!newName(decl, pkg, report)) return;
  pkg.conditions.set(name, { name, package: pkg.name, file, decl, used: false, reported: new Set() });
}

function addConstant(decl: LetDecl, file: string, pkg: PackageInfo, report: (d: Diagnostic) => void): void {
  const name = decl.name.name;
  if (!newName(decl, pkg, report)) return;
  let value: ConstantValue;
  let type: Type;
  if (decl.value.kind === "Set") {
    value = { kind: "set", values: decl.value.elements.map(literalValue) };
    let element: Type = ERROR_TYPE;
    for (const literal of decl.value.elements) {
      const t = literalType(literal);
      if (element.kind === "error") element = t;
      else if (family(element) !== family(t)) {
        // Mixed sets are a syntax error (AGP117); the constant is then unusable.
        element = ERROR_TYPE;
        break;
      } else element = mergeTypes(element, t);
    }
    type = element.kind === "error" && decl.value.elements.length > 0 ? ERROR_TYPE : { kind: "set", element, size: decl.value.elements.length };
  } else {
    value = { kind: "literal", value: literalValue(decl.value) };
    type = literalType(decl.value);
  }
  pkg.constants.set(name, { name, package: pkg.name, file, decl, value, type, used: false });
}
