/**
 * Spans and comments: every node knows its file, 1-based line/column, its
 * end one past the last character, and its offsets; comments are all kept.
 */
import { describe, expect, it } from "vitest";
import { parse, stripSpans, type LimitDecl, type RuleDecl, type Span, type TestDecl } from "../../compiler/syntax/index.js";

const SOURCE = `# header comment
rule never_merge:   # why
  deny github.pull_request.merge
  when args.repo == "a\\"b" and not has args.x
`;

/** The source text a span covers. */
function text(source: string, span: Span): string {
  return source.slice(span.offset, span.endOffset);
}

describe("spans", () => {
  const result = parse(SOURCE, "policies/github.agp");
  const rule = result.file.statements[0] as RuleDecl;

  it("locates a statement and its parts by line, column and offset", () => {
    expect(result.diagnostics).toEqual([]);
    expect(rule.span).toEqual({
      file: "policies/github.agp",
      line: 2,
      column: 1,
      endLine: 4,
      endColumn: 46,
      offset: 17,
      endOffset: SOURCE.indexOf("args.x") + 6,
    });
    expect(rule.id.span).toMatchObject({ line: 2, column: 6, endLine: 2, endColumn: 17 });
    expect(text(SOURCE, rule.id.span)).toBe("never_merge");
    expect(text(SOURCE, rule.effect.span)).toBe("deny");
    expect(text(SOURCE, rule.patterns[0]!.span)).toBe("github.pull_request.merge");
  });

  it("spans expressions from their first to their last character", () => {
    const condition = rule.condition!;
    expect(text(SOURCE, condition.span)).toBe('args.repo == "a\\"b" and not has args.x');
    if (condition.kind !== "Logical") throw new Error("expected and");
    expect(text(SOURCE, condition.left.span)).toBe('args.repo == "a\\"b"');
    expect(text(SOURCE, condition.right.span)).toBe("not has args.x");
    if (condition.left.kind !== "Compare") throw new Error("expected ==");
    expect(text(SOURCE, condition.left.right.span)).toBe('"a\\"b"');
    expect(condition.left.right).toMatchObject({ kind: "String", value: 'a"b' });
  });

  it("spans the file from its start to its end", () => {
    expect(result.file.span).toMatchObject({ line: 1, column: 1, endLine: 5, endColumn: 1, offset: 0, endOffset: SOURCE.length });
  });

  it("spans limits, windows, tests and object keys", () => {
    const source = 'limit l: 5 per 10 minutes on a.*\ntest "t":\n  request a.b { "k": 1 }\n  expect allow\n';
    const [limit, test] = parse(source, "f.agp").file.statements as [LimitDecl, TestDecl];
    expect(text(source, limit.window.span)).toBe("per 10 minutes");
    expect(text(source, limit.measure.span)).toBe("5");
    expect(text(source, test.request!.span)).toBe('request a.b { "k": 1 }');
    expect(text(source, test.expect!.span)).toBe("expect allow");
    const args = test.request!.args!;
    if (args.kind !== "Object") throw new Error("expected an object");
    expect(text(source, args.entries[0]!.keySpan)).toBe('"k"');
    expect(text(source, args.entries[0]!.span)).toBe('"k": 1');
  });

  it("counts lines across CRLF line endings", () => {
    const source = "let a = 1\r\nlet b = 2\r\n";
    const [, b] = parse(source, "f.agp").file.statements;
    expect(b!.span).toMatchObject({ line: 2, column: 1, endLine: 2, endColumn: 10, offset: 11 });
  });
});

describe("comments", () => {
  it("returns every comment with its text, whether it owns its line, and its span", () => {
    const { comments } = parse(SOURCE, "f.agp");
    expect(comments.map((c) => ({ text: c.text, ownLine: c.ownLine, line: c.span.line, column: c.span.column }))).toEqual([
      { text: " header comment", ownLine: true, line: 1, column: 1 },
      { text: " why", ownLine: false, line: 2, column: 21 },
    ]);
  });

  it("keeps comments inside statements, in brackets, and at the end of a file without a newline", () => {
    const source = "let s = {\n  # inside\n  1, # one\n}\n  # indented own line\nlet t = 2 #last";
    const result = parse(source, "f.agp");
    expect(result.diagnostics).toEqual([]);
    expect(result.file.statements).toHaveLength(2);
    expect(result.comments.map((c) => [c.text, c.ownLine])).toEqual([
      [" inside", true],
      [" one", false],
      [" indented own line", true],
      ["last", false],
    ]);
  });

  it("never takes a `#` inside a string for a comment", () => {
    const result = parse('let a = "x # y" # c', "f.agp");
    expect(result.file.statements[0]).toMatchObject({ value: { kind: "String", value: "x # y" } });
    expect(result.comments.map((c) => c.text)).toEqual([" c"]);
  });

  it("keeps comments of statements that fail to parse", () => {
    const result = parse("rule x: # note\n  alow a.b\n", "f.agp");
    expect(result.diagnostics).toHaveLength(1);
    expect(result.comments.map((c) => c.text)).toEqual([" note"]);
  });
});

describe("stripSpans", () => {
  it("drops every span and keySpan, deeply, without touching its input", () => {
    const file = parse('fixture f = { "k": [1] }', "f.agp").file;
    const stripped = stripSpans(file);
    expect(JSON.stringify(stripped)).not.toMatch(/span|keySpan/i);
    expect(stripped).toEqual({
      kind: "File",
      file: "f.agp",
      statements: [
        {
          kind: "Fixture",
          name: { kind: "Identifier", name: "f" },
          value: {
            kind: "Object",
            entries: [{ kind: "Entry", key: "k", value: { kind: "Array", items: [{ kind: "Number", value: 1 }] } }],
          },
        },
      ],
    });
    expect(file.span).toBeDefined();
    expect(JSON.stringify(file)).toMatch(/keySpan/);
  });
});
