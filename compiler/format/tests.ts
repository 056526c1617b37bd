/**
 * Layout of test statements: `defaults:`, `fixture`, `test`.
 *
 * In: DefaultsDecl, FixtureDecl and TestDecl nodes. Out: their lines.
 * A test prints its clauses in the order request, agent, human, env,
 * context, state, expect, where. `expect` is one line when it fits (clauses
 * in the order from, because, by, with, charge, blocked by), else the effect
 * and then one line per clause. A `where` table aligns its columns.
 * This file must not place comments (comments.ts does, from the anchors).
 */
import {
  GIVEN_PARTS,
  type DefaultsDecl,
  type ExampleTable,
  type Expectation,
  type FixtureDecl,
  type GivenClause,
  type RequestClause,
  type TestDecl,
} from "../syntax/index.js";
import type { LayoutContext } from "./context.js";
import { stringLiteral } from "./literals.js";
import { approval } from "./rules.js";
import { INDENT, concat, fits, join, line, opening, spanned, text, width, type Inline, type Line } from "./text.js";
import { valueInline, valueLines } from "./values.js";

/** Given clauses in canonical order (agent, human, env, context, state); stable. */
export function canonicalGiven(clauses: readonly GivenClause[]): GivenClause[] {
  return [...clauses].sort((a, b) => GIVEN_PARTS.indexOf(a.part.value) - GIVEN_PARTS.indexOf(b.part.value));
}

function givenLines(clause: GivenClause, indent: number, context: LayoutContext): Line[] {
  return valueLines(concat(spanned(clause.part.value, clause.part.span), text(" ")), clause.value, indent, "", context);
}

/** `defaults:` and its given clauses. */
export function defaultsLines(node: DefaultsDecl, context: LayoutContext): Line[] {
  return [
    line(0, opening("defaults:", node.span)),
    ...canonicalGiven(node.clauses).flatMap((clause) => givenLines(clause, INDENT, context)),
  ];
}

/** `fixture name = value`. */
export function fixtureLines(node: FixtureDecl, context: LayoutContext): Line[] {
  const prefix = concat(opening("fixture ", node.span), spanned(node.name.name, node.name.span), text(" = "));
  return valueLines(prefix, node.value, 0, "", context);
}

function requestLines(node: RequestClause, indent: number, context: LayoutContext): Line[] {
  const action =
    node.action.kind === "Placeholder"
      ? spanned(`$${node.action.name}`, node.action.span)
      : spanned(node.action.segments.join("."), node.action.span);
  const head = concat(opening("request ", node.span), action);
  if (node.args === undefined) return [line(indent, head)];
  return valueLines(concat(head, text(" ")), node.args, indent, "", context);
}

function expectClauses(node: Expectation): Inline[] {
  const clauses: Inline[] = [];
  if (node.rules.length > 0) {
    const refs = node.rules.map((r) => spanned(r.kind === "Placeholder" ? `$${r.name}` : r.name, r.span));
    clauses.push(concat(text("from "), join(refs, ", ")));
  }
  if (node.reason !== undefined) {
    const reason =
      node.reason.kind === "Placeholder" ? spanned(`$${node.reason.name}`, node.reason.span) : stringLiteral(node.reason);
    clauses.push(concat(text("because "), reason));
  }
  if (node.approval !== undefined) clauses.push(concat(text("by "), approval(node.approval)));
  if (node.obligations.length > 0) {
    const items = node.obligations.map((o) =>
      concat(spanned(o.key.name, o.key.span), text(" = "), valueInline(o.value)),
    );
    clauses.push(concat(text("with "), join(items, ", ")));
  }
  if (node.charges.length > 0) {
    const items = node.charges.map((c) =>
      c.amount === undefined
        ? spanned(c.limit.name, c.limit.span)
        : concat(spanned(c.limit.name, c.limit.span), text(" = "), valueInline(c.amount)),
    );
    clauses.push(concat(text("charge "), join(items, ", ")));
  }
  if (node.blockedBy !== undefined) {
    clauses.push(concat(text("blocked by "), spanned(node.blockedBy.value, node.blockedBy.span)));
  }
  if (node.audit !== undefined) clauses.push(concat(text("audit "), spanned(node.audit.value, node.audit.span)));
  return clauses;
}

function expectLines(node: Expectation, indent: number, context: LayoutContext): Line[] {
  const effect =
    node.effect.kind === "Placeholder" ? spanned(`$${node.effect.name}`, node.effect.span) : spanned(node.effect.value, node.effect.span);
  const head = concat(opening("expect ", node.span), effect);
  const clauses = expectClauses(node);
  const oneLine = concat(head, ...clauses.map((c) => concat(text(" "), c)));
  if (fits(indent, oneLine) && !context.commentWithin(node.span)) return [line(indent, oneLine)];
  return [line(indent, head), ...clauses.map((c) => line(indent + INDENT, c))];
}

/** `where` and its rows, columns padded to the widest cell. */
function tableLines(table: ExampleTable, indent: number): Line[] {
  const header = table.columns.map((c) => spanned(c.name, c.span));
  const rows = table.rows.map((row) => row.cells.map(valueInline));
  const widths: number[] = [];
  for (const cells of [header, ...rows]) {
    cells.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell.text));
    });
  }
  const render = (cells: readonly Inline[]): Inline =>
    concat(
      text("|"),
      ...cells.map((cell, i) => concat(text(" "), cell, text(" ".repeat((widths[i] ?? 0) - width(cell.text)) + " |"))),
    );
  const rowIndent = indent + INDENT;
  return [
    line(indent, opening("where", table.span)),
    line(rowIndent, render(header)),
    ...table.rows.map((row, i) => line(rowIndent, concat(opening("", row.span), render(rows[i] ?? [])))),
  ];
}

/** A test: `test "name":` and its clauses in canonical order. */
export function testLines(node: TestDecl, context: LayoutContext): Line[] {
  const body = INDENT;
  const lines: Line[] = [line(0, concat(opening("test ", node.span), stringLiteral(node.name), text(":")))];
  if (node.request !== undefined) for (const item of requestLines(node.request, body, context)) lines.push(item);
  for (const clause of canonicalGiven(node.given)) for (const item of givenLines(clause, body, context)) lines.push(item);
  for (const item of expectLines(node.expect, body, context)) lines.push(item);
  if (node.examples !== undefined) for (const item of tableLines(node.examples, body)) lines.push(item);
  return lines;
}
