/**
 * The TextMate grammar on every example file, checked against the
 * compiler's own parse: for every AST node whose kind has a token class
 * (effects, action patterns, rule/limit/constant/fixture/package names,
 * request roots and their fields, comparison, logical, word and quantifier
 * operators, strings, numbers, literals, comments, placeholders, test
 * clauses), every character of it must carry the scope meant; and no
 * character outside whitespace is left without a scope. A few hand-written
 * lines pin what the examples do not hold (escapes, `$` placeholders in
 * requests, stray input).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { discoverPolicyFiles } from "../../compiler/project/index.js";
import { parse, type Span } from "../../compiler/syntax/index.js";
import { scopesOf } from "./tokenize.js";

const { files } = await discoverPolicyFiles(["examples"], process.cwd());
const REQUEST_ROOTS = new Set(["args", "agent", "human", "action", "context", "env"]);

interface Node {
  readonly kind: string;
  readonly span: Span;
  readonly [key: string]: unknown;
}

function nodes(value: unknown, out: Node[] = []): Node[] {
  if (typeof value !== "object" || value === null) return out;
  if (Array.isArray(value)) {
    for (const item of value) nodes(item, out);
    return out;
  }
  const node = value as Node;
  if (typeof node.kind === "string" && typeof node.span === "object") out.push(node);
  for (const [key, inner] of Object.entries(node)) if (key !== "span" && key !== "keySpan") nodes(inner, out);
  return out;
}

/** What each node's characters must be scoped as: [span, scope] pairs. */
function expectations(ast: unknown, text: string): [Span, string][] {
  const out: [Span, string][] = [];
  const at = (span: Span | undefined, scope: string) => {
    if (span !== undefined) out.push([span, scope]);
  };
  const word = (offset: number, length: number, file: string): Span => ({ file, line: 0, column: 0, endLine: 0, endColumn: 0, offset, endOffset: offset + length });
  /** The operator written between two operands (parentheses and blanks aside). */
  const between = (left: Span, right: Span, scope: string) => {
    const gap = text.slice(left.endOffset, right.offset);
    for (const match of gap.matchAll(/[^\s()]+/g)) at(word(left.endOffset + match.index, match[0].length, left.file), scope);
  };
  for (const n of nodes(ast)) {
    const first = (scope: string) => {
      const w = /^[A-Za-z]+/.exec(text.slice(n.span.offset))![0];
      at(word(n.span.offset, w.length, n.span.file), scope);
    };
    switch (n.kind) {
      case "Package":
        first("storage.type");
        at((n["name"] as Node).span, "entity.name.namespace.agp");
        break;
      case "Actions":
      case "Delegation":
      case "Defaults":
      case "Test":
        first("storage.type");
        break;
      case "Let":
        first("storage.type.let.agp");
        at((n["name"] as Node).span, "variable.other.constant.agp");
        break;
      case "Fixture":
        first("storage.type.fixture.agp");
        at((n["name"] as Node).span, "entity.name.type.fixture.agp");
        break;
      case "Rule":
        first("storage.type.rule.agp");
        at((n["id"] as Node).span, "entity.name.function.rule.agp");
        at((n["effect"] as Node).span, "keyword.control.effect.agp");
        for (const pattern of n["patterns"] as (Node & { segments: readonly unknown[] })[]) {
          at(pattern.span, pattern.segments.length === 0 ? "keyword.operator.wildcard.agp" : "support.type.action.agp");
        }
        at((n["principal"] as Node | undefined)?.span, "constant.language.principal.agp");
        at((n["audit"] as Node | undefined)?.span, "constant.language.audit.agp");
        break;
      case "Limit":
        first("storage.type.limit.agp");
        at((n["id"] as Node).span, "entity.name.function.limit.agp");
        for (const pattern of n["patterns"] as (Node & { segments: readonly unknown[] })[]) {
          at(pattern.span, pattern.segments.length === 0 ? "keyword.operator.wildcard.agp" : "support.type.action.agp");
        }
        break;
      case "ActionName":
        at(n.span, "support.type.action.agp");
        break;
      case "Expect": {
        first("keyword.control.clause.agp");
        const effect = n["effect"] as Node;
        at(effect.span, effect.kind === "Word" ? "keyword.control.effect.agp" : "variable.parameter.placeholder.agp");
        at((n["blockedBy"] as Node | undefined)?.span, "constant.language.principal.agp");
        break;
      }
      case "Given":
        at((n["part"] as Node).span, "keyword.control.clause.agp");
        break;
      case "Path": {
        const root = n["root"] as Node & { name: string };
        at(root.span, REQUEST_ROOTS.has(root.name) ? "variable.language.request.agp" : "variable.other.agp");
        for (const field of n["fields"] as Node[]) at(field.span, "variable.other.property.agp");
        break;
      }
      case "Compare":
        between((n["left"] as Node).span, (n["right"] as Node).span, /^[=!<>]/.test(String(n["op"])) ? "keyword.operator.comparison.agp" : "keyword.operator");
        break;
      case "Logical":
        between((n["left"] as Node).span, (n["right"] as Node).span, "keyword.operator.logical.agp");
        break;
      case "Not":
        first("keyword.operator.logical.agp");
        break;
      case "Has":
        first("keyword.operator.word.agp");
        break;
      case "Quantified":
        first("keyword.operator.quantifier.agp");
        break;
      case "String":
        at(n.span, "string.quoted.double.agp");
        break;
      case "Number":
        at(n.span, "constant.numeric.agp");
        break;
      case "Boolean":
      case "Null":
        at(n.span, "constant.language.agp");
        break;
      case "Placeholder":
        at(n.span, "variable.parameter.placeholder.agp");
        break;
      default:
        break;
    }
  }
  return out;
}

