/**
 * Completion: what may be typed at the cursor, from the grammar and the
 * catalogs.
 *
 * In: a file's current text, a cursor offset and (when the policy set has
 * been analysed) a snapshot. Out: completion entries and the offset where
 * the word they replace starts. The grammar (`expectedAt`, from the parser
 * itself) says what may come: keywords where it accepts them; action names
 * where a pattern or a test's request goes (segment by segment, with `*`);
 * request fields after `args.`, `agent.`, `action.`… typed by the catalogs
 * under the actions the statement's pattern matches; enum members after a
 * comparison with an enum field; constants, request roots and quantifier
 * variables where an operand goes; rule ids after `from`, limits after
 * `charge`, fixtures in test values, units, audit levels, delegation modes.
 * Must not read files or know about the protocol beyond its item kinds.
 */
import { matchActions, type CatalogSet } from "../catalog/index.js";
import { REQUEST_ROOTS } from "../check/index.js";
import { AUDIT_LEVELS, DELEGATION_MODES, WINDOW_UNITS, expectedAt, type AssistToken } from "../syntax/index.js";
import { enumMembers, fieldFacts, isRequestRoot, nextFields, typeText } from "./fields.js";
import type { Snapshot } from "./snapshot.js";

/** The protocol's CompletionItemKind values used here. */
export const ITEM = { function: 3, field: 5, variable: 6, module: 9, value: 12, keyword: 14, reference: 18, enumMember: 20, constant: 21, event: 23 } as const;

/** One completion. */
export interface CompletionEntry {
  readonly label: string;
  readonly kind: number;
  readonly detail?: string;
  readonly documentation?: string;
  /** Lower sorts first. */
  readonly rank: number;
}

/** Completions at a cursor and where the word they replace starts. */
export interface Completions {
  readonly entries: readonly CompletionEntry[];
  readonly replaceFrom: number;
}

const COMPARE = new Set(["==", "!=", "<", "<=", ">", ">=", "in"]);

/** What may be typed at `offset` of `text` (the file named `file` in the snapshot). */
export function completeAt(text: string, offset: number, snapshot: Snapshot | undefined, file: string | undefined): Completions {
  const expected = expectedAt(text, offset);
  if (expected.inside !== undefined) return { entries: [], replaceFrom: offset };
  const entries = new Map<string, CompletionEntry>();
  const add = (entry: CompletionEntry) => {
    const seen = entries.get(entry.label);
    if (seen === undefined || entry.rank < seen.rank) entries.set(entry.label, entry);
  };
  const before = expected.before;
  const last = before.at(-1);
  const catalogs = snapshot?.catalogs;

  for (const keyword of expected.keywords) add({ label: keyword, kind: ITEM.keyword, rank: 3 });

  for (const slot of expected.slots) {
    if (slot.token !== "name" && slot.token !== "word") continue;
    const rule = slot.rules.at(-1);
    if ((rule === "pattern" || rule === "actionName") && catalogs !== undefined) {
      actionCompletions(catalogs, dottedBefore(before), rule === "pattern").forEach(add);
    } else if (rule === "path" && last?.kind === "." && catalogs !== undefined) {
      const chain = dottedBefore(before);
      const [root, ...fields] = chain;
      if (root !== undefined && isRequestRoot(root)) {
        for (const f of nextFields(catalogs, root, fields, statementActions(catalogs, before))) {
          const where = f.of > 1 && f.actions < f.of ? `, in ${f.actions} of ${f.of} actions` : "";
          add({ label: f.name, kind: ITEM.field, detail: `${typeText(f.type)}${f.required ? "" : ", optional"}${where}`, ...(f.description === undefined ? {} : { documentation: f.description }), rank: 0 });
        }
      }
    } else if (rule === "path" || rule === "operand") {
      operandCompletions(snapshot, file, before).forEach(add);
    } else if (rule === "window") {
      for (const unit of WINDOW_UNITS) add({ label: unit, kind: ITEM.value, detail: "window unit", rank: 1 });
    } else if (rule === "ruleRef" && snapshot !== undefined) {
      for (const r of snapshot.analysis.rules) add({ label: r.id, kind: ITEM.reference, detail: `rule: ${r.effect} (${r.file}:${r.decl.span.line})`, rank: 0 });
    } else if (rule === "charge" && snapshot !== undefined) {
      for (const l of snapshot.analysis.limits) add({ label: l.id, kind: ITEM.event, detail: `limit (${l.file}:${l.decl.span.line})`, rank: 0 });
    } else if (rule === "delegationDecl") {
      for (const mode of DELEGATION_MODES) add({ label: mode, kind: ITEM.value, detail: "delegation mode", rank: 0 });
    } else if (rule === "ruleClause" && last?.image === "audit") {
      for (const level of AUDIT_LEVELS) add({ label: level, kind: ITEM.value, detail: "audit level", rank: 0 });
    } else if ((rule === "value" || rule === "row") && snapshot !== undefined && file !== undefined) {
      for (const f of snapshot.analysis.tests.find((t) => t.file === file)?.fixtures ?? []) add({ label: f.name.name, kind: ITEM.variable, detail: "fixture", rank: 0 });
    }
  }
  const word = expected.word.toLowerCase();
  const matching = [...entries.values()].filter((e) => word === "" || e.label.toLowerCase().startsWith(word) || e.label.toLowerCase().includes(word));
  return { entries: matching.sort((a, b) => a.rank - b.rank || (a.label < b.label ? -1 : 1)), replaceFrom: expected.wordStart };
}

