/**
 * The request readers (runtime/encode/readers.ts) against the reference
 * interpreter, on host values of every unusual shape: undeclared,
 * inherited, undefined-valued or non-enumerable keys, keys out of schema
 * order, prototype-less objects, long or ill-formed strings, objects wider
 * than the readers' bit set, undeclared names that `dependentRequired`
 * mentions, `additionalProperties` schemas, nullable objects and arrays.
 * Each schema is written once as a catalog and read both ways (the
 * interpreter's `FieldType`, the manifest's `SchemaNode`), so the readers
 * answer exactly what the oracle answers: code, path and message. The
 * request's top level is checked the same way through an engine.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, type FieldType } from "../../compiler/catalog/index.js";
import { readHostValue } from "../../compiler/interpret/read.js";
import { validateValue } from "../../compiler/interpret/validate.js";
import { Refusal } from "../../compiler/interpret/values.js";
import { schemaOf } from "../../compiler/lower/index.js";
import { FAILED } from "../../runtime/encode/snapshot.js";
import { compileReader, type ReadState } from "../../runtime/encode/readers.js";
import { zero } from "../../runtime/encode/slots.js";
import { refusalOf } from "../../runtime/encode/values.js";
import { DEFAULT_REQUEST_BOUNDS } from "../../runtime/index.js";
import { openEngine, shell } from "./harness.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

const FILE = { type: "object", properties: { path: { type: "string", maxLength: 8 }, content: { type: "string" } }, required: ["path"], additionalProperties: false };

const NODE = {
  type: "object",
  properties: {
    repo: { type: "string", maxLength: 10 },
    mode: { enum: ["a", "b"] },
    n: { type: "integer", minimum: 0, maximum: 9 },
    tags: { type: "array", items: { type: "string", maxLength: 3 }, maxItems: 2 },
    files: { type: "array", items: FILE },
    note: { type: ["string", "null"], maxLength: 4 },
    owner: { type: ["object", "null"], properties: { team: { type: "string", maxLength: 4 } }, required: ["team"], additionalProperties: false },
    "odd key": { type: "boolean" },
  },
  required: ["repo"],
  additionalProperties: false,
};

const WIDE = {
  type: "object",
  properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, { type: "string", maxLength: 2 }])),
  required: ["f39", "f3"],
  dependentRequired: { f5: ["f6", "ghost"], f7: ["f8"] },
  additionalProperties: { type: "integer", maximum: 5 },
};

const DEPENDENT = {
  type: "object",
  properties: { a: { type: "string" }, b: { type: "string" } },
  dependentRequired: { a: ["b", "c"], x: ["y"] },
  minProperties: 1,
  maxProperties: 3,
  additionalProperties: true,
};

/** A field schema as both engines read it. */
function field(schema: object): { type: FieldType; node: ReturnType<typeof schemaOf> } {
  const text = JSON.stringify({ $schema: SCHEMA, family: "t", actions: { act: { args: { type: "object", properties: { f: schema } } } } });
  const loaded = loadCatalog("t.json", text);
  if (loaded.catalog === undefined) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
  const type = loaded.catalog.actions[0]!.args.fields.get("f")!.type;
  return { type, node: schemaOf(type) };
}

function state(): ReadState {
  const buffer = new ArrayBuffer(0);
  return {
    ...DEFAULT_REQUEST_BOUNDS,
    state: false,
    count: 0,
    failure: undefined,
    arena: { buffer, view: new DataView(buffer), bytes: new Uint8Array(buffer), slotBase: 0, arenaStart: 0, arenaEnd: 0, top: 0, high: 0 },
    captures: [],
    overflow: false,
  };
}

/** What the interpreter says of a host value (read once into plain data, then validated). */
function oracle(value: unknown, type: FieldType): unknown {
  try {
    const copy = readHostValue({ f: value }, DEFAULT_REQUEST_BOUNDS, "") as Record<string, unknown>;
    validateValue(copy["f"], type, "args.f");
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return { code: error.code, message: error.message, path: error.path };
    throw error;
  }
}

