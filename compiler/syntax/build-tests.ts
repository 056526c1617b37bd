/**
 * CST → AST for test statements: `defaults`, `fixture`, `test`, and the
 * JSON-like test data they hold.
 *
 * In: the CST node of one statement. Out: its AST node, or undefined when a
 * test has no `expect` (AGP144). Also reported here: clauses given twice
 * (AGP124), duplicate object keys (AGP147), table rows whose width differs
 * from the header (AGP149), header cells that are not names (AGP150), and
 * `$placeholders` that name no column (AGP151) or sit in a test without a
 * table (AGP152).
 * This file must not consume tokens or call the parser.
 */
import { didYouMean } from "../diagnostics/index.js";
import { AUDIT_LEVELS, type AuditLevel } from "./ast.js";
import type {
  ArrayValue, Charge, ExampleTable, Expectation, ExpectedObligation, GivenClause, GivenPart, Identifier, ObjectEntry,
  ObjectValue, Placeholder, RequestClause, Statement, TestDecl, TestValue,
} from "./ast.js";
import { approval, type Builder, ClauseSet, identifier, literal, stringLiteral, word } from "./build-common.js";
import { firstToken, principal } from "./build-policy.js";
import type {
  ArrayCstNode, ChargeCstNode, DefaultsDeclCstNode, ExpectationCstNode, ExpectedObligationCstNode, FixtureDeclCstNode,
  GivenCstNode, ObjectCstNode, RowCstNode, TestClauseCstNode, TestDeclCstNode, ValueCstNode,
} from "./cst.generated.js";
import { StringLit } from "./tokens.js";
import type { IToken } from "chevrotain";

export function defaultsDecl(b: Builder, node: DefaultsDeclCstNode): Statement {
  const clauses = new ClauseSet(b, "`defaults` block");
  const given = (node.children.given ?? []).filter((g) => clauses.first(g.children.part![0]));
  return { kind: "Defaults", clauses: given.map((g) => givenClause(b, g, [])), span: b.span(node) };
}

export function fixtureDecl(b: Builder, node: FixtureDeclCstNode): Statement {
  const c = node.children;
  return { kind: "Fixture", name: identifier(b, c.name[0]!), value: value(b, c.value[0]!, []), span: b.span(node) };
}

export function testDecl(b: Builder, node: TestDeclCstNode): TestDecl | undefined {
  const c = node.children;
  const name = stringLiteral(b, c.name[0]!);
  const clauses = new ClauseSet(b, "test");
  const chosen: TestClauseCstNode[] = [];
  for (const clause of c.testClause ?? []) {
    const k = clause.children;
    const keyword = k.KwRequest?.[0] ?? k.KwExpect?.[0] ?? k.KwWhere?.[0] ?? k.given?.[0]?.children.part?.[0];
    if (clauses.first(keyword)) chosen.push(clause);
  }
  const placeholders: Placeholder[] = [];
  let request: RequestClause | undefined;
  const given: GivenClause[] = [];
  let expect: Expectation | undefined;
  let examples: ExampleTable | undefined;
  for (const clause of chosen) {
    const k = clause.children;
    if (k.KwRequest) request = requestClause(b, clause, placeholders);
    else if (k.given) given.push(givenClause(b, k.given[0]!, placeholders));
    else if (k.expectation) expect = expectation(b, clause, k.expectation[0]!, placeholders);
    else if (k.rows) examples = table(b, clause, k.rows);
  }
  checkPlaceholders(b, placeholders, examples);
  if (expect === undefined) {
    b.report("AGP144", name.span, { name: b.statement.source.slice(name.span.offset, name.span.endOffset) });
    return undefined;
  }
  return {
    kind: "Test",
    name,
    ...(request ? { request } : {}),
    given,
    expect,
    ...(examples ? { examples } : {}),
    span: b.span(node),
  };
}