/** The dotted name typed just before the word: `args.pr.` → ["args", "pr"]; `github.` → ["github"]. */
function dottedBefore(before: readonly AssistToken[]): string[] {
  const out: string[] = [];
  let i = before.length - 1;
  while (i >= 1 && before[i]!.kind === "." && /^[A-Za-z_]/.test(before[i - 1]!.image)) {
    out.unshift(before[i - 1]!.image);
    i -= 2;
  }
  return out;
}

function actionCompletions(catalogs: CatalogSet, typed: readonly string[], wildcard: boolean): CompletionEntry[] {
  const prefix = typed.length === 0 ? "" : `${typed.join(".")}.`;
  const out = new Map<string, CompletionEntry>();
  for (const action of catalogs.actions.values()) {
    if (!action.name.startsWith(prefix)) continue;
    const rest = action.name.slice(prefix.length).split(".");
    const next = rest[0]!;
    if (rest.length === 1) {
      out.set(next, { label: next, kind: ITEM.function, detail: action.name, ...(action.description === undefined ? {} : { documentation: action.description }), rank: 0 });
    } else if (!out.has(next)) {
      const count = [...catalogs.actions.keys()].filter((n) => n.startsWith(`${prefix}${next}.`)).length;
      out.set(next, { label: next, kind: ITEM.module, detail: `${prefix}${next}.* (${count} action${count === 1 ? "" : "s"})`, rank: 1 });
    }
  }
  if (wildcard && typed.length > 0 && out.size > 0) out.set("*", { label: "*", kind: ITEM.module, detail: `every action under ${prefix}`, rank: 2 });
  return [...out.values()];
}

/** The actions the statement being typed matches, from its pattern (`allow github.*`, `on deploy.*`). */
function statementActions(catalogs: CatalogSet, before: readonly AssistToken[]): string[] | undefined {
  const start = before.findIndex((t) => t.kind === "keyword" && ["allow", "approve", "deny", "on"].includes(t.image));
  if (start === -1) return undefined;
  let pattern = "";
  for (let i = start + 1; i < before.length; i++) {
    const t = before[i]!;
    if (t.kind === "name" || t.kind === "." || t.kind === "*" || (t.kind === "keyword" && pattern.endsWith("."))) pattern += t.image;
    else break;
  }
  if (pattern === "") return undefined;
  return matchActions(catalogs, pattern).map((a) => a.name);
}

/** Operands: enum members after a comparison with an enum field, constants, request roots, quantifier variables. */
function operandCompletions(snapshot: Snapshot | undefined, file: string | undefined, before: readonly AssistToken[]): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  if (snapshot !== undefined) {
    const members = comparedEnum(snapshot.catalogs, before);
    for (const m of members) out.push({ label: m, kind: ITEM.enumMember, detail: "enum member", rank: 0 });
    const pkg = file === undefined ? undefined : snapshot.packageOf(file);
    for (const c of snapshot.analysis.constants) {
      if (pkg !== undefined && c.package !== pkg) continue;
      out.push({ label: c.name, kind: ITEM.constant, detail: `constant (${c.file}:${c.decl.span.line})`, rank: 1 });
    }
  }
  for (let i = 0; i + 2 < before.length; i++) {
    if (before[i]!.kind === "keyword" && (before[i]!.image === "all" || before[i]!.image === "any") && before[i + 2]!.image === "in") {
      out.push({ label: before[i + 1]!.image, kind: ITEM.variable, detail: "quantifier variable", rank: 1 });
    }
  }
  for (const root of REQUEST_ROOTS) out.push({ label: root, kind: ITEM.variable, detail: "request", rank: 2 });
  return out;
}

/** The members of the enum field compared just before the cursor (`args.event == `, `action.costClass >= `, `x in {A, `). */
function comparedEnum(catalogs: CatalogSet, before: readonly AssistToken[]): readonly string[] {
  let op = before.length - 1;
  // Inside a set literal after `in`: step back over `{`, members and commas to the `in`.
  for (let j = op; j >= 0 && ["{", ",", "name"].includes(before[j]!.kind); j--) {
    if (before[j]!.kind === "{") {
      op = j - 1;
      break;
    }
  }
  if (op < 0 || !COMPARE.has(before[op]!.image)) return [];
  const chain = dottedEndingAt(before, op - 1);
  const [root, ...fields] = chain;
  if (root === undefined || !isRequestRoot(root)) return [];
  const facts = fieldFacts(catalogs, root, fields, statementActions(catalogs, before));
  const members = new Set<string>();
  for (const f of facts) for (const m of enumMembers(f.type) ?? []) members.add(m);
  return [...members];
}

/** The dotted name whose last segment is `before[end]`: `args . event` → ["args", "event"]. */
function dottedEndingAt(before: readonly AssistToken[], end: number): string[] {
  const out: string[] = [];
  let i = end;
  while (i >= 0 && /^[A-Za-z_]/.test(before[i]!.image) && before[i]!.kind !== "string") {
    out.unshift(before[i]!.image);
    if (i >= 1 && before[i - 1]!.kind === ".") i -= 2;
    else break;
  }
  return out;
}
