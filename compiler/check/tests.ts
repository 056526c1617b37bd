/**
 * Checks the names test declarations use: the requested action, the rules
 * after `from`, the limits after `charge` and in `state { counters }`, and
 * fixture references in request data.
 *
 * In: the test files of a policy set, every rule and limit id, every
 * fixture name and every loaded action. Out: AGP202, AGP205, AGP206, AGP231
 * with a did-you-mean. Must not evaluate tests (the test harness does);
 * request data is checked against schemas at run time, fail-closed.
 */
import type { CatalogSet } from "../catalog/index.js";
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { TestDecl, TestValue } from "../syntax/index.js";
import type { CheckedTestFile } from "./checked.js";

export interface TestNames {
  readonly rules: ReadonlySet<string>;
  readonly limits: ReadonlySet<string>;
  readonly fixtures: ReadonlySet<string>;
  readonly catalogs: CatalogSet;
  /** Some catalog failed to load: unknown requested actions are not reported again. */
  readonly incomplete: boolean;
}

export function checkTests(files: readonly CheckedTestFile[], names: TestNames, report: (d: Diagnostic) => void): void {
  const unknown = (code: "AGP205" | "AGP206" | "AGP231", name: string, span: Diagnostic["span"], known: Iterable<string>) => {
    const help = didYouMean(name, known);
    report(diagnostic(code, span, { name }, help === undefined ? {} : { help }));
  };
  const values = (value: TestValue | undefined) => checkFixtureRefs(value, names.fixtures, (n, s) => unknown("AGP231", n, s, names.fixtures));
  for (const file of files) {
    for (const defaults of file.defaults) for (const given of defaults.clauses) values(given.value);
    for (const fixture of file.fixtures) values(fixture.value);
    for (const test of file.tests) {
      const calls = test.steps.flatMap((s) => (s.kind === "CallStep" ? [s] : []));
      const requests = [test.request, ...calls.map((s) => s.request)].filter((r) => r !== undefined);
      for (const request of requests) {
        if (request.action.kind === "ActionName") {
          const name = request.action.segments.join(".");
          if (!names.incomplete && !names.catalogs.actions.has(name)) {
            const help = didYouMean(name, names.catalogs.actions.keys());
            report(diagnostic("AGP202", request.action.span, { name, scope: "the policy set" }, help === undefined ? {} : { help }));
          }
        }
        values(request.args);
      }
      for (const given of [...test.given, ...calls.flatMap((s) => s.given)]) {
        values(given.value);
        if (given.part.value === "state" && given.value.kind === "Object") {
          const counters = given.value.entries.find((e) => e.key === "counters");
          if (counters !== undefined && counters.value.kind === "Object") {
            for (const entry of counters.value.entries) {
              if (!names.limits.has(entry.key)) unknown("AGP206", entry.key, entry.keySpan, names.limits);
            }
          }
        }
      }
      checkSteps(test, report);
      for (const expect of [test.expect, ...calls.map((s) => s.expect)]) {
        if (expect === undefined) continue;
        for (const rule of expect.rules) {
          if (rule.kind === "Identifier" && !names.rules.has(rule.name)) unknown("AGP205", rule.name, rule.span, names.rules);
        }
        for (const charge of expect.charges) {
          if (!names.limits.has(charge.limit.name)) unknown("AGP206", charge.limit.name, charge.limit.span, names.limits);
        }
      }
    }
  }
}

/** `outcome [of step N]` must report an earlier call step; a trace test needs a call (AGP259). */
function checkSteps(test: TestDecl, report: (d: Diagnostic) => void): void {
  if (test.steps.length === 0) return;
  let lastCall: number | undefined;
  test.steps.forEach((step, index) => {
    if (step.kind === "CallStep") {
      lastCall = index;
      return;
    }
    const target = step.of === undefined ? lastCall : step.of.value - 1;
    if (target !== undefined && target < index && test.steps[target]?.kind === "CallStep") return;
    const which = step.of === undefined ? "no step before it is a call" : `step ${String(step.of.value)} is not a call step before it`;
    report(diagnostic("AGP259", step.of?.span ?? step.outcome.span, { which }));
  });
}

/** Fixture references in data: a bare name or the base of `name with { … }`. Table cells are not data. */
function checkFixtureRefs(value: TestValue | undefined, fixtures: ReadonlySet<string>, report: (name: string, span: Diagnostic["span"]) => void): void {
  if (value === undefined) return;
  switch (value.kind) {
    case "Name":
      if (!fixtures.has(value.name)) report(value.name, value.span);
      return;
    case "Merge":
      checkFixtureRefs(value.base, fixtures, report);
      checkFixtureRefs(value.overrides, fixtures, report);
      return;
    case "Object":
      for (const entry of value.entries) checkFixtureRefs(entry.value, fixtures, report);
      return;
    case "Array":
      for (const item of value.items) checkFixtureRefs(item, fixtures, report);
      return;
    default:
      return;
  }
}