function requestClause(b: Builder, clause: TestClauseCstNode, placeholders: Placeholder[]): RequestClause {
  const k = clause.children;
  let action: RequestClause["action"];
  if (k.actionPlaceholder) {
    action = placeholder(b, k.actionPlaceholder[0]!, placeholders);
  } else {
    const node = k.actionName![0]!;
    action = { kind: "ActionName", segments: node.children.segments.map((t) => t.image), span: b.span(node) };
  }
  const args = k.args ? { args: value(b, k.args[0]!, placeholders) } : {};
  return { kind: "Request", action, ...args, span: b.span(clause) };
}

function givenClause(b: Builder, node: GivenCstNode, placeholders: Placeholder[]): GivenClause {
  const part = word<GivenPart>(b, node.children.part![0]!);
  return { kind: "Given", part, value: value(b, node.children.value![0]!, placeholders), span: b.span(node) };
}

function expectation(
  b: Builder,
  clause: TestClauseCstNode,
  node: ExpectationCstNode,
  placeholders: Placeholder[],
): Expectation {
  const c = node.children;
  const effect = c.effectPlaceholder
    ? placeholder(b, c.effectPlaceholder[0]!, placeholders)
    : word<"allow" | "approve" | "deny">(b, firstToken(c.effect![0]!.children));
  const clauses = new ClauseSet(b, "expectation");
  let rules: (Identifier | Placeholder)[] = [];
  let reason: Expectation["reason"];
  let obligations: ExpectedObligation[] = [];
  let approvalRequirement: Expectation["approval"];
  let charges: Charge[] = [];
  let blockedBy: Expectation["blockedBy"];
  let audit: Expectation["audit"];
  for (const e of c.expectClause ?? []) {
    const k = e.children;
    if (k.KwFrom && clauses.first(k.KwFrom[0])) {
      rules = (k.rules ?? []).map((r) => {
        const t = firstToken(r.children);
        return t.image.startsWith("$") ? placeholder(b, t, placeholders) : identifier(b, t);
      });
    } else if (k.KwBecause && clauses.first(k.KwBecause[0])) {
      const t = k.reason![0]!;
      reason = t.tokenType === StringLit ? stringLiteral(b, t) : placeholder(b, t, placeholders);
    } else if (k.KwWith && clauses.first(k.KwWith[0])) {
      obligations = (k.obligations ?? []).map((o) => expectedObligation(b, o, placeholders));
    } else if (k.KwBlocked && clauses.first(k.KwBlocked[0], "blocked by")) {
      blockedBy = principal(b, k.principal![0]!);
    } else if (k.KwBy && !k.KwBlocked && clauses.first(k.KwBy[0])) {
      approvalRequirement = approval(b, k.approval![0]!);
    } else if (k.KwCharge && clauses.first(k.KwCharge[0])) {
      charges = (k.charges ?? []).map((ch) => charge(b, ch, placeholders));
    } else if (k.KwAudit && clauses.first(k.KwAudit[0])) {
      const level = k.level![0]!;
      if ((AUDIT_LEVELS as readonly string[]).includes(level.image)) audit = word<AuditLevel>(b, level);
      else b.unexpected("audit-level", level);
    }
  }
  return {
    kind: "Expect",
    effect,
    rules,
    ...(reason ? { reason } : {}),
    obligations,
    ...(approvalRequirement ? { approval: approvalRequirement } : {}),
    charges,
    ...(blockedBy ? { blockedBy } : {}),
    ...(audit ? { audit } : {}),
    span: b.span(clause),
  };
}

function expectedObligation(b: Builder, node: ExpectedObligationCstNode, placeholders: Placeholder[]): ExpectedObligation {
  const c = node.children;
  return {
    kind: "ExpectedObligation",
    key: identifier(b, c.key[0]!),
    value: value(b, c.value[0]!, placeholders),
    span: b.span(node),
  };
}

function charge(b: Builder, node: ChargeCstNode, placeholders: Placeholder[]): Charge {
  const c = node.children;
  const amount = c.amount ? { amount: value(b, c.amount[0]!, placeholders) } : {};
  return { kind: "Charge", limit: identifier(b, c.limit[0]!), ...amount, span: b.span(node) };
}

