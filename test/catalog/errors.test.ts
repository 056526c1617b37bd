/**
 * Golden tests for every AGP4xx code: the exact text a user sees, with the
 * caret on the right line of the catalog file. docs/errors.md shows the same
 * examples; when a message changes, both change.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCatalog, loadCatalogFiles } from "../../compiler/catalog/index.js";
import { renderDiagnostics, sortDiagnostics, type Span } from "../../compiler/diagnostics/index.js";

const FILE = "schemas/x.json";
const HEAD = `"$schema": "https://json-schema.org/draft/2020-12/schema"`;

function rendered(text: string): string {
  const { diagnostics } = loadCatalog(FILE, text);
  return renderDiagnostics(sortDiagnostics(diagnostics), new Map([[FILE, text]]));
}

const errorsDoc = readFileSync("docs/errors.md", "utf8");

/** The example in docs/errors.md: the catalog (or policy) text and the output, without the count line. */
function expectDocumented(input: string, output: string): void {
  expect(errorsDoc).toContain(input);
  expect(errorsDoc).toContain(output.replace(/\n\n\d+ errors?, \d+ warnings?\n$/, "\n"));
}

/** The exact rendered text, which docs/errors.md shows too. */
function golden(text: string, expected: string): void {
  expect(rendered(text)).toBe(expected);
  expectDocumented(text, expected);
}

