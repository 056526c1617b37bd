/**
 * Test-file checks the type checker leaves to the harness, reported like
 * policy errors (code, span, caret, did-you-mean):
 * - AGP501: request data names a field its schema does not declare where the
 *   schema forbids others (`additionalProperties: false`): such a request
 *   would be refused before any rule runs, which is never what a case means;
 * - AGP502: an expectation that no decision of its effect can meet (`by` on
 *   a non-approve, `with` or `charge` on a deny, `blocked by` on an allow);
 * - AGP504: a `state` that is not the runtime state's shape;
 * - AGP510: an `audit` level the rules after `from` can never give;
 * - AGP507: a fixture whose value leads back to itself (it has no value).
 *
 * In: the checked test files and the catalog set. Out: diagnostics.
 * Must not decide anything or repeat what compiler/check reports (unknown
 * actions, rules, limits, fixtures).
 */
import type { CatalogSet, FieldType, ObjectType } from "../catalog/index.js";
import type { CheckedTestFile } from "../check/index.js";
import { diagnostic, didYouMean, type Diagnostic } from "../diagnostics/index.js";
import type { AuditLevel, Effect, Expectation, FixtureDecl, ObjectValue, TestDecl, TestValue } from "../syntax/index.js";

type Report = (d: Diagnostic) => void;
type Cells = ReadonlyMap<string, TestValue> | undefined;

/** Runs every check on every test file. */
export function checkTestFiles(
  files: readonly CheckedTestFile[],
  catalogs: CatalogSet,
  report: Report,
  rules: ReadonlyMap<string, AuditLevel> = new Map(),
): void {
  const fixtures = new Map<string, FixtureDecl>(files.flatMap((f) => f.fixtures).map((f) => [f.name.name, f]));
  checkFixtureCycles(fixtures, report);
  for (const file of files) {
    const shape = catalogs.request;
    const parts: Record<string, ObjectType> = { agent: shape.agent, human: shape.human, context: shape.context };
    const walker = new FieldWalker(fixtures, report);
    for (const defaults of file.defaults) {
      for (const given of defaults.clauses) {
        const type = parts[given.part.value];
        if (type !== undefined) walker.walk(given.value, type, given.part.value, undefined);
        if (given.part.value === "state") checkState(given.value, report);
      }
    }
    for (const test of file.tests) {
      const calls = test.steps.flatMap((s) => (s.kind === "CallStep" ? [s] : []));
      for (const cells of rowsOf(test)) {
        for (const given of [...test.given, ...calls.flatMap((s) => s.given)]) {
          const type = parts[given.part.value];
          if (type !== undefined) walker.walk(given.value, type, given.part.value, cells);
          if (given.part.value === "state") checkState(given.value, report);
        }
        for (const request of [test.request, ...calls.map((s) => s.request)]) {
          if (request?.args === undefined) continue;
          const action = request.action.kind === "ActionName" ? request.action.segments.join(".") : cellWord(cells?.get(request.action.name));
          const entry = action === undefined ? undefined : catalogs.actions.get(action);
          if (entry !== undefined) walker.walk(request.args, entry.args, "args", cells, `the arguments of \`${action}\``);
        }
        for (const expect of [test.expect, ...calls.map((s) => s.expect)]) if (expect !== undefined) checkExpectation(expect, cells, report, rules);
      }
    }
  }
}

/** One cell map per table row, or a single `undefined` for a test without a table. */
function rowsOf(test: TestDecl): Cells[] {
  const table = test.examples;
  if (table === undefined) return [undefined];
  return table.rows.map((row) => new Map(table.columns.map((c, i) => [c.name, row.cells[i]!] as const)));
}

function cellWord(cell: TestValue | undefined): string | undefined {
  if (cell?.kind === "Name") return cell.name;
  if (cell?.kind === "String") return cell.value;
  return undefined;
}

/** Walks data against a schema type, reporting undeclared fields of closed objects. */
class FieldWalker {
  constructor(
    private readonly fixtures: ReadonlyMap<string, FixtureDecl>,
    private readonly report: Report,
  ) {}

  walk(value: TestValue, type: FieldType, path: string, cells: Cells, owner?: string, seen: ReadonlySet<string> = new Set()): void {
    switch (value.kind) {
      case "Placeholder": {
        const cell = cells?.get(value.name);
        if (cell !== undefined) this.walk(cell, type, path, undefined, owner, seen);
        return;
      }
      case "Name": {
        const fixture = this.fixtures.get(value.name);
        if (fixture !== undefined && !seen.has(value.name)) this.walk(fixture.value, type, path, undefined, owner, new Set([...seen, value.name]));
        return;
      }
      case "Merge":
        this.walk(value.base, type, path, cells, owner, seen);
        this.walk(value.overrides, type, path, cells, owner, seen);
        return;
      case "Object":
        this.object(value, type, path, cells, owner, seen);
        return;
      case "Array": {
        const items = arrayItems(type);
        if (items !== undefined) value.items.forEach((item, i) => this.walk(item, items, `${path}[${i}]`, cells, undefined, seen));
        return;
      }
      default:
        return;
    }
  }

