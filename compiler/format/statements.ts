/**
 * Layout of a file's statements and the blank lines between them.
 *
 * In: the statements of a PolicyFile. Out: one block of lines per
 * statement, and for each block the kind of gap before it:
 * - `none`: `package`, `actions` and `delegation` lines stay together;
 * - `keep`: consecutive one-line `let` (constants and conditions alike),
 *   `limit` or `fixture` statements stay
 *   together, separated by one blank line only where the source had one;
 * - `blank`: everything else (every rule, test, `defaults` block, and any
 *   statement that prints on several lines) gets exactly one blank line.
 * The first block has gap `start`.
 * This file must not print comments or blank lines itself (comments.ts does).
 */
import type { Statement } from "../syntax/index.js";
import type { LayoutContext } from "./context.js";
import { duration, expression, expressionClause, headedExpression, path, setLiteral } from "./expressions.js";
import { literal, numberLiteral } from "./literals.js";
import { actionPattern, ruleLines, limitLines } from "./rules.js";
import { INDENT, closing, concat, fits, join, line, opening, spanned, text, type Line } from "./text.js";
import { defaultsLines, fixtureLines, testLines } from "./tests.js";
import { internalError } from "./internal-error.js";

/** The kind of gap printed before a statement. */
export type Gap = "start" | "none" | "keep" | "blank";

/** One statement's printed lines and the gap before it. */
export interface Block {
  readonly statement: Statement;
  readonly lines: readonly Line[];
  readonly gap: Gap;
}

const HEADER_KINDS: ReadonlySet<Statement["kind"]> = new Set(["Package", "Actions", "Delegation", "Session"]);
const GROUPED_KINDS: ReadonlySet<Statement["kind"]> = new Set(["Let", "Limit", "Fixture", "Label"]);

function statementLines(statement: Statement, context: LayoutContext): Line[] {
  switch (statement.kind) {
    case "Package":
      return [line(0, concat(opening("package ", statement.span), spanned(statement.name.parts.join("."), statement.name.span)))];
    case "Actions":
      return [line(0, concat(opening("actions ", statement.span), literal(statement.path)))];
    case "Delegation":
      return [line(0, concat(opening("delegation ", statement.span), spanned(statement.mode.value, statement.mode.span)))];
    case "Let":
      return letLines(statement, context);
    case "Condition":
      return conditionLines(statement, context);
    case "Rule":
      return ruleLines(statement, context);
    case "Limit":
      return limitLines(statement, context);
    case "Session":
      return [line(0, concat(
        opening("session", statement.span),
        ...(statement.key === undefined ? [] : [text(" "), path(statement.key)]),
        ...(statement.retain === undefined ? [] : [text(" retain "), duration(statement.retain)]),
        ...(statement.track === undefined ? [] : [text(" track "), numberLiteral(statement.track)]),
      ))];
    case "Label":
      return labelLines(statement, context);
    case "Defaults":
      return defaultsLines(statement, context);
    case "Fixture":
      return fixtureLines(statement, context);
    case "Test":
      return testLines(statement, context);
    default:
      return internalError(`unknown statement kind ${(statement as { kind: string }).kind}`);
  }
}

/** `let name = value`; a set too long for one line prints one element per line. */
function letLines(statement: Statement & { kind: "Let" }, context: LayoutContext): Line[] {
  const prefix = concat(opening("let ", statement.span), spanned(statement.name.name, statement.name.span), text(" = "));
  const value = statement.value;
  if (value.kind !== "Set") return [line(0, concat(prefix, literal(value)))];
  const inline = concat(prefix, setLiteral(value));
  if (value.elements.length === 0 || (fits(0, inline) && !context.commentWithin(value.span))) return [line(0, inline)];
  return [
    line(0, concat(prefix, opening("{", value.span))),
    ...value.elements.map((element) => line(INDENT, concat(literal(element), text(",")))),
    line(0, closing("}", value.span), INDENT),
  ];
}

/** `label name on a.b, c.* [when …]`: one line when it fits and holds no comment, else the condition on its own lines. */
function labelLines(statement: Statement & { kind: "Label" }, context: LayoutContext): Line[] {
  const head = concat(
    opening("label ", statement.span),
    spanned(statement.name.name, statement.name.span),
    text(" on "),
    join(statement.patterns.map(actionPattern), ", "),
  );
  if (statement.condition === undefined) return [line(0, head)];
  const oneLine = concat(head, text(" when "), expression(statement.condition));
  if (fits(0, oneLine) && !context.commentWithin(statement.span)) return [line(0, oneLine)];
  return [line(0, head), ...expressionClause("when", statement.condition, INDENT, context)];
}

/** `let name(a, b) = condition` (no parentheses without parameters), broken like a `when` clause when long. */
function conditionLines(statement: Statement & { kind: "Condition" }, context: LayoutContext): Line[] {
  const params = statement.params.length === 0 ? [] : [text("("), join(statement.params.map((p) => spanned(p.name, p.span)), ", "), text(")")];
  const head = concat(opening("let ", statement.span), spanned(statement.name.name, statement.name.span), ...params, text(" = "));
  return headedExpression(head, statement.body, 0, context);
}

/** Constants and named conditions are both `let` statements, and group as one kind. */
function groupKind(kind: Statement["kind"]): Statement["kind"] {
  return kind === "Condition" ? "Let" : kind;
}

/** Lays out every statement of a file and decides the gap before each. */
export function layoutStatements(statements: readonly Statement[], context: LayoutContext): Block[] {
  const blocks: Block[] = [];
  let previous: { kind: Statement["kind"]; oneLine: boolean } | undefined;
  for (const statement of statements) {
    const lines = statementLines(statement, context);
    const oneLine = lines.length === 1;
    let gap: Gap = "blank";
    if (previous === undefined) gap = "start";
    else if (HEADER_KINDS.has(previous.kind) && HEADER_KINDS.has(statement.kind)) gap = "none";
    else if (previous.kind === groupKind(statement.kind) && GROUPED_KINDS.has(groupKind(statement.kind)) && previous.oneLine && oneLine) gap = "keep";
    blocks.push({ statement, lines, gap });
    previous = { kind: groupKind(statement.kind), oneLine };
  }
  return blocks;
}