describe("AGP4xx messages", () => {
  it("AGP400: a catalog that cannot be read is reported where the policy names it", async () => {
    const policy = 'package platform.github\nactions "../schemas/gitub.json"\n';
    const from: Span = { file: "policies/github.agp", line: 2, column: 9, endLine: 2, endColumn: 32, offset: 32, endOffset: 55 };
    // As `agp check` names it: the .agp file's directory joined with the statement's path.
    const { diagnostics } = await loadCatalogFiles([{ path: "policies/../schemas/gitub.json", from }], { cwd: "test/fixtures/catalog" });
    const expected = `policies/github.agp:2:9: error AGP400: cannot read catalog \`schemas/gitub.json\`: no such file or directory
  2 | actions "../schemas/gitub.json"
    |         ^^^^^^^^^^^^^^^^^^^^^^^
  help: check the path in the \`actions\` statement; it is relative to the .agp file

1 error, 0 warnings
`;
    expect(renderDiagnostics(diagnostics, new Map([["policies/github.agp", policy]]))).toBe(expected);
    expectDocumented(policy, expected);
  });

  it("AGP401: invalid JSON, at the position of the mistake", () => {
    golden(`{\n  ${HEAD},\n  "family": "github"\n  "actions": {}\n}\n`, 
      `schemas/x.json:4:3: error AGP401: invalid JSON: missing \`,\` before this property
  4 |   "actions": {}
    |   ^

1 error, 0 warnings
`,
    );
  });

  it("AGP402: the catalog format is violated, naming the JSON pointer", () => {
    const text = `{\n  ${HEAD},\n  "family": "github",\n  "actions": {\n    "pull_request.open": {\n      "args": { "type": "object" },\n      "metdata": { "readOnly": false }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:7:7: error AGP402: invalid catalog at \`/actions/pull_request.open/metdata\`: unknown property \`metdata\`
  7 |       "metdata": { "readOnly": false }
    |       ^^^^^^^^^
  help: did you mean \`metadata\`?

1 error, 0 warnings
`,
    );
  });

  it("AGP402: an action name policies could not write", () => {
    const text = `{\n  ${HEAD},\n  "family": "github",\n  "actions": {\n    "pull request": { "args": { "type": "object" } }\n  }\n}\n`;
    expect(rendered(text)).toBe(
      `schemas/x.json:5:5: error AGP402: invalid catalog at \`/actions/pull request\`: \`pull request\` is not an action name
  5 |     "pull request": { "args": { "type": "object" } }
    |     ^^^^^^^^^^^^^^
  help: use letters, digits, \`_\` and inner \`-\`, starting with a letter or \`_\`, with \`.\` between words (\`pull_request.open\`)

1 error, 0 warnings
`,
    );
  });

  it("AGP403: an args schema that is not valid JSON Schema", () => {
    const text = `{\n  ${HEAD},\n  "family": "github",\n  "actions": {\n    "issue.create": {\n      "args": {\n        "type": "object",\n        "properties": { "title": { "type": "text", "maxLength": 256 } }\n      }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:8:44: error AGP403: the schema at \`/actions/issue.create/args/properties/title/type\` is not valid JSON Schema 2020-12: \`text\` must be one of \`array\`, \`boolean\`, \`integer\`, \`null\`, \`number\`, \`object\`, \`string\`
  8 |         "properties": { "title": { "type": "text", "maxLength": 256 } }
    |                                            ^^^^^^

1 error, 0 warnings
`,
    );
  });

  it("AGP403: a pattern that does not compile", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "actions": {\n    "exec": { "args": { "type": "object", "properties": { "cwd": { "pattern": "(" } } } }\n  }\n}\n`;
    expect(rendered(text)).toBe(
      `schemas/x.json:5:79: error AGP403: the schema at \`/actions/exec/args/properties/cwd/pattern\` is not valid JSON Schema 2020-12: \`(\` is not a valid regular expression (unterminated group)
  5 |     "exec": { "args": { "type": "object", "properties": { "cwd": { "pattern": "(" } } } }
    |                                                                               ^^^

1 error, 0 warnings
`,
    );
  });

  it("AGP403: a reference to a definition that does not exist, at the reference", () => {
    const text = `{\n  ${HEAD},\n  "family": "github",\n  "$defs": { "repo": { "type": "string", "maxLength": 140 } },\n  "actions": {\n    "issue.create": { "args": { "type": "object", "properties": { "repo": { "$ref": "#/$defs/rpo" } } } }\n  }\n}\n`;
    expect(rendered(text)).toContain(
      "schemas/x.json:6:85: error AGP403: the schema at `/actions/issue.create/args/properties/repo/$ref` is not valid JSON Schema 2020-12: `$ref` `#/$defs/rpo` names nothing in this catalog's `$defs`",
    );
  });

  it("AGP404: a metadata value of the wrong type", () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "metadata": {\n    "costClass": { "enum": ["low", "medium", "high"], "x-agp-ordered": true }\n  },\n  "actions": {\n    "s3.delete_bucket": {\n      "metadata": { "costClass": "extreme" },\n      "args": { "type": "object" }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:9:34: error AGP404: metadata \`costClass\` of action \`aws.s3.delete_bucket\` must be one of low, medium, high, found \`"extreme"\`
  9 |       "metadata": { "costClass": "extreme" },
    |                                  ^^^^^^^^^
  help: the catalog's \`metadata\` section declares the type of \`costClass\`

1 error, 0 warnings
`,
    );
  });

  it("AGP404: readOnly is a boolean", () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "actions": {\n    "s3.get_object": { "metadata": { "readOnly": "yes" }, "args": { "type": "object" } }\n  }\n}\n`;
    expect(rendered(text)).toContain(
      "error AGP404: metadata `readOnly` of action `aws.s3.get_object` must be a boolean, found `\"yes\"`",
    );
  });

  it("AGP405: an undeclared metadata key, with a did-you-mean", () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "actions": {\n    "s3.get_object": {\n      "metadata": { "readonly": true },\n      "args": { "type": "object" }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:6:21: error AGP405: action \`aws.s3.get_object\` sets metadata \`readonly\`, which the catalog does not declare
  6 |       "metadata": { "readonly": true },
    |                     ^^^^^^^^^^
  help: did you mean \`readOnly\`?

1 error, 0 warnings
`,
    );
  });

  it("AGP406: a declared metadata key without a value or default", () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "metadata": {\n    "costClass": { "enum": ["low", "medium", "high"] }\n  },\n  "actions": {\n    "s3.get_object": {\n      "metadata": { "readOnly": true },\n      "args": { "type": "object" }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:9:7: error AGP406: action \`aws.s3.get_object\` has no value for metadata \`costClass\`
  9 |       "metadata": { "readOnly": true },
    |       ^^^^^^^^^^
  help: set \`costClass\` in the action's \`metadata\`, or give the declaration a \`default\`

1 error, 0 warnings
`,
    );
  });

  it("AGP407: a construct that gives a field no single type", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "actions": {\n    "exec": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "command": { "allOf": [{ "type": "string" }, { "maxLength": 100 }] }\n        }\n      }\n    }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:9:24: error AGP407: \`allOf\` at \`/actions/exec/args/properties/command/allOf\` is not supported in catalogs: a field's type would be the intersection of schemas
  9 |           "command": { "allOf": [{ "type": "string" }, { "maxLength": 100 }] }
    |                        ^^^^^^^
  help: merge the subschemas into one schema

1 error, 0 warnings
`,
    );
  });

  it("AGP407: a reference outside the catalog", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "actions": {\n    "exec": { "args": { "$ref": "common.json#/exec" } }\n  }\n}\n`;
    expect(rendered(text)).toContain(
      "schemas/x.json:5:33: error AGP407: `$ref` at `/actions/exec/args/$ref` is not supported in catalogs: only references into the catalog's own `$defs` (`#/$defs/…`) are supported",
    );
  });

  it("AGP407: a validation keyword agp refuses rather than ignore", () => {
    const text = `{\n  ${HEAD},\n  "family": "mail",\n  "actions": {\n    "send": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "to": { "type": "array", "items": { "type": "string", "maxLength": 254 }, "maxItems": 50, "contains": { "const": "audit@acme.com" } }\n        }\n      }\n    }\n  }\n}\n`;
    golden(text,
      `schemas/x.json:9:101: error AGP407: \`contains\` at \`/actions/send/args/properties/to/contains\` is not supported in catalogs: agp does not check \`contains\` on requests
  9 |           "to": { "type": "array", "items": { "type": "string", "maxLength": 254 }, "maxItems": 50, "contains": { "const": "audit@acme.com" } }
    |                                                                                                     ^^^^^^^^^^
  help: test it in a rule: \`any x in args.list: …\`

1 error, 0 warnings
`,
    );
  });

  it("AGP408: a keyword JSON Schema does not define is ignored, with a warning", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "actions": {\n    "exec": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "command": { "type": "string", "maxLength": 64, "nullable": true }\n        }\n      }\n    }\n  }\n}\n`;
    golden(text,
      `schemas/x.json:9:59: warning AGP408: \`nullable\` at \`/actions/exec/args/properties/command/nullable\` is ignored: it is not a JSON Schema 2020-12 keyword
  9 |           "command": { "type": "string", "maxLength": 64, "nullable": true }
    |                                                           ^^^^^^^^^^
  help: agp ignores keywords JSON Schema does not define; prefix your own with \`x-\`

0 errors, 1 warning
`,
    );
  });

  it("AGP413: a pattern no finite automaton decides", () => {
    const text = `{\n  ${HEAD},\n  "family": "github",\n  "actions": {\n    "repo.read": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "repo": { "type": "string", "maxLength": 140, "pattern": "^(\\\\w+)/\\\\1$" }\n        }\n      }\n    }\n  }\n}\n`;
    golden(text,
      `schemas/x.json:9:68: error AGP413: the pattern at \`/actions/repo.read/args/properties/repo/pattern\` cannot be enforced: back-references are not supported
  9 |           "repo": { "type": "string", "maxLength": 140, "pattern": "^(\\\\w+)/\\\\1$" }
    |                                                                    ^^^^^^^^^^^^^^
  help: agp enforces patterns a finite automaton decides (no back-references, lookaround, \`\\b\` or \`\\p{…}\`); rewrite it, or test the value with \`matches\` in a rule

1 error, 0 warnings
`,
    );
    const { diagnostics } = loadCatalog(FILE, text.replace("^(\\\\w+)/\\\\1$", "(a|b)*a(a|b){12}"));
    expect(diagnostics.map((d) => d.message)).toEqual([
      "the pattern at `/actions/repo.read/args/properties/repo/pattern` cannot be enforced: its automaton needs more than 1024 states",
    ]);
  });

  it("AGP414: a schema nested deeper than agp reads, through nesting or a chain of $ref", () => {
    const chain = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`d${i}`, i === 39 ? { type: "string" } : { $ref: `#/$defs/d${i + 1}` }]));
    const text = JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", family: "x", $defs: chain, actions: { a: { args: { type: "object", properties: { v: { $ref: "#/$defs/d0" } } } } } }, null, 2);
    expect(rendered(text)).toBe(`schemas/x.json:98:12: error AGP414: the schema at \`/$defs/d31\` nests more than 32 levels deep (counting \`$ref\`s)
  98 |     "d31": {
     |            ^
  help: flatten the schema; a request field nested this deep cannot be read by a policy anyway

1 error, 0 warnings
`);
    const nested = `${'{"type": "array", "maxItems": 1, "items": '.repeat(40)}{"type": "string"}${"}".repeat(40)}`;
    const deep = JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", family: "x", actions: { a: { args: JSON.parse(`{"type": "object", "properties": {"v": ${nested}}}`) } } });
    expect(loadCatalog(FILE, deep).diagnostics.map((d) => d.code)).toEqual(["AGP414"]);
  });

  it("AGP415: an enum too large to compile, as a hostile tool list may send", () => {
    const members = Array.from({ length: 130_000 }, (_, i) => `"m${i}"`).join(", ");
    const text = `{\n  ${HEAD},\n  "family": "cal",\n  "actions": {\n    "event.create": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "timezone": {\n            "enum": [${members}]\n          }\n        }\n      }\n    }\n  }\n}\n`;
    const { diagnostics } = loadCatalog(FILE, text);
    expect(diagnostics.map((d) => [d.code, d.message, d.span.line, d.span.column])).toEqual([
      ["AGP415", "`enum` at `/actions/event.create/args/properties/timezone/enum` lists 130000 members; a catalog enum may list at most 4096", 10, 13],
    ]);
  });

  it("AGP416: a misspelled keyword would silently drop a bound", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "actions": {\n    "exec": {\n      "args": {\n        "type": "object",\n        "properties": {\n          "command": { "type": "string", "maxlength": 8192 }\n        }\n      }\n    }\n  }\n}\n`;
    golden(text,
      `schemas/x.json:9:42: error AGP416: \`maxlength\` at \`/actions/exec/args/properties/command/maxlength\` is not a JSON Schema 2020-12 keyword
  9 |           "command": { "type": "string", "maxlength": 8192 }
    |                                          ^^^^^^^^^^^
  help: did you mean \`maxLength\`? a misspelled constraint would not be enforced, so agp refuses it

1 error, 0 warnings
`,
    );
  });

  it("AGP409: actions without a family", () => {
    const text = `{\n  ${HEAD},\n  "actions": {\n    "exec": { "args": { "type": "object" } }\n  }\n}\n`;
    golden(text, 
      `schemas/x.json:3:3: error AGP409: the catalog declares \`actions\` but no \`family\`
  3 |   "actions": {
    |   ^^^^^^^^^
  help: add \`"family": "<name>"\`: action names in policies are \`<family>.<action>\`

1 error, 0 warnings
`,
    );
  });

  it("AGP410 and AGP411: two catalogs declare the same action, and the request shape twice", async () => {
    const cwd = "test/fixtures/catalog/merge";
    const files = ["github-a.json", "github-b.json", "project.json"];
    const { diagnostics, sources, set } = await loadCatalogFiles(files, { cwd });
    const expected = `github-b.json:6:5: error AGP410: action \`github.pull_request.merge\` is declared by two catalogs
  6 |     "pull_request.merge": { "args": { "type": "object" } }
    |     ^^^^^^^^^^^^^^^^^^^^
  github-a.json:5:5: note: first declared here
    5 |     "pull_request.merge": {
      |     ^^^^^^^^^^^^^^^^^^^^
  help: each action belongs to one catalog; rename it or drop one of the catalogs

project.json:3:3: error AGP411: the request shape is declared by two catalogs
  3 |   "request": {
    |   ^^^^^^^^^
  github-a.json:9:3: note: first declared here
    9 |   "request": {
      |   ^^^^^^^^^
  help: keep \`request\` in one project catalog (e.g. schemas/project.json)

2 errors, 0 warnings
`;
    expect(renderDiagnostics(sortDiagnostics(diagnostics), sources)).toBe(expected);
    for (const file of files) expectDocumented(sources.get(file)!, expected);
    // The first declaration wins, so checking can go on against a consistent set.
    expect(set.actions.get("github.pull_request.merge")?.location.file).toBe("github-a.json");
    expect(set.request.location.file).toBe("github-a.json");
  });

  it("AGP412: a key given twice", () => {
    const text = `{\n  ${HEAD},\n  "family": "shell",\n  "family": "sh",\n  "actions": {}\n}\n`;
    golden(text, 
      `schemas/x.json:4:3: error AGP412: key \`family\` appears twice in the same object
  4 |   "family": "sh",
    |   ^^^^^^^^
  help: JSON readers disagree on which value wins; keep one

1 error, 0 warnings
`,
    );
  });
});

