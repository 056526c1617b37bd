/**
 * Issue 19: the bound check before the work (ADR 0035). Refusing a request
 * costs work bounded by the schema, not by what the attacker sent: a string
 * far past its `maxLength` (with lone surrogates, astral characters, an
 * enum or a pattern behind the bound) is refused after looking at no more
 * than 2 × `maxLength` of its units; a closed object with thousands of
 * unknown keys, or an open one whose undeclared values fail their schema,
 * is refused in one scan of its keys, never a sort.
 *
 * Guards, on generated hostile values: the runtime's object path, its JSON
 * path and the reference interpreter refuse with the same code, path and
 * text; the runtime's work meter (runtime/encode/meter.ts) stays within the
 * schema's bound whatever the value's size; `Array.prototype.sort` is never
 * called while the runtime refuses. No wall-clock assertions.
 * AGP_OVERSIZED_RUNS=n raises the number of generated cases.
 */
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { meter, resetMeter } from "../../runtime/encode/meter.js";
import { loadJsonDeciderSync, type Decision, type JsonDecider, type PolicyEngine } from "../../runtime/index.js";
import type { Interpreter } from "../../compiler/interpret/index.js";
import { checkText, pairOf } from "../compile/harness.js";
import { adversarialFixture, writeRequest } from "./fixture.js";

const RUNS = Number(process.env["AGP_OVERSIZED_RUNS"] ?? 40);

/** A catalog whose strings sit behind every string keyword, and whose objects are closed or checked. */
const CATALOG = {
  "bounds.json": {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    family: "bounds",
    actions: {
      take: {
        args: {
          type: "object",
          properties: {
            name: { type: "string", maxLength: 16, minLength: 2, pattern: "^[a-z]+$" },
            mode: { type: "string", enum: ["read", "write"] },
            tag: { type: "string", maxLength: 8 },
            free: { type: "string" },
          },
          required: ["name"],
          additionalProperties: false,
        },
      },
      label: {
        args: {
          type: "object",
          properties: { id: { type: "string", maxLength: 8 } },
          required: ["id"],
          additionalProperties: { type: "string", maxLength: 4 },
        },
      },
    },
  },
};

const POLICY = `package bounds

rule take:
  allow bounds.take
  when args.name startsWith "a"

rule label:
  allow bounds.label
  when args.id == "x"
`;

interface Engines {
  readonly engine: PolicyEngine;
  readonly json: JsonDecider;
  readonly interpreter: Interpreter;
}

let bounds: Engines;

beforeAll(() => {
  const { checked, catalogs } = checkText({ "bounds.agp": POLICY }, CATALOG);
  const pair = pairOf(checked, catalogs);
  bounds = { engine: pair.engine, json: loadJsonDeciderSync(pair.engine), interpreter: pair.interpreter };
});

afterEach(() => {
  vi.restoreAllMocks();
});

function request(action: string, args: Record<string, unknown>): Record<string, unknown> {
  return { agent: { id: "bot", groups: ["writers"], trust: 2 }, action, args, env: "dev" };
}

/** The runtime's decision, the work it metered, and whether it sorted anything. */
function metered(engine: PolicyEngine, value: unknown): { decision: Decision; units: number; keys: number; sorted: boolean } {
  const sort = vi.spyOn(Array.prototype, "sort");
  resetMeter();
  const decision = engine.decide(value);
  const units = meter.units;
  const keys = meter.keys;
  const sorted = sort.mock.calls.length > 0;
  sort.mockRestore();
  return { decision, units, keys, sorted };
}

/** Every engine refuses the same way; returns the runtime's decision and its metered work. */
function refusedAlike(engines: Engines, value: Record<string, unknown>, viaJson = true): ReturnType<typeof metered> {
  const result = metered(engines.engine, value);
  expect(result.decision.effect).toBe("deny");
  expect(result.decision.error).toBeDefined();
  expect(engines.interpreter.decide(value)).toEqual(result.decision);
  if (viaJson) expect(engines.json.decideJson(JSON.stringify(value))).toEqual(result.decision);
  return result;
}

/** Units of a string: ASCII, astral pairs, and lone surrogates, anywhere. */
const unit = fc.constantFrom("a", "b", "z", "é", "😀", "\ud800", "\udfff", "-", "/");

/** A long string: a generated head (up to 40 units) repeated, so lengths reach 200,000 cheaply. */
const longString = fc.record({ head: fc.array(unit, { minLength: 1, maxLength: 40 }).map((u) => u.join("")), times: fc.integer({ min: 1, max: 5000 }) }).map(({ head, times }) => head.repeat(times));

