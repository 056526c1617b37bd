/**
 * Comments survive formatting where a reader expects them: own-line comments
 * above what followed them, end-of-line comments after the token they
 * followed, comments at the end of the file at the end. Each expected text
 * is also a fixed point.
 */
import { describe, expect, it } from "vitest";
import { format } from "../../compiler/format/index.js";

function fmt(source: string): string {
  const result = format(source, "comments.agp");
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(format(result.text, "comments.agp").text).toBe(result.text);
  return result.text;
}

function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

describe("comments", () => {
  it("keeps a file header, and the blank line after it, above the package", () => {
    const source = lines("# header", "# more", "", "package a.b", "# catalogs", 'actions "x.json"');
    expect(fmt(source)).toBe(source);
  });

  it("keeps a header directly above the package when the source had no blank line", () => {
    const source = lines("# header", "package a.b");
    expect(fmt(source)).toBe(source);
  });

  it("moves end-of-line comments with their clause when clauses are reordered", () => {
    const source = lines("rule r:", "  allow a.b    # the effect", '  because "x" # why', "  when c  # cond");
    expect(fmt(source)).toBe(lines("rule r:", "  allow a.b  # the effect", "  when c  # cond", '  because "x"  # why'));
  });

  it("moves own-line comments with the clause below them", () => {
    const source = lines("rule r:", "  allow a.b", "  # the reason", '  because "x"', "    # the condition", "  when c");
    expect(fmt(source)).toBe(
      lines("rule r:", "  allow a.b", "  # the condition", "  when c", "  # the reason", '  because "x"'),
    );
  });

  it("keeps the end-of-line comment of a one-line rule on the line of its last token", () => {
    expect(fmt("rule a: allow x.y when z # note")).toBe(lines("rule a:", "  allow x.y", "  when z  # note"));
    expect(fmt("rule a:   # about a\n  allow x.y")).toBe(lines("rule a:  # about a", "  allow x.y"));
  });

  it("keeps a short condition broken when comments sit between its operands", () => {
    const source = lines("rule r:", "  allow a.b", "  when a  # first", "    # second", "    and b  # third");
    expect(fmt(source)).toBe(source);
  });

  it("keeps an object broken when comments sit inside it", () => {
    const source = lines("fixture f = {", "  a: 1,  # one", "  # two", "  b: [", "    # three", "  ],", "}");
    expect(fmt(source)).toBe(source);
  });

  it("keeps comments between the rows of a where table", () => {
    const source = lines(
      'test "t":',
      "  expect $effect",
      "  where",
      "    | effect |",
      "    # the usual case",
      "    | allow  |",
      "    | deny   |  # the other one",
    );
    expect(fmt(source)).toBe(source);
  });

  it("puts a comment between statements above the next one, after the blank line", () => {
    expect(fmt(lines("rule a: allow x.y", "# about b", "rule b: allow x.z"))).toBe(
      lines("rule a:", "  allow x.y", "", "# about b", "rule b:", "  allow x.z"),
    );
  });

  it("keeps comments at the end of the file at the end, after a blank line if there was one", () => {
    expect(fmt(lines("let a = 1", "", "", "# trailing", "# more"))).toBe(lines("let a = 1", "", "# trailing", "# more"));
    expect(fmt(lines("let a = 1", "# trailing"))).toBe(lines("let a = 1", "# trailing"));
  });

  it("keeps a file of comments only", () => {
    expect(fmt(lines("# one", "", "", "# two   "))).toBe(lines("# one", "", "# two"));
  });

  it("keeps every comment when several would end the same printed line", () => {
    const source = lines("rule r:", "  allow a.b", "  when a == (b  # one", "    or c)  # two");
    const out = fmt(source);
    expect(out).toBe(lines("rule r:", "  allow a.b", "  # two", "  when a == (b or c)  # one"));
  });

  it("keeps the comments in a limit and a test", () => {
    const source = lines(
      "limit l: 5 per hour on a.*  # rate",
      "",
      'test "t":  # the case',
      "  # what is asked",
      '  request a.b { repo: "x" }  # args',
      "  expect deny  # denied",
    );
    expect(fmt(source)).toBe(source);
  });
});