describe("the TextMate grammar", () => {
  it.each(files)("scopes every token class of %s as the compiler parses it", async (file) => {
    const text = readFileSync(file, "utf8");
    const parsed = parse(text, file);
    expect(parsed.diagnostics).toEqual([]);
    const scopes = await scopesOf(text);
    const wrong: string[] = [];
    const line = (offset: number) => text.slice(0, offset).split("\n").length;
    for (const [span, scope] of [...expectations(parsed.file, text), ...parsed.comments.map((c) => [c.span, "comment.line.number-sign.agp"] as [Span, string])]) {
      for (let i = span.offset; i < span.endOffset; i++) {
        if (/\s/.test(text[i]!)) continue;
        if (!(scopes[i] ?? []).some((s) => s.startsWith(scope))) {
          wrong.push(`${file}:${line(i)}: \`${text.slice(span.offset, span.endOffset)}\` should be ${scope}, is ${(scopes[i] ?? []).join(" ")}`);
          break;
        }
      }
    }
    for (let i = 0; i < text.length; i++) {
      if (!/\s/.test(text[i]!) && (scopes[i] ?? []).length < 2) wrong.push(`${file}:${line(i)}: \`${text[i]}\` has no scope`);
    }
    expect(wrong).toEqual([]);
  });

  it("scopes what the examples do not show: escapes, placeholders, wildcards, operators", async () => {
    const text = 'rule r: deny * when args.path matches "a\\"b\\q" and $x != -1.5\ntest "t":\n  request $action $args\n  expect $effect\n';
    const scopes = await scopesOf(text);
    const scopeAt = (needle: string, nth = 0) => {
      let index = -1;
      for (let k = 0; k <= nth; k++) index = text.indexOf(needle, index + 1);
      return scopes[index]!.at(-1);
    };
    expect(scopeAt("*")).toBe("keyword.operator.wildcard.agp");
    expect(scopeAt('\\"')).toBe("constant.character.escape.agp");
    expect(scopeAt("\\q")).toBe("invalid.illegal.escape.agp");
    expect(scopeAt("matches")).toBe("keyword.operator.word.agp");
    expect(scopeAt("!=")).toBe("keyword.operator.comparison.agp");
    expect(scopeAt("-1.5")).toBe("constant.numeric.agp");
    expect(scopeAt("$x")).toBe("variable.parameter.placeholder.agp");
    expect(scopeAt("$action")).toBe("variable.parameter.placeholder.agp");
    expect(scopeAt("$effect")).toBe("variable.parameter.placeholder.agp");
    expect(scopeAt("request")).toBe("keyword.control.clause.agp");
  });
});
