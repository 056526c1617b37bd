/**
 * Case expansion: test declarations to runnable cases.
 *
 * In: the checked test files (tests as written, with their file's
 * `defaults:` and fixtures), the names the policy set knows (actions, rules).
 * Out: one `TestCase` per test, or per row of its `where` table (named
 * `name [row N: col=value, …]`), each a full request (defaults deep-merged
 * under the test's own clauses), optional runtime state and the resolved
 * expectation; plus diagnostics for what only expansion can see: AGP503
 * (a cell that does not fit where its placeholder sits), AGP505 (a test name
 * used twice in a file), AGP506 (no request), and AGP202 / AGP205 / AGP231
 * for names that come from table cells. A case with an error is dropped.
 * Must not decide requests or read catalogs' schemas (checks.ts does).
 */
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { CheckedTestFile } from "../check/index.js";
import {
  EFFECTS, type AuditLevel, type Duration, type Effect, type Expectation, type FixtureDecl, type GivenClause, type OutcomeKind, type Principal,
  type RequestClause, type TestDecl, type TestValue,
} from "../syntax/index.js";
import { cellText, deepMerge, resolveValue, setOwn, type Json, type RowBindings, type ValueScope } from "./values.js";

/** A quorum as tests compare it: count and sorted groups. */
export interface ExpectedQuorum {
  readonly count: number;
  readonly groups: readonly string[];
}

/** `by …` as tests compare it: the quorums, whether the requester confirms, whether one person may count twice. */
export interface ExpectedApproval {
  readonly quorums: readonly ExpectedQuorum[];
  readonly requester: boolean;
  readonly samePerson: boolean;
}

/** What a case expects, with every placeholder substituted. */
export interface ExpectedDecision {
  readonly effect: Effect;
  /** `from`: the deciding rules (a set); absent when not stated. */
  readonly rules?: readonly string[];
  readonly reason?: string;
  readonly obligations: readonly { readonly key: string; readonly value: Json }[];
  readonly approval?: ExpectedApproval;
  readonly charges: readonly { readonly limit: string; readonly amount?: Json }[];
  readonly blockedBy?: Principal;
  /** `audit security`: the decision's audit level. */
  readonly audit?: AuditLevel;
}

/** One runnable case. */
export interface TestCase {
  /** The test's name, with `[row N: …]` for table rows. */
  readonly name: string;
  /** The test's name as written. */
  readonly test: string;
  /** 1-based row of the table, for table cases. */
  readonly row?: number;
  /** The test file and the line of its `test` keyword (of the row, for table cases). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The request (of a trace case: its first call step's). */
  readonly request: { [key: string]: Json };
  readonly state?: Json;
  /** What the case expects (of a trace case: its first call step's). */
  readonly expect: ExpectedDecision;
  /** Present for a trace test: its steps in order, each call with its own request and expectation. */
  readonly steps?: readonly CaseStep[];
}

/** One step of a trace case. `at` is milliseconds since the case's start (the first step is at 0 plus its `after`). */
export type CaseStep =
  | {
      readonly kind: "call";
      readonly at: number;
      readonly line: number;
      readonly column: number;
      readonly request: { [key: string]: Json };
      readonly state?: Json;
      readonly expect: ExpectedDecision;
    }
  /** `call` is the position (in `steps`) of the call step whose outcome this reports. */
  | { readonly kind: "outcome"; readonly at: number; readonly line: number; readonly column: number; readonly outcome: OutcomeKind; readonly call: number };

/** Names expansion checks cells against. */
export interface KnownNames {
  readonly actions: ReadonlySet<string>;
  readonly rules: ReadonlySet<string>;
}

