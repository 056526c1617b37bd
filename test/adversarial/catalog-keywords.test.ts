/**
 * Issue 11, class A: every keyword a catalog may contain is enforced the same
 * way by every engine, or refused at load, never silently ignored.
 *
 * Generated field schemas mix every JSON Schema keyword (the enforced ones,
 * the refused ones, annotations). For each: either the loader refuses it with
 * a located AGP4xx error, or, on generated values valid and not,
 *   - the reference interpreter, the runtime's JS object path and ajv (JSON
 *     Schema's own reading of the schema) accept exactly the same values, and
 *   - the interpreter and the runtime refuse with the same code, path and text;
 * and on a few compiled modules the JSON entry point agrees too.
 * AGP_KEYWORD_RUNS=n raises the number of generated schemas.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs, type FieldType } from "../../compiler/catalog/index.js";
import { validateValue } from "../../compiler/interpret/validate.js";
import { Refusal } from "../../compiler/interpret/values.js";
import { schemaOf } from "../../compiler/lower/schema.js";
import { compileCheck } from "../../runtime/encode/readers.js";
import { refusalOf } from "../../runtime/encode/values.js";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { checkText, pairOf } from "../compile/harness.js";
import { value as validValue } from "../interpret/arbitrary-request.js";

const RUNS = Number(process.env["AGP_KEYWORD_RUNS"] ?? 400);
const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });

// ---------------------------------------------------------------- generated schemas

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PATTERNS = ["^[a-z]+$", "^[a-z0-9-]+/[a-z0-9-]+$", "x", "^(ab|cd)*$", "\\d{2}", "^.{2,4}$", "é|😀", "^[^/]*$"];
const small = fc.integer({ min: 0, max: 4 });
const bound = fc.constantFrom(-2, 0, 0.5, 1, 3, 10);

const stringSchema = fc.record(
  {
    type: fc.constant("string"),
    maxLength: small.map((n) => n + 2),
    minLength: small,
    pattern: fc.constantFrom(...PATTERNS),
    format: fc.constantFrom("email", "uri"),
    enum: fc.uniqueArray(fc.constantFrom("a", "ab", "abc", "x1", "x-y/z", "é", "😀😀"), { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ["type"] },
);
const numberSchema = fc.record(
  {
    type: fc.constantFrom("number", "integer"),
    minimum: bound,
    maximum: bound.map((n) => n + 5),
    exclusiveMinimum: bound,
    exclusiveMaximum: bound.map((n) => n + 4),
    multipleOf: fc.constantFrom(0.5, 2, 3, 0.25),
    enum: fc.uniqueArray(fc.constantFrom(0, 1, 1.5, 2, 3, 6, -1), { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ["type"] },
);
const scalarSchema: fc.Arbitrary<Json> = fc.oneof(
  stringSchema as fc.Arbitrary<Json>,
  numberSchema as fc.Arbitrary<Json>,
  fc.constant({ type: "boolean" }),
  fc.constant({ type: "null" }),
  fc.constant({ const: "fixed" }),
  fc.constantFrom<Json>({ type: ["string", "null"], maxLength: 3 }, { type: ["integer", "null"], minimum: 0 }, { enum: ["a", 1, null] }),
);

const schema: fc.Arbitrary<Json> = fc.letrec<{ schema: Json }>((tie) => ({
  schema: fc.oneof(
    { maxDepth: 3, depthIdentifier: "schema" },
    { weight: 4, arbitrary: scalarSchema },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          type: fc.constant("array"),
          items: tie("schema"),
          maxItems: small.map((n) => n + 1),
          minItems: fc.integer({ min: 0, max: 2 }),
          uniqueItems: fc.boolean(),
          contains: fc.constant({ type: "string" }),
        },
        { requiredKeys: ["type", "items"] },
      ) as fc.Arbitrary<Json>,
    },
    {
      weight: 1,
      arbitrary: fc
        .record(
          {
            properties: fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__", "constructor"), tie("schema"), { maxKeys: 3 }),
            required: fc.subarray(["a", "b", "zz"]),
            additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
            minProperties: fc.integer({ min: 0, max: 2 }),
            maxProperties: fc.integer({ min: 1, max: 4 }),
            dependentRequired: fc.constant({ a: ["b"] }),
            patternProperties: fc.constant({ "^x": { type: "string" } }),
            propertyNames: fc.constant({ maxLength: 3 }),
          },
          { requiredKeys: ["properties"] },
        )
        .map((o) => ({ type: "object", ...o }) as unknown as Json),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("oneOf", "anyOf"), fc.array(tie("schema"), { minLength: 1, maxLength: 3 }))
        .map(([k, options]) => ({ [k]: options }) as Json),
    },
    { weight: 1, arbitrary: fc.constantFrom<Json>({ not: { type: "string" } }, { allOf: [{ type: "string" }] }, { if: { type: "string" }, then: { maxLength: 1 } }, { type: "string", maxlength: 3 }) },
  ),
})).schema;

/** A catalog whose one action `kw.act` has `args.properties.f = schema` (optional). */
function catalogText(field: Json): string {
  return JSON.stringify({ $schema: SCHEMA, family: "kw", actions: { act: { args: { type: "object", properties: { f: field } } } } });
}

