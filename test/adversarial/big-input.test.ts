/**
 * Issue 11, class I: the tools never crash on big input. Generated policies
 * (long `and`/`or` chains, `not` chains, nested brackets and quantifiers,
 * huge sets, many rules) and generated catalogs and MCP tool lists (deep
 * nesting, long `$ref` chains, huge enums, many keywords, keys JavaScript
 * treats specially) always give a result or located diagnostics from the
 * parser, checker, formatter, interpreter, catalog loader and importer:
 * never an exception. The issue's reproducers (a 5,000-term chain through
 * check, fmt and compile; a 130,000-member enum) are among the cases.
 * AGP_BIG_RUNS=n raises the number of generated inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importMcp, loadCatalog, MAX_ENUM_MEMBERS } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import type { Diagnostic } from "../../compiler/diagnostics/index.js";
import { format } from "../../compiler/format/index.js";
import { interpretChecked } from "../../compiler/interpret/index.js";
import { canonicalTree } from "../../compiler/format/round-trip.js";
import { MAX_TREE_DEPTH, parse } from "../../compiler/syntax/index.js";
import { loadJsonDeciderSync, loadPolicySync } from "../../runtime/index.js";
import { catalogSet, shell } from "../interpret/harness.js";

const RUNS = Number(process.env["AGP_BIG_RUNS"] ?? 8);
const catalogs = catalogSet();

/** Every diagnostic points somewhere real: a file, a line, a column. */
function located(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^AGP\d{3}$/);
    expect(d.span.line, `${d.code} ${d.message}`).toBeGreaterThanOrEqual(1);
    expect(d.span.column).toBeGreaterThanOrEqual(1);
  }
}

interface Shape {
  readonly terms: number;
  readonly op: "and" | "or" | "mixed";
  readonly nots: number;
  readonly parens: number;
  readonly quantifiers: number;
  readonly setSize: number;
  readonly rules: number;
}

/** A policy of `rules` rules over shell.exec, each condition built to the shape. */
function policyText(s: Shape): string {
  const term = (i: number) => (i % 3 === 0 ? `args.command != "c${i}"` : i % 3 === 1 ? `args.timeout_seconds > ${i % 100}` : `args.command in words`);
  const ops = Array.from({ length: s.terms - 1 }, (_, i) => (s.op === "mixed" ? (i % 5 === 0 ? "or" : "and") : s.op));
  let condition = term(0);
  for (let i = 1; i < s.terms; i++) condition += ` ${ops[i - 1]} ${term(i)}`;
  condition = `${"not ".repeat(s.nots)}(${condition})`;
  for (let q = 0; q < s.quantifiers; q++) condition = `any w${q} in args.write_paths: ${q === 0 ? `w0 != "x" and ` : ""}${condition}`;
  condition = `${"(".repeat(s.parens)}${condition}${")".repeat(s.parens)}`;
  const words = `let words = {${Array.from({ length: Math.max(1, s.setSize) }, (_, i) => `"w${i}"`).join(", ")}}\n\n`;
  const rules = Array.from({ length: s.rules }, (_, i) => `rule r${i}:\n  ${i % 7 === 3 ? "deny" : "allow"} shell.exec\n  when ${i === 0 ? condition : term(i)}\n`);
  return `package big\n\n${words}${rules.join("\n")}`;
}

const shapes: fc.Arbitrary<Shape> = fc.record({
  terms: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2500 })),
  op: fc.constantFrom("and", "or", "mixed"),
  nots: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
  parens: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 80 })),
  quantifiers: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })),
  setSize: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10_000 })),
  rules: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 200 })),
});