/** Expands every test of every file; cases keep file order, then source order. */
export function expandTests(files: readonly CheckedTestFile[], known: KnownNames, report: (d: Diagnostic) => void): TestCase[] {
  const cases: TestCase[] = [];
  // Fixtures are visible in every test file, as the checker resolves them.
  const fixtures = new Map<string, FixtureDecl>(files.flatMap((f) => f.fixtures).map((f) => [f.name.name, f]));
  for (const file of files) {
    const seen = new Map<string, TestDecl>();
    for (const test of file.tests) {
      const earlier = seen.get(test.name.value);
      if (earlier !== undefined) {
        report(diagnostic("AGP505", test.name.span, { name: JSON.stringify(test.name.value) }, {
          related: [{ span: earlier.name.span, message: "first used here" }],
        }));
        continue;
      }
      seen.set(test.name.value, test);
      if (test.steps.length === 0 && test.request === undefined) {
        report(diagnostic("AGP506", test.name.span, { name: JSON.stringify(test.name.value) }));
        continue;
      }
      const rows = test.examples?.rows ?? [undefined];
      rows.forEach((row, index) => {
        const bindings: RowBindings | undefined =
          row === undefined ? undefined : new Map(test.examples!.columns.map((c, i) => [c.name, row.cells[i]!] as const));
        const at = row?.span ?? test.span;
        const expanded = expandCase(test, file, { fixtures, ...(bindings === undefined ? {} : { row: bindings }) }, known, report);
        if (expanded === undefined) return;
        const suffix =
          row === undefined
            ? ""
            : ` [row ${index + 1}: ${test.examples!.columns.map((c, i) => `${c.name}=${cellText(row.cells[i]!)}`).join(", ")}]`;
        cases.push({
          name: test.name.value + suffix,
          test: test.name.value,
          ...(row === undefined ? {} : { row: index + 1 }),
          file: file.file,
          line: at.line,
          column: at.column,
          ...expanded,
        });
      });
    }
  }
  return cases;
}

type Expanded = Pick<TestCase, "request" | "state" | "expect" | "steps">;

/** Milliseconds in one unit of a duration. */
const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 0 } as const;

function millis(d: Duration | undefined): number {
  return d === undefined ? 0 : d.count * UNIT_MS[d.unit];
}

function expandCase(
  test: TestDecl,
  file: CheckedTestFile,
  scope: ValueScope,
  known: KnownNames,
  report: (d: Diagnostic) => void,
): Expanded | undefined {
  if (test.steps.length === 0) return expandCall(test.request!, test.given, test.expect!, file, scope, known, report);
  const steps: CaseStep[] = [];
  let at = 0;
  let ok = true;
  let lastCall: number | undefined;
  test.steps.forEach((step, index) => {
    at += millis(step.after);
    const where = { line: step.span.line, column: step.span.column };
    if (step.kind === "OutcomeStep") {
      // `of step N` counts every step from 1; without it, the latest call step.
      const target = step.of === undefined ? lastCall : step.of.value - 1;
      const targetStep = target === undefined ? undefined : test.steps[target];
      if (target === undefined || targetStep === undefined || targetStep.kind !== "CallStep" || target >= index) {
        ok = false; // the checker reported it (AGP259)
        return;
      }
      steps.push({ kind: "outcome", at, ...where, outcome: step.outcome.value, call: target });
      return;
    }
    lastCall = index;
    // A step's own clauses replace the test's clauses of the same part.
    const own = new Set(step.given.map((g) => g.part.value));
    const given = [...test.given.filter((g) => !own.has(g.part.value)), ...step.given];
    const expanded = expandCall(step.request, given, step.expect, file, scope, known, report);
    if (expanded === undefined) {
      ok = false;
      return;
    }
    steps.push({ kind: "call", at, ...where, request: expanded.request, ...(expanded.state === undefined ? {} : { state: expanded.state }), expect: expanded.expect });
  });
  const first = steps.find((s) => s.kind === "call");
  if (!ok || first === undefined || first.kind !== "call") return undefined;
  return { request: first.request, ...(first.state === undefined ? {} : { state: first.state }), expect: first.expect, steps };
}