describe("strings: the length before the scan", () => {
  it("a string past maxLength is refused like the interpreter, looking at no more than 2 x maxLength units", () => {
    fc.assert(
      fc.property(longString, fc.constantFrom("name", "tag"), (s, field) => {
        const maxLength = field === "name" ? 16 : 8;
        fc.pre([...s].length > maxLength);
        const base = metered(bounds.engine, request("bounds.take", { name: "ab" })).units;
        const args = field === "name" ? { name: s } : { name: "ab", tag: s };
        const { decision, units } = refusedAlike(bounds, request("bounds.take", args));
        expect(decision.error).toEqual({ code: "too_long", message: `\`args.${field}\` is longer than its maxLength ${maxLength}`, path: `args.${field}` });
        // Twice the bound at most: the object check's one-pass shortcut, then its ordered pass, may each look once.
        expect(units - base).toBeLessThanOrEqual(4 * maxLength);
      }),
      { numRuns: RUNS, seed: 19_01 },
    );
  });

  it("within the bound the other problems come in order: lone surrogates, minLength, enum, pattern", () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 0, maxLength: 20 }).map((u) => u.join("")), (s) => {
        const value = request("bounds.take", { name: s, mode: s });
        const decision = bounds.engine.decide(value);
        expect(bounds.interpreter.decide(value)).toEqual(decision);
        expect(bounds.json.decideJson(JSON.stringify(value))).toEqual(decision);
      }),
      { numRuns: RUNS * 5, seed: 19_02 },
    );
  });

  it("an overlong string in an enum field is refused without hashing it; a free-form string is read whole", () => {
    const long = "w".repeat(200_000);
    const { decision, units } = refusedAlike(bounds, request("bounds.take", { name: "ab", mode: long }));
    // A string enum is bounded by its longest member (the catalog gives it that maxLength).
    expect(decision.error).toEqual({ code: "too_long", message: "`args.mode` is longer than its maxLength 5", path: "args.mode" });
    expect(units).toBeLessThan(1000);
    // A string with no maxLength is accepted or refused on all of it: the schema bounds nothing there.
    expect(bounds.engine.decide(request("bounds.take", { name: "ab", free: `${long}\ud800` })).error?.code).toBe("invalid_string");
  });

  it("ten million characters past a maxLength of 64: refused on every path, the same way, scanning nothing", () => {
    const { engine, json, interpreter } = adversarialFixture();
    const huge = `${"x".repeat(5_000_000)}\ud800${"y".repeat(5_000_000)}`;
    const value = { ...writeRequest(), action: "files.note", args: { text: huge } };
    const { decision, units } = metered(engine, value);
    expect(decision.error).toEqual({ code: "too_long", message: "`args.text` is longer than its maxLength 64", path: "args.text" });
    expect(units).toBeLessThan(1000);
    expect(interpreter.decide(value)).toEqual(decision);
    expect(json.decideJson(JSON.stringify(value))).toEqual(decision);
  });
});

describe("objects: one scan of the keys, never a sort", () => {
  const key = fc.string({ unit: fc.constantFrom("a", "b", "Z", "_", "é", "😀", "0"), minLength: 1, maxLength: 6 });

  it("a closed object with many unknown keys names the first in code-unit order, in one scan", () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 20 }), (keys, copies) => {
        const args: Record<string, unknown> = { name: "abc" };
        for (let c = 0; c < copies; c++) for (const k of keys) if (k !== "name" && k !== "mode" && k !== "tag" && k !== "free") args[`${k}${c === 0 ? "" : c}`] = c;
        fc.pre(Object.keys(args).length > 1);
        const { decision, keys: scanned, sorted } = refusedAlike(bounds, request("bounds.take", args));
        expect(decision.error?.code).toBe("unknown_field");
        expect(sorted).toBe(false);
        expect(scanned).toBeLessThanOrEqual(Object.keys(args).length + 8);
      }),
      { numRuns: RUNS, seed: 19_03 },
    );
  });

  it("undeclared values against additionalProperties: the smallest failing key, in one scan", () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 300 }), fc.array(fc.constantFrom("ok", "toolong", 7), { minLength: 1, maxLength: 300 }), (keys, values) => {
        const args: Record<string, unknown> = { id: "x" };
        keys.forEach((k, i) => {
          if (k !== "id") args[k] = values[i % values.length];
        });
        const value = request("bounds.label", args);
        const { decision, keys: scanned, sorted } = metered(bounds.engine, value);
        expect(bounds.interpreter.decide(value)).toEqual(decision);
        expect(bounds.json.decideJson(JSON.stringify(value))).toEqual(decision);
        expect(sorted).toBe(false);
        expect(scanned).toBeLessThanOrEqual(Object.keys(args).length + 8);
      }),
      { numRuns: RUNS, seed: 19_04 },
    );
  });

  it("99,000 unknown keys (within the 100,000 values a request may hold): the same refusal as the interpreter, no sort", () => {
    const args: Record<string, unknown> = { name: "abc" };
    for (let i = 99_000; i > 0; i--) args[`k${i}`] = i;
    const value = request("bounds.take", args);
    const { decision, keys, sorted } = metered(bounds.engine, value);
    expect(decision.error).toEqual({ code: "unknown_field", message: "unknown field `args.k1`", path: "args.k1" });
    expect(sorted).toBe(false);
    expect(keys).toBeLessThanOrEqual(99_010);
    expect(bounds.interpreter.decide(value)).toEqual(decision);
  });
});