describe("big policies (issue 11, I)", () => {
  it("generated deep and wide policies parse, check, format and decide, or get located diagnostics; never an exception", () => {
    let checkedClean = 0;
    let refused = 0;
    fc.assert(
      fc.property(shapes, (shape) => {
        const text = policyText(shape);
        const parsed = parse(text, "big.agp");
        located(parsed.diagnostics);
        const formatted = format(text, "big.agp");
        located(formatted.diagnostics);
        if (parsed.diagnostics.length > 0) {
          refused++;
          // The only syntax problems such shapes have are the documented limits.
          expect(parsed.diagnostics.map((d) => d.code).filter((c) => !["AGP154", "AGP155", "AGP156"].includes(c))).toEqual([]);
          return;
        }
        // The formatter's output reads back to the same tree, long chains included.
        const again = parse(formatted.text, "big.agp");
        expect(again.diagnostics).toEqual([]);
        expect(canonicalTree(again.file)).toEqual(canonicalTree(parsed.file));
        const result = check({ files: [parsed.file], catalogs });
        located(result.diagnostics);
        const errors = result.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0 || result.checked === undefined) {
          refused++;
          return;
        }
        checkedClean++;
        const interpreter = interpretChecked(result.checked, catalogs, { policy: { hash: "", version: "" } });
        for (const request of [shell(), shell({ command: "c0", write_paths: ["/w"] }), shell({ command: "w3", timeout_seconds: 99 })]) {
          expect(["allow", "approve", "deny"]).toContain(interpreter.decide(request).effect);
        }
      }),
      { seed: 11, numRuns: RUNS },
    );
    expect(checkedClean).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 300_000);

  it("a flat 5,000-term `and` chain (the reproducer) checks, formats back flat, compiles and decides as the interpreter does", () => {
    const terms = Array.from({ length: 5000 }, (_, i) => `args.command != "c${i}"`);
    const text = `package big\n\nrule long:\n  allow shell.exec\n  when ${terms.join(" and ")}\n`;
    expect(text.length).toBeGreaterThan(45_000);
    const parsed = parse(text, "big.agp");
    expect(parsed.diagnostics).toEqual([]);
    const formatted = format(text, "big.agp");
    expect(formatted.diagnostics).toEqual([]);
    expect(formatted.text.split("\n").filter((l) => l.trimStart().startsWith("and ")).length).toBe(4999);
    expect(format(formatted.text, "big.agp").changed).toBe(false);
    const result = check({ files: [parsed.file], catalogs });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const compiled = compilePolicy(result.checked!, catalogs, { version: "1.0.0" });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const engine = loadPolicySync(compiled.compiled!.wasm);
    const json = loadJsonDeciderSync(engine);
    const interpreter = interpretChecked(result.checked!, catalogs, { policy: compiled.compiled!.manifest.policy });
    for (const command of ["ls", "c0", "c4999", "c2500", "c5000"]) {
      const request = shell({ command });
      const expected = interpreter.decide(request);
      expect(engine.decide(request)).toEqual(expected);
      expect(json.decideJson(JSON.stringify(request))).toEqual(expected);
      expect(expected.effect).toBe(command === "c5000" || command === "ls" ? "allow" : "deny");
    }
  }, 300_000);

  it(`a condition nested deeper than ${MAX_TREE_DEPTH} is refused with AGP156 where the limit is passed`, () => {
    const text = `package big\n\nrule r:\n  allow shell.exec\n  when ${"not ".repeat(MAX_TREE_DEPTH + 10)}args.command == "ls"\n`;
    const parsed = parse(text, "big.agp");
    expect(parsed.diagnostics.map((d) => [d.code, d.message, d.span.line])).toEqual([["AGP156", `this expression nests more than ${MAX_TREE_DEPTH} levels deep`, 5]]);
  });
});

// ---------------------------------------------------------------- catalogs and tool lists

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const SPECIAL = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];

/** A schema of the given depth, mixing objects, arrays, unions and special keys. */
function deepSchema(depth: number, key: string): unknown {
  let schema: unknown = { type: "string", maxLength: 8 };
  for (let i = 0; i < depth; i++) {
    schema =
      i % 3 === 0
        ? { type: "object", properties: { [key]: schema }, required: [key] }
        : i % 3 === 1
          ? { type: "array", items: schema, maxItems: 2 }
          : { anyOf: [schema, { type: "null" }] };
  }
  return schema;
}

const hostileCatalog = fc
  .record({
    depth: fc.integer({ min: 0, max: 200 }),
    key: fc.constantFrom("a", ...SPECIAL),
    refs: fc.integer({ min: 0, max: 120 }),
    enumSize: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(MAX_ENUM_MEMBERS + 1), fc.integer({ min: 1, max: 150_000 })),
    unknown: fc.integer({ min: 0, max: 300 }),
    specialKeywords: fc.subarray(SPECIAL),
  })
  .map(({ depth, key, refs, enumSize, unknown, specialKeywords }) => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < refs; i++) defs[`d${i}`] = i === refs - 1 ? { type: "string" } : { $ref: `#/$defs/d${i + 1}` };
    const field: Record<string, unknown> = { type: "string", enum: Array.from({ length: enumSize }, (_, i) => `m${i}`) };
    for (let i = 0; i < unknown; i++) field[`zz${i}`] = i;
    for (const k of specialKeywords) Object.defineProperty(field, k, { value: 1, enumerable: true });
    const properties: Record<string, unknown> = { deep: deepSchema(depth, key), e: field };
    if (refs > 0) properties["r"] = { $ref: "#/$defs/d0" };
    Object.defineProperty(properties, key, { value: { type: "integer", maximum: 3 }, enumerable: true });
    return JSON.stringify({ $schema: SCHEMA, family: "h", $defs: defs, actions: { act: { args: { type: "object", properties } } } });
  });