function runtime(value: unknown, node: ReturnType<typeof schemaOf>): unknown {
  const found = compileReader(node)(value, 1, state(), -1);
  if (found === FAILED) return "failed";
  return found === undefined ? undefined : refusalOf(found, "args.f");
}

function withHidden(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const o = { ...base };
  Object.defineProperty(o, key, { value, enumerable: false });
  return o;
}

const VALUES: unknown[] = [
  { repo: "acme" },
  { repo: "acme", mode: "a", n: 3, tags: ["x", "yz"], files: [{ path: "a", content: "ok" }], note: null, owner: { team: "ab" }, "odd key": true },
  { n: 3, repo: "acme", mode: "b" },
  { files: [{ content: "c", path: "p" }], repo: "r" },
  { repo: "acme", extra: 1 },
  { zz: 1, repo: 5, aa: 2 },
  { repo: "acme", extra: undefined },
  { repo: undefined },
  { repo: "acme", n: undefined },
  {},
  { repo: 7 },
  { repo: "x".repeat(11) },
  { repo: "😀".repeat(6) },
  { repo: "ab\ud800" },
  { repo: `${"x".repeat(20)}\ud800` },
  { repo: "acme", mode: "c" },
  { repo: "acme", n: 1.5 },
  { repo: "acme", n: 10 },
  { repo: "acme", n: Infinity },
  { repo: "acme", tags: ["x", "y", "z"] },
  { repo: "acme", tags: ["long"] },
  { repo: "acme", tags: ["ok", 5] },
  { repo: "acme", files: [{ path: "a" }, { path: "toolongpath" }] },
  { repo: "acme", files: [{ path: "a", more: 1 }] },
  { repo: "acme", note: "12345" },
  { repo: "acme", owner: { team: "toolong" } },
  { repo: "acme", owner: [] },
  { repo: "acme", owner: { x: 1 } },
  { repo: "acme", "odd key": "yes" },
  Object.assign(Object.create({ inherited: 1 }), { repo: "acme" }),
  Object.assign(Object.create({ repo: "acme" }), {}),
  Object.assign(Object.create({ n: "bad" }), { repo: "acme" }),
  withHidden({ repo: "acme" }, "n", "bad"),
  withHidden({ repo: "acme" }, "n", 4),
  withHidden({}, "repo", "acme"),
  withHidden({ repo: "acme" }, "hidden", 1),
  Object.assign(Object.create(null), { repo: "acme" }),
  [],
  [{ repo: "acme" }],
  null,
  "acme",
];

describe("the readers answer what the interpreter answers", () => {
  const cases: [string, object, unknown[]][] = [
    ["a closed object with nullable fields and arrays of objects", NODE, VALUES],
    ["an open object", { ...NODE, additionalProperties: true }, VALUES],
    [
      "arrays of strings",
      { type: "array", items: { type: "string", maxLength: 2 }, maxItems: 3, uniqueItems: true },
      [[], ["a", "bb"], ["ccc"], ["😀😀"], ["\udc00"], [1], ["a", null], ["a", "a"], ["a", "b", "a", "ccc"], ["a", "b", "c", "d"], { 0: "a", length: 1 }],
    ],
    [
      "an object wider than 31 fields, with dependentRequired and an additionalProperties schema",
      WIDE,
      [
        { f39: "a", f3: "b" },
        { f39: "a" },
        { f3: "b", f39: "abc" },
        { f39: "a", f3: "b", f5: "c" },
        { f39: "a", f3: "b", f5: "c", f6: "d", ghost: 1 },
        { f39: "a", f3: "b", f7: "c" },
        { f39: "a", f3: "b", zz: 9, aa: 1, ab: "x" },
        { f39: "a", f3: "b", zz: 9, yy: 7 },
        { f0: "abc", f39: "a", f3: "b", x: 9 },
      ],
    ],
    [
      "property counts and dependentRequired over undeclared names",
      DEPENDENT,
      [{}, { a: "1" }, { a: "1", b: "2" }, { a: "1", b: "2", c: 3 }, { x: 1 }, { x: 1, y: 2 }, { a: "1", b: "2", c: 3, d: 4 }, { b: "2", c: undefined }],
    ],
    ["a nullable array", { type: ["array", "null"], items: { type: "integer" }, maxItems: 2 }, [null, [], [1], [1, 2, 3], [1.5], "x", {}]],
    [
      "a oneOf of overlapping objects",
      { oneOf: [{ type: "object", properties: { a: { type: "integer" } } }, { type: "object", properties: { b: { type: "string" } }, additionalProperties: false }] },
      [{}, { a: 1 }, { b: "x" }, { a: "x" }, [], 3],
    ],
  ];
  for (const [name, schema, values] of cases) {
    it(name, () => {
      const { type, node } = field(schema);
      for (const value of values) expect(runtime(value, node), JSON.stringify(value)).toEqual(oracle(value, type));
    });
  }
});

