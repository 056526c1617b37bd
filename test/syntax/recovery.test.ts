/**
 * Error recovery: one run reports every broken statement of a file (first
 * error per statement, no cascades) and keeps every statement that parsed.
 */
import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { messages } from "./helpers.js";

const BROKEN = `package platform.github
actions "../schemas/github.json"

rule open_prs:
  alow github.pull_request.open

rule review_production:
  approve github.pull_request.open
  when args.repo in production_repos
  by 1 of group "infra-reviewers"

rule never_merge
  deny github.pull_request.merge

limit deploy_rate: 5 per hr on deploy.*

let envs = {"dev", "dev"}

rule sandbox: allow aws.* when args.account @ "sandbox"

test "merging is denied":
  request github.pull_request.merge
  expect deny from never_merge
`;

describe("error recovery", () => {
  it("reports every broken statement of a file, once each, in source order", () => {
    const result = parse(BROKEN, "github.agp");
    expect(renderDiagnostics(result.diagnostics, new Map([["github.agp", BROKEN]]))).toBe(`github.agp:5:3: error AGP104: expected a rule effect (allow, approve or deny) after \`rule open_prs:\`, found \`alow\`
  5 |   alow github.pull_request.open
    |   ^^^^
  help: did you mean \`allow\`?

github.agp:13:3: error AGP119: expected \`:\` after \`rule never_merge\`, found \`deny\`
  13 |   deny github.pull_request.merge
     |   ^^^^

github.agp:15:26: error AGP137: expected a time window unit (second, minute, hour, day, week or month) after \`limit deploy_rate: 5 per\`, found \`hr\`
  15 | limit deploy_rate: 5 per hr on deploy.*
     |                          ^^

github.agp:17:20: error AGP116: \`"dev"\` appears twice in this set
  17 | let envs = {"dev", "dev"}
     |                    ^^^^^
  github.agp:17:13: note: first given here
    17 | let envs = {"dev", "dev"}
       |             ^^^^^

github.agp:19:45: error AGP101: unexpected character \`@\`
  19 | rule sandbox: allow aws.* when args.account @ "sandbox"
     |                                             ^

5 errors, 0 warnings
`);
  });

  it("keeps the statements that parsed", () => {
    const kinds = parse(BROKEN, "github.agp").file.statements.map((s) => ("id" in s ? `${s.kind} ${s.id.name}` : s.kind));
    expect(kinds).toEqual(["Package", "Actions", "Rule review_production", "Let", "Test"]);
  });

  it("does not let an unclosed bracket swallow the statements after it", () => {
    const source = 'fixture f = { a: 1,\n  rule b: allow x.z\nrule c: allow x.w\n';
    const result = parse(source, "f.agp");
    // The indented `rule` is inside the open `{`, so it belongs to the fixture; the `rule` at column 1 starts anew.
    expect(result.diagnostics.map((d) => `${d.code} ${String(d.span.line)}:${String(d.span.column)}`)).toEqual(["AGP146 2:8"]);
    expect(result.file.statements.map((s) => s.kind)).toEqual(["Rule"]);
  });

  it("does not split a statement at a statement keyword inside brackets or mid-line", () => {
    const source = 'fixture f = {\n  rule: 1,\n  test: [\n  limit ]\n}\n';
    expect(messages(source)).toEqual([]);
  });

  it("reports one error per statement even when a statement has several problems", () => {
    expect(messages("rule r: alow a.b whn x because\nrule s: allow a.b\n")).toEqual([
      "AGP104 1:9 expected a rule effect (allow, approve or deny) after `rule r:`, found `alow`",
    ]);
  });

  it("reports every builder problem of a statement that parsed", () => {
    expect(messages("let s = {1, 1, \"a\"}")).toEqual([
      "AGP116 1:13 `1` appears twice in this set",
      "AGP117 1:16 a set holds values of one type, but `\"a\"` is a string and the first element is a number",
    ]);
  });

  it("reports stray text before the first statement", () => {
    expect(messages("hello world\npackage a\n")).toEqual([
      "AGP107 1:1 expected a statement (package, actions, delegation, let, rule, limit, session, label, defaults, fixture or test), found `hello`",
    ]);
  });

  it("asks for the separator an unclosed bracket is probably missing", () => {
    const help = (source: string) => parse(source, "f.agp").diagnostics.map((d) => d.help);
    expect(help("let s = {1 2}")).toEqual(["is a `,` missing before it?"]);
    expect(help("rule r: allow a.b when (a == 1 b)")).toEqual(["is an `and` or `or` missing before it?"]);
    expect(help("let s = {1, 2")).toEqual([undefined]);
  });

  it("reports the first unreadable character of each statement, and none of its consequences", () => {
    expect(messages("@ stray\nrule a: allow x.y when a == 'b'\nrule b: allow x.y when a && b\nrule c: allow x.y\n")).toEqual([
      "AGP101 1:1 unexpected character `@`",
      "AGP101 2:29 unexpected character `'`",
      "AGP101 3:26 unexpected character `&`",
    ]);
  });

  it("skips a byte-order mark, and names invisible characters by code point", () => {
    expect(messages("\uFEFFpackage a\n")).toEqual([]);
    expect(messages("let a =\u00A01")).toEqual(["AGP101 1:8 unexpected character U+00A0"]);
  });

  it("parses an empty file and a file of comments to nothing", () => {
    for (const source of ["", "\n\n", "# only a comment\n", "   "]) {
      const result = parse(source, "f.agp");
      expect(result.diagnostics).toEqual([]);
      expect(result.file.statements).toEqual([]);
    }
  });
});