  private object(value: ObjectValue, type: FieldType, path: string, cells: Cells, owner: string | undefined, seen: ReadonlySet<string>): void {
    const object = objectOption(type);
    if (object === undefined) return;
    for (const entry of value.entries) {
      const field = object.fields.get(entry.key);
      const child = `${path}.${entry.key}`;
      if (field !== undefined) {
        this.walk(entry.value, field.type, child, cells, undefined, seen);
        continue;
      }
      if (object.additionalProperties) continue;
      const help = didYouMean(entry.key, object.fields.keys());
      this.report(
        diagnostic("AGP501", entry.keySpan, { path: child, owner: owner ?? `\`${path}\`` }, help === undefined ? {} : { help }),
      );
    }
  }
}

function objectOption(type: FieldType): ObjectType | undefined {
  if (type.kind === "object") return type;
  if (type.kind === "union") return type.options.find((o): o is ObjectType => o.kind === "object");
  return undefined;
}

function arrayItems(type: FieldType): FieldType | undefined {
  if (type.kind === "array") return type.items;
  if (type.kind === "union") {
    for (const option of type.options) if (option.kind === "array") return option.items;
  }
  return undefined;
}

// ---------------------------------------------------------------- expectations

const ARTICLE: Record<Effect, string> = { allow: "an `allow`", approve: "an `approve`", deny: "a `deny`" };

function checkExpectation(expect: Expectation, cells: Cells, report: Report, rules: ReadonlyMap<string, AuditLevel>): void {
  const effect = expect.effect.kind === "Word" ? expect.effect.value : cellWord(cells?.get(expect.effect.name));
  if (effect !== "allow" && effect !== "approve" && effect !== "deny") return; // expansion reports bad cells
  const never = (clause: string, span: Diagnostic["span"], why: string) =>
    report(diagnostic("AGP502", span, { clause, effect: ARTICLE[effect], why }));
  if (expect.approval !== undefined && effect !== "approve") {
    never("by", expect.approval.span, "only `approve` decisions carry an approval requirement");
  }
  if (effect === "deny") {
    const first = expect.obligations[0];
    if (first !== undefined) never("with", first.span, "a deny carries no obligations; expect `allow` or `approve`");
    const charge = expect.charges[0];
    if (charge !== undefined) never("charge", charge.span, "a deny charges no limits; expect `allow` or `approve`");
  }
  if (expect.blockedBy !== undefined && effect === "allow") {
    never("blocked by", expect.blockedBy.span, "only `deny` and `approve` decisions name who blocked");
  }
  checkAudit(expect, rules, report);
}

const LEVELS: readonly AuditLevel[] = ["info", "notice", "security"];

/**
 * AGP510: a decision's audit level is the highest of its deciding rules',
 * so `from a, b audit x` can hold only when that highest level is `x`.
 */
function checkAudit(expect: Expectation, rules: ReadonlyMap<string, AuditLevel>, report: Report): void {
  if (expect.audit === undefined || expect.rules.length === 0) return;
  const levels: AuditLevel[] = [];
  for (const rule of expect.rules) {
    if (rule.kind !== "Identifier") return;
    const level = rules.get(rule.name);
    if (level === undefined) return;
    levels.push(level);
  }
  const highest = levels.reduce<AuditLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), "info");
  if (highest === expect.audit.value) return;
  const names = expect.rules.map((r) => `\`${r.name}\``).join(", ");
  report(
    diagnostic("AGP510", expect.audit.span, { level: expect.audit.value, rules: names, actual: highest }, {
      help: `a decision's audit level is the highest \`audit\` of its deciding rules; expect \`audit ${highest}\`, or change the rules' \`audit\` clauses`,
    }),
  );
}

// ---------------------------------------------------------------- state

const STATE_KEYS = ["trust", "counters", "approvals", "killed", "rates"];
const RATE_KEYS = ["success", "failure", "rollback", "violation"];