describe("zero", () => {
  for (const [from, to] of [
    [3, 3],
    [3, 40],
    [5, 300],
  ] as const) {
    it(`clears [${from}, ${to}) and nothing else`, () => {
      const bytes = new Uint8Array(512).fill(7);
      zero(bytes, from, to);
      bytes.forEach((b, i) => expect(b, String(i)).toBe(i >= from && i < to ? 0 : 7));
    });
  }
});

describe("the request's top level: the part a by-name reading blames", () => {
  const { agent, action, args, env } = shell() as { agent: object; action: string; args: object; env: string };
  const good = { agent, action, args, env };
  const hidden = (key: string, value: unknown): object => Object.defineProperty({ ...good }, key, { value, enumerable: false });
  const cases: [string, unknown][] = [
    ["plain", good],
    ["keys in another order", { env, args, action, agent }],
    ["action last", { agent, args, env, action }],
    ["an undeclared key", { ...good, zz: 1, aa: 2 }],
    ["an undeclared key set to undefined", { ...good, extra: undefined }],
    ["human null", { ...good, human: null }],
    ["agent undefined", { ...good, agent: undefined }],
    ["inherited parts", Object.assign(Object.create({ agent, env }), { action, args })],
    ["an inherited undeclared key first", Object.assign(Object.create({ zz: 1 }), good)],
    ["an inherited action", Object.assign(Object.create({ action }), { agent, args, env })],
    ["a part not enumerable", hidden("env", env)],
    ["a part not enumerable and wrong", hidden("env", 7)],
    ["context not enumerable and wrong", hidden("context", "x")],
  ];
  it("every case", () => {
    const open = openEngine();
    for (const [name, input] of cases) {
      const got = open.decide(input).error;
      const o = input as Record<string, unknown>;
      const own = (k: string) => (Object.prototype.propertyIsEnumerable.call(o, k) && o[k] !== undefined ? o[k] : undefined);
      const extra = Object.keys(o)
        .sort()
        .find((k) => !["agent", "human", "action", "args", "env", "context"].includes(k) && o[k] !== undefined);
      if (extra !== undefined) {
        expect(got?.code, name).toBe("unknown_field");
        expect(got?.path, name).toBe(extra);
        continue;
      }
      const blamed = ["agent", "action", "env"].find((k) => own(k) === undefined);
      if (blamed !== undefined) {
        expect(got?.path, name).toBe(blamed);
        continue;
      }
      if (own("env") !== env) {
        expect(got?.path, name).toBe("env");
        continue;
      }
      if (own("context") !== undefined && typeof own("context") !== "object") {
        expect(got?.path, name).toBe("context");
        continue;
      }
      expect(got, name).toBeUndefined();
    }
  });
});