describe("every problem of every catalog in one run", () => {
  it("reports errors in several actions and catalogs together, and throws for none", async () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "actions": {\n    "a": { "metadata": { "readOnly": 1 }, "args": { "type": "object" } },\n    "b": { "args": { "type": "object", "properties": { "x": { "not": {} } } } }\n  }\n}\n`;
    const codes = loadCatalog(FILE, text).diagnostics.map((d) => d.code);
    expect(codes.sort()).toEqual(["AGP404", "AGP407"]);
    const { diagnostics } = await loadCatalogFiles(["test/fixtures/catalog/none-1.json", "test/fixtures/catalog/none-2.json"]);
    expect(diagnostics.map((d) => d.code)).toEqual(["AGP400", "AGP400"]);
  });

  it("reports a broken metadata declaration once, not again at every action that sets the key", () => {
    const text = `{\n  ${HEAD},\n  "family": "aws",\n  "metadata": { "costClass": { "type": "strng" } },\n  "actions": {\n    "a": { "metadata": { "costClass": "low" }, "args": { "type": "object" } },\n    "b": { "metadata": { "costClass": "high" }, "args": { "type": "object" } }\n  }\n}\n`;
    const { catalog, diagnostics } = loadCatalog(FILE, text);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["AGP403", "the schema at `/metadata/costClass/type` is not valid JSON Schema 2020-12: `strng` must be one of `array`, `boolean`, `integer`, `null`, `number`, `object`, `string`"],
    ]);
    expect(catalog?.actions.map((a) => a.name)).toEqual(["aws.a", "aws.b"]);
  });

  it("survives hostile input without throwing", () => {
    for (const text of ["null", "[]", '"x"', "{}", '{"$schema": 1}', '{"__proto__": {}}', "{".repeat(50)]) {
      expect(() => loadCatalog(FILE, text)).not.toThrow();
      expect(loadCatalog(FILE, text).diagnostics.length).toBeGreaterThan(0);
    }
  });
});