/** One request with its clauses and expectation. */
function expandCall(
  clause: RequestClause,
  givenClauses: readonly GivenClause[],
  e: Expectation,
  file: CheckedTestFile,
  scope: ValueScope,
  known: KnownNames,
  report: (d: Diagnostic) => void,
): Expanded | undefined {
  let ok = true;
  const fail = (d: Diagnostic): undefined => {
    report(d);
    ok = false;
    return undefined;
  };
  const cell = (value: TestValue): TestValue => (value.kind === "Placeholder" ? (scope.row?.get(value.name) ?? value) : value);
  const data = (value: TestValue): Json | undefined => {
    const c = cell(value);
    if (value.kind === "Placeholder" && c.kind === "Name" && !scope.fixtures.has(c.name)) {
      const help = didYouMean(c.name, scope.fixtures.keys());
      return fail(diagnostic("AGP231", c.span, { name: c.name }, help === undefined ? {} : { help }));
    }
    const resolved = resolveValue(value, scope);
    if (resolved === undefined) ok = false; // an unknown fixture: the checker reported it (AGP231)
    return resolved;
  };
  const word = (value: TestValue, column: string, expected: string): string | undefined => {
    const c = cell(value);
    if (c.kind === "Name" || c.kind === "String") return c.kind === "Name" ? c.name : c.value;
    return fail(diagnostic("AGP503", c.span, { column, expected, got: describeCell(c) }));
  };

  // ---------------------------------------------------------------- request
  const request: { [key: string]: Json } = {};
  const parts = [...file.defaults.flatMap((d) => d.clauses), ...givenClauses];
  let state: Json | undefined;
  for (const given of parts) {
    const value = data(given.value);
    if (value === undefined) continue;
    if (given.part.value === "state") state = deepMerge(state, value);
    else setOwn(request, given.part.value, deepMerge(Object.hasOwn(request, given.part.value) ? request[given.part.value] : undefined, value));
  }
  let action: string | undefined;
  if (clause.action.kind === "ActionName") action = clause.action.segments.join(".");
  else {
    action = word(clause.action, clause.action.name, "an action name");
    const c = cell(clause.action);
    if (action !== undefined && !known.actions.has(action)) {
      const help = didYouMean(action, known.actions);
      fail(diagnostic("AGP202", c.span, { name: action, scope: "the policy set" }, help === undefined ? {} : { help }));
    }
  }
  const args = clause.args === undefined ? {} : data(clause.args);
  if (action !== undefined && args !== undefined) {
    request["action"] = action;
    request["args"] = args;
  }

  // ---------------------------------------------------------------- expectation
  let effect: Effect | undefined;
  if (e.effect.kind === "Word") effect = e.effect.value;
  else {
    const c = cell(e.effect);
    const w = c.kind === "Name" || c.kind === "String" ? (c.kind === "Name" ? c.name : c.value) : undefined;
    if (w !== undefined && (EFFECTS as readonly string[]).includes(w)) effect = w as Effect;
    else fail(diagnostic("AGP503", c.span, { column: e.effect.name, expected: "an effect (allow, approve or deny)", got: describeCell(c) }));
  }
  const rules: string[] = [];
  for (const ref of e.rules) {
    if (ref.kind === "Identifier") {
      rules.push(ref.name);
      continue;
    }
    const id = word(ref, ref.name, "a rule id");
    if (id === undefined) continue;
    if (!known.rules.has(id)) {
      const help = didYouMean(id, known.rules);
      fail(diagnostic("AGP205", cell(ref).span, { name: id }, help === undefined ? {} : { help }));
    }
    rules.push(id);
  }
  let reason: string | undefined;
  if (e.reason?.kind === "String") reason = e.reason.value;
  else if (e.reason !== undefined) {
    const c = cell(e.reason);
    if (c.kind === "String") reason = c.value;
    else fail(diagnostic("AGP503", c.span, { column: e.reason.name, expected: "a string", got: describeCell(c) }));
  }
  const obligations = e.obligations.flatMap((o) => {
    const value = data(o.value);
    return value === undefined ? [] : [{ key: o.key.name, value }];
  });
  const charges = e.charges.flatMap((c) => {
    if (c.amount === undefined) return [{ limit: c.limit.name }];
    const amount = data(c.amount);
    return amount === undefined ? [] : [{ limit: c.limit.name, amount }];
  });
  if (!ok || effect === undefined || request["action"] === undefined) return undefined;
  const approval: ExpectedApproval | undefined =
    e.approval === undefined
      ? undefined
      : {
          quorums: e.approval.quorums.map((q) => ({ count: q.count.value, groups: [...new Set(q.groups.map((g) => g.value))].sort() })),
          requester: e.approval.requester !== undefined,
          samePerson: e.approval.samePerson !== undefined,
        };
  const expect: ExpectedDecision = {
    effect,
    ...(e.rules.length === 0 ? {} : { rules }),
    ...(reason === undefined ? {} : { reason }),
    obligations,
    ...(approval === undefined ? {} : { approval }),
    charges,
    ...(e.blockedBy === undefined ? {} : { blockedBy: e.blockedBy.value }),
    ...(e.audit === undefined ? {} : { audit: e.audit.value }),
  };
  return { request, ...(state === undefined ? {} : { state }), expect };
}

function describeCell(value: TestValue): string {
  switch (value.kind) {
    case "String":
      return `the string ${JSON.stringify(value.value)}`;
    case "Number":
      return `the number ${value.value}`;
    case "Boolean":
      return `the boolean ${value.value}`;
    case "Null":
      return "null";
    case "Name":
      return `the name \`${value.name}\``;
    case "Object":
    case "Merge":
      return "an object";
    case "Array":
      return "an array";
    case "Placeholder":
      return `the placeholder \`$${value.name}\``;
  }
}
