/**
 * The JSON position mapper: catalog errors must point at the right line and
 * column of the .json file, and broken JSON must say where and why.
 */
import { describe, expect, it } from "vitest";
import { parseJsonSource, parsePointer, toPointer } from "../../compiler/catalog/index.js";

const text = `{
  "family": "github",
  "actions": {
    "pull_request.open": { "args": { "type": "object" } },
    "a/b~c": [1, 2, 3]
  }
}
`;

describe("parseJsonSource", () => {
  const source = parseJsonSource("github.json", text);

  it("parses the same value as JSON.parse", () => {
    expect(source.problems).toEqual([]);
    expect(source.value).toEqual(JSON.parse(text));
  });

  it("maps a pointer to the span of its value", () => {
    const span = source.spanOf("/actions/pull_request.open/args/type");
    expect([span.line, span.column, span.endLine, span.endColumn]).toEqual([4, 46, 4, 54]);
    expect(text.slice(span.offset, span.endOffset)).toBe('"object"');
  });

  it("maps a pointer to its key when asked", () => {
    const span = source.spanOf("/actions/pull_request.open", { key: true });
    expect(text.slice(span.offset, span.endOffset)).toBe('"pull_request.open"');
    expect([span.line, span.column]).toEqual([4, 5]);
  });

  it("unescapes ~1 and ~0 and indexes arrays", () => {
    const span = source.spanOf("/actions/a~1b~0c/2");
    expect(text.slice(span.offset, span.endOffset)).toBe("3");
    expect(span.line).toBe(5);
  });

  it("falls back to the nearest existing ancestor for a missing member", () => {
    const span = source.spanOf("/actions/pull_request.open/metadata");
    expect(text.slice(span.offset, span.endOffset)).toBe('{ "args": { "type": "object" } }');
  });

  it("round-trips pointers with special characters", () => {
    expect(toPointer(["actions", "a/b~c"])).toBe("/actions/a~1b~0c");
    expect(parsePointer("/actions/a~1b~0c")).toEqual(["actions", "a/b~c"]);
    expect(parsePointer("")).toEqual([]);
  });
});

describe("broken JSON", () => {
  const problem = (json: string) => {
    const source = parseJsonSource("x.json", json);
    const first = source.problems[0];
    if (first === undefined) return undefined;
    const span = source.spanAt(first.offset, first.endOffset);
    return `${span.line}:${span.column} ${first.message}`;
  };

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', '3:3 missing `,` before this property'],
    ['{"a": [1 2]}', "1:10 missing `,` before this element"],
    ['{"a": 1,}', "1:9 trailing comma before `}`"],
    ["[1, 2,]", "1:7 trailing comma before `]`"],
    ["{a: 1}", "1:2 expected a property name in double quotes, found `a`"],
    ['{"a": "b}', "1:7 unterminated string"],
    ['{"a": tru}', "1:7 expected a JSON value, found `tru`"],
    ['{"a": 01}', "1:8 expected `,` or `}` after an object member, found `1`"],
    ['{"a": "\\x"}', "1:8 invalid escape `\\x` in a string"],
    ["", "1:1 the file is empty; expected a JSON object"],
    ['{"a": 1} x', "1:10 unexpected `x` after the end of the document"],
    ['{"a": 1', "1:8 expected `,` or `}` after an object member, found the end of the file"],
  ])("%j → %s", (json, expected) => {
    expect(problem(json)).toBe(expected);
  });

  it("has no value when the text is not JSON", () => {
    expect(parseJsonSource("x.json", "{").value).toBeUndefined();
  });

  it("reports a repeated key but keeps the last value, as JSON.parse does", () => {
    const source = parseJsonSource("x.json", '{"a": 1, "a": 2}');
    expect(source.value).toEqual({ a: 2 });
    expect(source.problems.map((p) => [p.duplicateKey, p.offset])).toEqual([["a", 9]]);
  });

  it("keeps a key named __proto__ as an ordinary key", () => {
    const source = parseJsonSource("x.json", '{"__proto__": {"polluted": true}}');
    expect(Object.keys(source.value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    expect(problem("[".repeat(100_000))).toBe("1:257 values nested deeper than 256 levels");
    expect(parseJsonSource("x.json", `${"[".repeat(200)}${"]".repeat(200)}`).problems).toEqual([]);
  });

  it("skips a byte-order mark", () => {
    expect(parseJsonSource("x.json", "\uFEFF{}").value).toEqual({});
  });
});