function table(b: Builder, clause: TestClauseCstNode, rows: RowCstNode[]): ExampleTable {
  const [header, ...body] = rows;
  const columns: Identifier[] = [];
  for (const cell of header!.children.cells) {
    const name = cell.children.name?.[0];
    if (name !== undefined && cell.children.overrides === undefined) {
      columns.push(identifier(b, name));
      continue;
    }
    const span = b.span(cell);
    b.report("AGP150", span, { found: `\`${b.text(cell)}\`` });
    // A quoted column name still names its column, so its `$placeholders` are not reported again.
    const quoted = cell.children.literal?.[0]?.children.StringLit?.[0];
    if (quoted !== undefined) columns.push({ kind: "Identifier", name: stringLiteral(b, quoted).value, span });
  }
  const width = header!.children.cells.length;
  const cases = body.map((row) => {
    const cells = row.children.cells.map((cell) => value(b, cell, []));
    if (cells.length !== width) b.report("AGP149", b.span(row), { cells: count(cells.length, "cell"), columns: count(width, "column") });
    return { kind: "Row" as const, cells, span: b.span(row) };
  });
  return { kind: "Examples", columns, rows: cases, span: b.span(clause) };
}

function checkPlaceholders(b: Builder, placeholders: readonly Placeholder[], examples: ExampleTable | undefined): void {
  if (examples === undefined) {
    for (const p of placeholders) b.report("AGP152", p.span, { name: p.name });
    return;
  }
  const columns = examples.columns.map((c) => c.name);
  for (const p of placeholders) {
    if (columns.includes(p.name)) continue;
    const help = didYouMean(p.name, columns) ?? `the table's columns are ${columns.map((c) => `\`${c}\``).join(", ")}`;
    b.report("AGP151", p.span, { name: p.name }, help.replace(/`(\w+)`\?$/, "`$$$1`?"));
  }
}

function placeholder(b: Builder, token: IToken, placeholders: Placeholder[]): Placeholder {
  const p: Placeholder = { kind: "Placeholder", name: token.image.slice(1), span: b.tokenSpan(token) };
  placeholders.push(p);
  return p;
}

/** Test data; `$placeholders` found inside are appended to `placeholders`. */
export function value(b: Builder, node: ValueCstNode, placeholders: Placeholder[]): TestValue {
  const c = node.children;
  if (c.literal) return literal(b, c.literal[0]!);
  if (c.object) return object(b, c.object[0]!, placeholders);
  if (c.array) return array(b, c.array[0]!, placeholders);
  if (c.Placeholder) return placeholder(b, c.Placeholder[0]!, placeholders);
  const nameToken = c.name![0]!;
  const base = { kind: "Name" as const, name: nameToken.image, span: b.tokenSpan(nameToken) };
  if (c.overrides === undefined) return base;
  return { kind: "Merge", base, overrides: object(b, c.overrides[0]!, placeholders), span: b.span(node) };
}

function object(b: Builder, node: ObjectCstNode, placeholders: Placeholder[]): ObjectValue {
  const seen = new Map<string, ObjectEntry>();
  const entries = (node.children.entries ?? []).map((e): ObjectEntry => {
    const keyToken = e.children.key![0]!;
    const key = keyToken.tokenType === StringLit ? stringLiteral(b, keyToken).value : keyToken.image;
    const entry: ObjectEntry = {
      kind: "Entry",
      key,
      keySpan: b.tokenSpan(keyToken),
      value: value(b, e.children.value[0]!, placeholders),
      span: b.span(e),
    };
    const earlier = seen.get(key);
    if (earlier !== undefined) b.report("AGP147", entry.keySpan, { key }, undefined, earlier.keySpan);
    else seen.set(key, entry);
    return entry;
  });
  return { kind: "Object", entries, span: b.span(node) };
}

function array(b: Builder, node: ArrayCstNode, placeholders: Placeholder[]): ArrayValue {
  const items = (node.children.items ?? []).map((v) => value(b, v, placeholders));
  return { kind: "Array", items, span: b.span(node) };
}

function count(n: number, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? "" : "s"}`;
}