function checkState(value: TestValue, report: Report): void {
  const problem = (span: Diagnostic["span"], text: string, help?: string) =>
    report(diagnostic("AGP504", span, { problem: text }, help === undefined ? {} : { help }));
  if (value.kind !== "Object") {
    if (value.kind !== "Name" && value.kind !== "Merge" && value.kind !== "Placeholder") problem(value.span, "`state` must be an object");
    return;
  }
  for (const entry of value.entries) {
    const v = entry.value;
    if (!STATE_KEYS.includes(entry.key)) {
      problem(entry.keySpan, `\`state\` has no field \`${entry.key}\``, didYouMean(entry.key, STATE_KEYS));
      continue;
    }
    if (v.kind === "Name" || v.kind === "Placeholder" || v.kind === "Merge") continue;
    if (entry.key === "trust" && v.kind !== "Number") problem(v.span, "`state.trust` must be a number");
    if (entry.key === "counters") {
      if (v.kind !== "Object") problem(v.span, "`state.counters` must be an object of limit id → amount used");
      else {
        for (const c of v.entries) {
          if (c.value.kind === "Placeholder") continue;
          if (c.value.kind !== "Number" || c.value.value < 0) problem(c.value.span, `\`state.counters.${c.key}\` must be a number at least 0`);
        }
      }
    }
    if (entry.key === "approvals") {
      if (v.kind !== "Array") problem(v.span, "`state.approvals` must be an array of { id, groups }");
      else v.items.forEach((item, i) => checkApproval(item, `state.approvals[${i}]`, problem));
    }
    if (entry.key === "killed") {
      if (v.kind !== "Array") problem(v.span, "`state.killed` must be an array of kill switches: strings or { env, action }");
      else v.items.forEach((item, i) => checkKilled(item, `state.killed[${i}]`, problem));
    }
    if (entry.key === "rates") {
      if (v.kind !== "Object") problem(v.span, "`state.rates` must be an object of rate → number from 0 to 1 (success, failure, rollback, violation)");
      else {
        for (const r of v.entries) {
          if (!RATE_KEYS.includes(r.key)) problem(r.keySpan, `\`state.rates\` has no field \`${r.key}\``, didYouMean(r.key, RATE_KEYS));
          else if (r.value.kind !== "Placeholder" && (r.value.kind !== "Number" || r.value.value < 0 || r.value.value > 1)) problem(r.value.span, `\`state.rates.${r.key}\` must be a number from 0 to 1`);
        }
      }
    }
  }
}

/** A kill switch in a test's state: a string, or `{ env, action }` with at least one of them. */
function checkKilled(item: TestValue, path: string, problem: (span: Diagnostic["span"], text: string) => void): void {
  if (item.kind === "String" || item.kind === "Placeholder" || item.kind === "Name" || item.kind === "Merge") return;
  if (item.kind !== "Object") return problem(item.span, `\`${path}\` must be a string or { env, action }`);
  for (const e of item.entries) {
    if (e.key !== "env" && e.key !== "action") problem(e.keySpan, `\`${path}\` has no field \`${e.key}\`; a scope names an \`env\`, an \`action\` or both`);
    else if (e.value.kind !== "String" && e.value.kind !== "Placeholder") problem(e.value.span, `\`${path}.${e.key}\` must be a string`);
  }
  if (!item.entries.some((e) => e.key === "env" || e.key === "action")) problem(item.span, `\`${path}\` must name an \`env\`, an \`action\` or both`);
}

function checkApproval(item: TestValue, path: string, problem: (span: Diagnostic["span"], text: string) => void): void {
  if (item.kind === "Name" || item.kind === "Placeholder" || item.kind === "Merge") return;
  if (item.kind !== "Object") return problem(item.span, `\`${path}\` must be an object { id, groups }`);
  const id = item.entries.find((e) => e.key === "id");
  const groups = item.entries.find((e) => e.key === "groups");
  if (id === undefined || groups === undefined) return problem(item.span, `\`${path}\` needs both \`id\` and \`groups\``);
  for (const e of item.entries) if (e.key !== "id" && e.key !== "groups") problem(e.keySpan, `\`${path}\` has no field \`${e.key}\``);
  if (id.value.kind !== "String" && id.value.kind !== "Placeholder") problem(id.value.span, `\`${path}.id\` must be a string`);
  if (groups.value.kind !== "Array" && groups.value.kind !== "Placeholder") problem(groups.value.span, `\`${path}.groups\` must be an array of strings`);
}

// ---------------------------------------------------------------- fixture cycles

/** Reports each fixture that reaches itself through fixture references, with the path it takes. */
function checkFixtureCycles(fixtures: ReadonlyMap<string, FixtureDecl>, report: Report): void {
  const refs = (value: TestValue): string[] => {
    switch (value.kind) {
      case "Name":
        return [value.name];
      case "Merge":
        return [value.base.name, ...refs(value.overrides)];
      case "Object":
        return value.entries.flatMap((e) => refs(e.value));
      case "Array":
        return value.items.flatMap(refs);
      default:
        return [];
    }
  };
  for (const fixture of fixtures.values()) {
    const start = fixture.name.name;
    const seen = new Set<string>();
    const walk = (name: string, path: readonly string[]): readonly string[] | undefined => {
      for (const next of refs(fixtures.get(name)?.value ?? { kind: "Null", span: fixture.span })) {
        if (next === start) return path;
        if (seen.has(next) || !fixtures.has(next)) continue;
        seen.add(next);
        const found = walk(next, [...path, next]);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const cycle = walk(start, []);
    if (cycle === undefined) continue;
    const through = cycle.length === 0 ? "" : ` through ${cycle.map((n) => `\`${n}\``).join(", ")}`;
    report(diagnostic("AGP507", fixture.name.span, { name: start, through }));
  }
}