/** Values to try: valid ones built from the reduced type, and arbitrary JSON around them. */
function values(type: FieldType): fc.Arbitrary<unknown> {
  const json = fc.jsonValue({ maxDepth: 2 }).filter((v) => !hasLoneSurrogate(v));
  return fc.oneof(validValue(type, { maxItems: 4, exact: false }), json, fc.constantFrom("", "a", "ab", "abc", "x-y/z", 0, 1, 1.5, -1, 6, [], ["a", "a"], {}, { a: 1 }, null, true));
}

function hasLoneSurrogate(v: unknown): boolean {
  return JSON.stringify(v).match(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i) !== null;
}

// ---------------------------------------------------------------- engines

function interpreter(value: unknown, type: FieldType): { code: string; message: string; path: string } | undefined {
  try {
    validateValue(value, type, "args.f");
    return undefined;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { code: error.code, message: error.message, path: error.path };
  }
}

describe("catalog keywords (issue 11, A)", () => {
  it("every generated schema is refused at load with a located error, or enforced identically by the interpreter, the runtime and ajv", () => {
    let enforced = 0;
    let refused = 0;
    let disagreementsChecked = 0;
    fc.assert(
      fc.property(schema, fc.context(), (field, ctx) => {
        const text = catalogText(field);
        const loaded = loadCatalog("kw.json", text);
        const errors = loaded.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) {
          refused++;
          for (const e of errors) {
            expect(e.code).toMatch(/^AGP4\d\d$/);
            expect(e.span.line).toBeGreaterThanOrEqual(1);
            expect(e.span.offset).toBeGreaterThan(0);
          }
          return;
        }
        const type = loaded.catalog!.actions[0]!.args.fields.get("f")!.type;
        enforced++;
        const runtime = compileCheck(schemaOf(type));
        const validate = ajv.compile(JSON.parse(text).actions.act.args as object);
        for (const v of fc.sample(values(type), { numRuns: 25, seed: enforced })) {
          const expected = interpreter(v, type);
          const problem = runtime(v);
          const actual = problem === undefined ? undefined : refusalOf(problem, "args.f");
          ctx.log(`${JSON.stringify(field)} on ${JSON.stringify(v)}`);
          expect(actual, `runtime vs interpreter: ${JSON.stringify(field)} on ${JSON.stringify(v)}`).toEqual(expected);
          const accepted = validate({ f: v }) === true;
          expect(accepted, `ajv vs agp: ${JSON.stringify(field)} on ${JSON.stringify(v)} (agp: ${expected?.message ?? "valid"})`).toBe(expected === undefined);
          disagreementsChecked++;
        }
      }),
      { seed: 1111, numRuns: RUNS },
    );
    // Both outcomes are common, so the property says something about each.
    expect(enforced).toBeGreaterThan(RUNS / 4);
    expect(refused).toBeGreaterThan(RUNS / 20);
    expect(disagreementsChecked).toBeGreaterThan(RUNS * 5);
  }, 120_000);

  it("the compiled module's JSON entry point agrees with the JS path on generated schemas", () => {
    let compiled = 0;
    const samples = fc.sample(schema, { seed: 2026, numRuns: 60 });
    for (const field of samples) {
      if (compiled >= 6) break;
      const text = catalogText(field);
      const loaded = loadCatalog("kw.json", text);
      if (loaded.catalog === undefined || loaded.diagnostics.some((d) => d.severity === "error")) continue;
      const { checked, catalogs } = checkText({ "p.agp": "package p\n\nrule open: allow kw.*\n" }, { "kw.json": JSON.parse(text) as object });
      const pair = pairOf(checked, catalogs);
      const json = loadJsonDeciderSync(pair.engine);
      compiled++;
      const type = mergeCatalogs([loaded.catalog]).set.actions.get("kw.act")!.args.fields.get("f")!.type;
      for (const v of fc.sample(values(type), { numRuns: 40, seed: compiled })) {
        const request = { agent: { id: "bot", groups: [], trust: 1 }, action: "kw.act", args: { f: v }, env: "dev" };
        const viaObject = pair.engine.decide(request);
        expect(json.decideJson(JSON.stringify(request)), `${JSON.stringify(field)} on ${JSON.stringify(v)}`).toEqual(viaObject);
        expect(viaObject, `${JSON.stringify(field)} on ${JSON.stringify(v)}`).toEqual(pair.interpreter.decide(request));
      }
    }
    expect(compiled).toBe(6);
  }, 180_000);

  it("the issue's reproducers: empty ids, short repos and empty path lists are refused by every engine", async () => {
    const { pairFromPaths } = await import("../compile/harness.js");
    const pair = await pairFromPaths(["examples/platform/github.agp"]);
    const json = loadJsonDeciderSync(pair.engine);
    const base = {
      agent: { id: "ci-fixer", kind: "coding", groups: ["coding-bots"], trust: 2 },
      action: "github.pull_request.open",
      args: { repo: "acme/tools", title: "Fix CI", head: "fix/ci", base: "main" },
      env: "production",
      context: { session: "s-42" },
    };
    const cases: [object, string][] = [
      [{ ...base, agent: { ...base.agent, id: "" } }, "`agent.id` is shorter than its minLength 1"],
      [{ ...base, args: { ...base.args, repo: "" } }, "`args.repo` is shorter than its minLength 3"],
    ];
    for (const [request, message] of cases) {
      for (const decision of [pair.interpreter.decide(request), pair.engine.decide(request), json.decideJson(JSON.stringify(request))]) {
        expect(decision.effect).toBe("deny");
        expect(decision.error).toMatchObject({ code: "too_short", message });
      }
    }
    // `all p in args.paths: …` over an array whose catalog says minItems 1: the empty array no longer slips through.
    const catalog = {
      $schema: SCHEMA,
      family: "code",
      actions: { edit: { args: { type: "object", properties: { paths: { type: "array", items: { type: "string", maxLength: 64 }, minItems: 1, maxItems: 8 } }, required: ["paths"] } } },
    };
    const { checked, catalogs } = checkText({ "p.agp": 'package p\n\nrule src_only:\n  allow code.edit\n  when all p in args.paths: p startsWith "src/"\n' }, { "code.json": catalog });
    const edit = pairOf(checked, catalogs);
    const editJson = loadJsonDeciderSync(edit.engine);
    const request = (paths: string[]) => ({ agent: { id: "bot", groups: [], trust: 1 }, action: "code.edit", args: { paths }, env: "dev" });
    for (const decide of [(r: object) => edit.interpreter.decide(r), (r: object) => edit.engine.decide(r), (r: object) => editJson.decideJson(JSON.stringify(r))]) {
      expect(decide(request([])).error).toEqual({ code: "too_few_items", message: "`args.paths` has fewer items than its minItems 1", path: "args.paths" });
      expect(decide(request(["src/a.ts"])).effect).toBe("allow");
      expect(decide(request(["lib/a.ts"])).effect).toBe("deny");
    }
  });
});
