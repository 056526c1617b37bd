/**
 * The runtime's happy-path shortcuts against their slow twins: an object's
 * one-pass `accepts` and the inline string tests (runtime/encode/validate.ts)
 * must give exactly the answer of the in-order checks (`compileCheck(node,
 * false)`), on valid values and on every kind of value that makes the
 * shortcut step aside (undeclared, inherited, undefined-valued or
 * non-enumerable keys, keys out of schema order, long or ill-formed strings);
 * and `zero` must clear exactly its range, short or long. The request's
 * top-level pass is checked the same way, against a by-name reading.
 */
import { describe, expect, it } from "vitest";
import { compileCheck } from "../../runtime/encode/validate.js";
import { zero } from "../../runtime/encode/slots.js";
import type { SchemaNode } from "../../runtime/manifest.js";
import { shell } from "./harness.js";

const str = (maxLength?: number, more: object = {}): SchemaNode => ({ type: "string", ...(maxLength === undefined ? {} : { maxLength }), ...more });

const FILE: SchemaNode = {
  type: "object",
  properties: [
    { name: "path", required: true, schema: str(8) },
    { name: "content", required: false, schema: str() },
  ],
  additionalProperties: false,
};

const NODE: SchemaNode = {
  type: "object",
  properties: [
    { name: "repo", required: true, schema: str(10) },
    { name: "mode", required: false, schema: str(undefined, { enum: ["a", "b"] }) },
    { name: "n", required: false, schema: { type: "number", integer: true, minimum: 0, maximum: 9 } },
    { name: "tags", required: false, schema: { type: "array", items: str(3), maxItems: 2 } },
    { name: "files", required: false, schema: { type: "array", items: FILE } },
    { name: "note", required: false, schema: { type: "union", options: [str(4), { type: "null" }] } },
    { name: "odd key", required: false, schema: { type: "boolean" } },
  ],
  additionalProperties: false,
};

const OPEN: SchemaNode = { ...NODE, additionalProperties: true } as SchemaNode;

function withHidden(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const o = { ...base };
  Object.defineProperty(o, key, { value, enumerable: false });
  return o;
}

const VALUES: unknown[] = [
  { repo: "acme" },
  { repo: "acme", mode: "a", n: 3, tags: ["x", "yz"], files: [{ path: "a", content: "ok" }], note: null, "odd key": true },
  { n: 3, repo: "acme", mode: "b" }, // out of schema order
  { files: [{ content: "c", path: "p" }], repo: "r" },
  { repo: "acme", extra: 1 },
  { repo: "acme", extra: undefined },
  { repo: undefined },
  { repo: "acme", n: undefined },
  {},
  { repo: 7 },
  { repo: "x".repeat(11) },
  { repo: "😀".repeat(6) }, // 12 units, 6 code points: passes, by the full check
  { repo: "ab\ud800" }, // a lone surrogate
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
  { repo: "acme", "odd key": "yes" },
  Object.assign(Object.create({ inherited: 1 }), { repo: "acme" }),
  Object.assign(Object.create({ repo: "acme" }), {}),
  Object.assign(Object.create({ n: "bad" }), { repo: "acme" }),
  withHidden({ repo: "acme" }, "n", "bad"), // a declared field, own but not enumerable, invalid
  withHidden({ repo: "acme" }, "n", 4),
  withHidden({}, "repo", "acme"),
  withHidden({ repo: "acme" }, "hidden", 1),
  Object.assign(Object.create(null), { repo: "acme" }),
  [],
  null,
  "acme",
];

function answer(check: (v: unknown) => { code: string; suffix: string; render(p: string): string } | undefined, value: unknown) {
  const problem = check(value);
  return problem === undefined ? undefined : { code: problem.code, suffix: problem.suffix, message: problem.render(`args${problem.suffix}`) };
}

describe("validation fast paths agree with their slow twins", () => {
  for (const [name, node] of [
    ["closed object", NODE],
    ["open object", OPEN],
  ] as const) {
    it(name, () => {
      const fast = compileCheck(node);
      const slow = compileCheck(node, false);
      for (const value of VALUES) expect(answer(fast, value), JSON.stringify(value)).toEqual(answer(slow, value));
      // The shortcut is really taken: a valid value passes the fast check.
      expect(answer(fast, VALUES[1])).toBeUndefined();
    });
  }

  it("arrays of strings, inline", () => {
    const node: SchemaNode = { type: "array", items: str(2) };
    const fast = compileCheck(node);
    const slow = compileCheck(node, false);
    for (const value of [[], ["a", "bb"], ["ccc"], ["😀😀"], ["\udc00"], [1], ["a", null]]) {
      expect(answer(fast, value), JSON.stringify(value)).toEqual(answer(slow, value));
    }
  });

  it("an object wider than the pass tracks (31 fields) takes the in-order check", () => {
    const node: SchemaNode = {
      type: "object",
      properties: Array.from({ length: 31 }, (_, i) => ({ name: `f${i}`, required: i === 30, schema: str(2) })),
      additionalProperties: false,
    };
    const fast = compileCheck(node);
    const slow = compileCheck(node, false);
    for (const value of [{ f30: "a" }, { f0: "a" }, { f30: "a", x: 1 }, { f30: "abc" }]) expect(answer(fast, value)).toEqual(answer(slow, value));
  });
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


describe("the request's top-level pass agrees with reading the parts by name", () => {
  const { agent, action, args, env } = shell() as { agent: object; action: string; args: object; env: string };
  const good = { agent, action, args, env };
  const hidden = (key: string, value: unknown): object => Object.defineProperty({ ...good }, key, { value, enumerable: false });
  const cases: [string, unknown][] = [
    ["plain", good],
    ["keys in another order", { env, args, action, agent }],
    ["an undeclared key", { ...good, zz: 1, aa: 2 }],
    ["an undeclared key set to undefined", { ...good, extra: undefined }],
    ["human null", { ...good, human: null }],
    ["agent undefined", { ...good, agent: undefined }],
    ["inherited parts", Object.assign(Object.create({ agent, env }), { action, args })],
    ["an inherited undeclared key first", Object.assign(Object.create({ zz: 1 }), good)],
    ["a part not enumerable", hidden("env", env)],
    ["a part not enumerable and wrong", hidden("env", 7)],
    ["context not enumerable and wrong", hidden("context", "x")],
  ];
  it("every case: the part a by-name reading blames (or none)", async () => {
    const { validateRequest, compileRequestChecks, newParts } = await import("../../runtime/encode/request.js");
    const { testManifest } = await import("./harness.js");
    const checks = compileRequestChecks(testManifest());
    for (const [name, input] of cases) {
      const parts = newParts();
      const got = validateRequest(input, undefined, checks, parts);
      // The by-name reading: what each part is as an own enumerable property (decide reads nothing else,
      // runtime/encode/snapshot.ts), and the first undeclared key in code-unit order.
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
      if (own("agent") === undefined) {
        expect(got?.path, name).toBe("agent");
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
      expect(parts.env, name).toBe(env);
      expect(parts.human, name).toBeUndefined();
    }
  });
});