describe("hostile catalogs and tool lists (issue 11, I)", () => {
  it("the catalog loader gives a catalog or located diagnostics for deep, wide and oddly keyed catalogs; never an exception", () => {
    fc.assert(
      fc.property(hostileCatalog, (text) => {
        const loaded = loadCatalog("h.json", text);
        located(loaded.diagnostics);
        const codes = new Set(loaded.diagnostics.map((d) => d.code));
        const document = JSON.parse(text) as { actions: { act: { args: { properties: Record<string, unknown> } } } };
        const field = document.actions.act.args.properties["e"] as { enum: unknown[] };
        // Deeper than the JSON reader goes (AGP401), nothing else is read; otherwise the enum is judged.
        if (field.enum.length > MAX_ENUM_MEMBERS && !codes.has("AGP401")) expect(codes).toContain("AGP415");
        // A property with a special name is a field like any other, with its bound.
        const props = loaded.catalog?.actions[0]?.args.fields;
        if (props !== undefined) {
          for (const key of Object.keys(document.actions.act.args.properties)) {
            if (SPECIAL.includes(key)) expect(props.get(key)?.type).toMatchObject({ kind: "number", maximum: 3 });
          }
        }
      }),
      { seed: 12, numRuns: RUNS },
    );
  }, 300_000);

  it("import-mcp keeps every tool (renamed when its name is not an agp name) and property a hostile list names, or says why not; never an exception", () => {
    const name = fc.oneof(fc.constantFrom(...SPECIAL, "send", "read.file"), fc.string({ maxLength: 12 }));
    const tool = fc.record({
      name,
      inputSchema: fc.dictionary(name, fc.constantFrom<unknown>({ type: "string", maxLength: 5 }, { type: "integer" }, { enum: Array.from({ length: 20 }, (_, i) => i) }), { maxKeys: 5 }).map((properties) => ({
        type: "object",
        properties,
        required: Object.keys(properties).slice(0, 1),
      })),
    });
    fc.assert(
      fc.property(fc.array(tool, { maxLength: 6 }), (tools) => {
        // As the CLI reads it: JSON text, where `__proto__` is an ordinary key.
        const input = JSON.parse(JSON.stringify({ tools })) as unknown;
        const imported = importMcp(input, "mcp", "mcp.json");
        located(imported.diagnostics);
        if (imported.problems.length > 0) return;
        const actions = imported.catalog!["actions"] as Record<string, { args: { properties: Record<string, unknown> } }>;
        const parsed = JSON.parse(JSON.stringify({ tools })) as { tools: { name: string; inputSchema: { properties: object } }[] };
        // A tool whose name is not an agp name is renamed (issue 18), and the import says so: never dropped.
        const actionOf = new Map(imported.renamed.map((r) => [r.tool, r.action]));
        for (const t of parsed.tools) {
          const action = actionOf.get(t.name) ?? t.name;
          expect(Object.hasOwn(actions, action), `tool ${JSON.stringify(t.name)} is in the catalog as ${JSON.stringify(action)}`).toBe(true);
          expect(Object.keys(actions[action]!.args.properties).sort()).toEqual(Object.keys(t.inputSchema.properties).sort());
        }
        expect(new Set(imported.renamed.map((r) => r.action)).size).toBe(imported.renamed.length);
        const loaded = loadCatalog("mcp.json", imported.text!);
        expect(loaded.catalog?.actions.length).toBe(parsed.tools.length);
      }),
      { seed: 13, numRuns: RUNS * 10 },
    );
  }, 120_000);

  it("a 130,000-member enum from a tool list (the reproducer) is refused with AGP415, not a crash", () => {
    const input = { tools: [{ name: "pick", inputSchema: { type: "object", properties: { zone: { type: "string", enum: Array.from({ length: 130_000 }, (_, i) => `z${i}`) } } } }] };
    const imported = importMcp(input, "cal", "cal.json");
    expect(imported.problems).toEqual([]);
    expect(imported.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["AGP415", "`enum` at `/actions/pick/args/properties/zone/enum` lists 130000 members; a catalog enum may list at most 4096"],
    ]);
  });
});
