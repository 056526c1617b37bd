/**
 * Class C of the hardening review: untrusted host objects are read once.
 * A getter or Proxy that shows validation one value and the encoder another
 * got a 300-character path past `maxLength: 256`, an array encoded as `""`
 * and `-1e9` past `minimum: 0`. Whatever the host passes (getters with
 * alternating values, Proxies whose get / ownKeys / getOwnPropertyDescriptor
 * / has / getPrototypeOf lie, inherited properties, non-plain objects,
 * symbols, sparse arrays, arrays with extra properties, huge depth, throwing
 * getters), `engine.decide` must decide on one snapshot, taken once.
 *
 * Guards: every getter runs at most once per decision; the decision equals
 * the decision on a frozen plain copy of what was read (so nothing is
 * allowed that the plain copy would deny); the interpreter, reading the same
 * kind of object, decides the same; nothing throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { snapshot } from "../../runtime/encode/snapshot.js";
import { Refused } from "../../runtime/encode/values.js";
import { DEFAULT_REQUEST_BOUNDS, type Decision } from "../../runtime/index.js";
import { adversarialFixture, writeRequest } from "./fixture.js";

const THROW = Symbol("throw");

/** What a hostile property answers on its 1st, 2nd, … read (cycling); THROW throws. */
type Answers = readonly unknown[];

/** Reads of hostile properties during one decision, by label. */
class Reads {
  readonly counts = new Map<string, number>();
  hit(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  max(): number {
    return Math.max(0, ...this.counts.values());
  }
}

function answer(answers: Answers, n: number): unknown {
  const a = answers[n % answers.length];
  if (a === THROW) throw new Error("hostile getter");
  return a;
}

/** An object with `hostile` keys as getters answering in turn; other keys plain. */
function withGetters(plain: Record<string, unknown>, hostile: Readonly<Record<string, Answers>>, reads: Reads, label: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(plain)) {
    if (!(key in hostile)) {
      out[key] = plain[key];
      continue;
    }
    let n = 0;
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        reads.hit(`${label}.${key}`);
        return answer(hostile[key]!, n++);
      },
    });
  }
  return out;
}

/** The value a single read of every hostile property sees (first answers), as plain data. */
function firstView(plain: Record<string, unknown>, hostile: Readonly<Record<string, Answers>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(plain)) out[key] = key in hostile ? hostile[key]![0] : plain[key];
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Plain data of a snapshot (its records have no prototype); frozen, as the property asks. */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]));
  return value;
}

/** Whether JSON can spell the value exactly (no undefined, functions, symbols, non-finite numbers). */
function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value === "object") return Object.values(value).every(isJsonData);
  return false;
}

const fx = () => adversarialFixture();

describe("the review's reproducers: one value to validation, another to encoding", () => {
  const cases: [string, Record<string, Answers>][] = [
    ["a path that grows past maxLength after validation", { path: ["src/a.ts", `src/${"x".repeat(300)}`] }],
    ["an array that becomes a string", { paths: [["src/b.ts"], ""] }],
    ["an amount that drops below its minimum", { amount: [10, -1e9] }],
    ["a path that leaves src/", { path: ["src/a.ts", "/etc/passwd"] }],
  ];
  it.each(cases)("%s: decided on the first value, read once, by every engine", (_name, hostile) => {
    const { engine, json, interpreter } = fx();
    const plain = writeRequest().args as Record<string, unknown>;
    const expected = engine.decide(deepFreeze({ ...writeRequest(), args: firstView(plain, hostile) }));
    expect(expected.effect).toBe("allow");
    for (const decide of [(r: unknown) => engine.decide(r), (r: unknown) => interpreter.decide(r)]) {
      const reads = new Reads();
      const request = { ...writeRequest(), args: withGetters(plain, hostile, reads, "args") };
      expect(decide(request)).toEqual(expected);
      expect(reads.max()).toBe(1);
    }
    expect(json.decideJson(JSON.stringify({ ...writeRequest(), args: firstView(plain, hostile) }))).toEqual(expected);
  });

  it("the same through Proxies whose get trap answers differently each time", () => {
    const { engine } = fx();
    for (const [key, answers] of [["path", ["src/a.ts", `src/${"x".repeat(300)}`]], ["paths", [["src/b.ts"], ""]], ["amount", [10, -1e9]]] as const) {
      let n = 0;
      const args = new Proxy(writeRequest().args as Record<string, unknown>, {
        get: (target, k, receiver) => (k === key ? answer(answers, n++) : Reflect.get(target, k, receiver)),
      });
      expect(engine.decide({ ...writeRequest(), args })).toEqual(engine.decide(writeRequest({ [key]: answers[0] })));
      expect(n).toBe(1);
    }
  });
});

describe("hostile shapes fail closed, never throw", () => {
  const { engine, json, interpreter } = fx();
  const both = (request: unknown): Decision => {
    const a = engine.decide(request);
    expect(interpreter.decide(request)).toEqual(a);
    return a;
  };

  it("a getter that throws: an unreadable_value deny at its path", () => {
    const reads = new Reads();
    const args = withGetters(writeRequest().args as Record<string, unknown>, { amount: [THROW] }, reads, "args");
    expect(both({ ...writeRequest(), args }).error).toEqual({ code: "unreadable_value", message: "`args.amount` cannot be read: reading it threw an exception", path: "args.amount" });
    const root = new Proxy({}, { ownKeys: () => { throw new Error("no"); } });
    expect(both(root).error).toEqual({ code: "unreadable_value", message: "the request cannot be read: reading it threw an exception", path: "" });
  });

  it("a revoked Proxy, a lying array length", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(both({ ...writeRequest(), args: proxy }).error).toEqual({ code: "unreadable_value", message: "`args` cannot be read: reading it threw an exception", path: "args" });
    for (const length of ["abc", -1, 1.5, 2 ** 32, Infinity]) {
      const paths = new Proxy(["src/a"], { get: (t, k) => (k === "length" ? length : Reflect.get(t, k)) });
      expect(both(writeRequest({ paths })).error).toEqual({
        code: "unreadable_value",
        message: "`args.paths` cannot be read: its length is not an array length",
        path: "args.paths",
      });
    }
  });

  it("a 4,000-deep array, a cycle, a 2^60-path DAG: too_large on every path, no RangeError", () => {
    const expected = { code: "too_large", message: "the request is too large: the policy accepts at most 64 levels of nesting and 100000 values", path: "" };
    let deep: unknown = [];
    for (let i = 0; i < 4000; i++) deep = [deep];
    expect(both(writeRequest({ meta: deep })).error).toEqual(expected);
    expect(json.decideJson(JSON.stringify(writeRequest({ meta: "X" })).replace('"X"', `${"[".repeat(4000)}${"]".repeat(4000)}`)).error).toEqual(expected);
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    expect(both(writeRequest({ meta: cycle })).error).toEqual(expected);
    let dag: unknown[] = [];
    for (let i = 0; i < 60; i++) dag = [dag, dag];
    expect(both(writeRequest({ meta: dag })).error).toEqual(expected);
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(both(writeRequest({ meta: sparse })).error).toEqual(expected);
  });

  it("inherited properties are never read; a polluted Array.prototype does not fill holes", () => {
    const args = Object.assign(Object.create({ path: "src/inherited.ts", amount: 1 }) as object, { paths: [] });
    expect(both({ ...writeRequest(), args }).error).toEqual({ code: "missing_field", message: "missing required field `args.path`", path: "args.path" });
    const holey: unknown[] = ["src/a"];
    holey[2] = "src/b";
    const proto = Array.prototype as unknown as Record<number, unknown>;
    proto[1] = "src/polluted";
    try {
      expect(both(writeRequest({ paths: holey })).error).toEqual({ code: "wrong_type", message: "`args.paths[1]` must be a string, got nothing", path: "args.paths[1]" });
    } finally {
      delete proto[1];
    }
  });

  it("symbols, non-enumerable properties, extra array properties, non-plain objects", () => {
    const base = writeRequest();
    const args = { ...(base.args as object), [Symbol("evil")]: "ignored" };
    Object.defineProperty(args, "force", { value: true, enumerable: false });
    const paths = Object.assign(["src/a"], { extra: "ignored" });
    expect(both({ ...base, args: { ...args, paths } }).effect).toBe("allow");
    expect(both({ ...base, args: Object.defineProperty({ ...args }, "force", { value: true, enumerable: false }) }).effect).toBe("allow");
    expect(both(writeRequest({ path: Symbol("x") })).error?.message).toBe("`args.path` must be a string, got a symbol value");
    class Args {
      path = "src/a";
      paths = [];
      amount = 1;
      get force(): boolean {
        return true; // on the prototype: never read
      }
    }
    expect(both({ ...base, args: new Args() }).effect).toBe("allow");
    expect(both(writeRequest({ meta: [new Date(0), new Map([[1, 2]]), new Uint8Array(3), () => 1] })).effect).toBe("allow");
  });
});

/** A Proxy whose traps lie in turn, from a seeded pattern; records every `get` per key. */
function lyingProxy<T extends object>(target: T, pattern: readonly number[], reads: Reads, label: string): T {
  let turn = 0;
  const next = () => pattern[turn++ % pattern.length]!;
  return new Proxy(target, {
    get(t, k, receiver) {
      if (typeof k === "string") reads.hit(`${label}.${k}`);
      const v = Reflect.get(t, k, receiver);
      if (k === "length" && Array.isArray(t)) return next() === 0 ? v : (v as number) + next();
      switch (next()) {
        case 0:
          return v;
        case 1:
          return typeof v === "string" ? `${v}/../../etc` : v;
        case 2:
          return -1e9;
        default:
          return [v];
      }
    },
    ownKeys(t) {
      const keys = Reflect.ownKeys(t);
      return next() % 2 === 0 ? keys : keys.slice(1);
    },
    getOwnPropertyDescriptor(t, k) {
      const d = Reflect.getOwnPropertyDescriptor(t, k);
      return next() === 3 && d !== undefined && d.configurable === true ? { ...d, enumerable: false } : d;
    },
    has(t, k) {
      return next() === 1 ? false : Reflect.has(t, k);
    },
  });
}

const requestShape = fc.record({
  path: fc.constantFrom("src/a.ts", "lib/x", `src/${"x".repeat(300)}`, ""),
  paths: fc.array(fc.constantFrom("src/b", "etc/x", "src/c"), { maxLength: 3 }),
  amount: fc.constantFrom(0, 10, 1000, 1000.0000000000001, -1e9, 5e300),
  force: fc.constantFrom(undefined, false, true),
  meta: fc.constantFrom(undefined, null, [1, [2, [3]]], { a: { b: "c" } }),
});

describe("generated hostile objects decide as their plain snapshot", () => {
  it("getters with alternating answers: read once, decided on the first answer, by both engines", () => {
    const { engine, interpreter } = fx();
    const pool = fc.constantFrom<unknown>("src/a.ts", `src/${"y".repeat(300)}`, "/etc", "", -1e9, 10, 1000, ["src/b"], [], null, true, THROW, { x: 1 });
    fc.assert(
      fc.property(requestShape, fc.dictionary(fc.constantFrom("path", "paths", "amount", "force", "meta"), fc.array(pool, { minLength: 2, maxLength: 3 })), (shape, hostile) => {
        const plain = JSON.parse(JSON.stringify(shape)) as Record<string, unknown>;
        for (const key of Object.keys(hostile)) if (!(key in plain)) plain[key] = null;
        const view = firstView(plain, hostile);
        const firstThrows = Object.keys(view).find((k) => view[k] === THROW);
        const expected =
          firstThrows === undefined
            ? engine.decide(deepFreeze({ ...writeRequest(), args: view }))
            : { code: "unreadable_value", message: `\`args.${firstThrows}\` cannot be read: reading it threw an exception`, path: `args.${firstThrows}` };
        for (const decide of [(r: unknown) => engine.decide(r), (r: unknown) => interpreter.decide(r)]) {
          const reads = new Reads();
          const decision = decide({ ...writeRequest(), args: withGetters(plain, hostile, reads, "args") });
          expect(reads.max()).toBeLessThanOrEqual(1);
          if (firstThrows === undefined) expect(decision).toEqual(expected);
          else expect(decision.error).toEqual(expected);
        }
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it("Proxies with lying traps: every property read once; the decision is the decision on the snapshot", () => {
    const { engine, json } = fx();
    fc.assert(
      fc.property(requestShape, fc.array(fc.nat(4), { minLength: 1, maxLength: 7 }), fc.subarray(["request", "args", "paths", "agent", "meta"]), (shape, pattern, wrapped) => {
        // Two twins: the same proxies, the same patterns, fresh turns.
        const build = (reads: Reads): unknown => {
          const request = writeRequest(JSON.parse(JSON.stringify(shape)) as Record<string, unknown>) as Record<string, unknown>;
          const args = request["args"] as Record<string, unknown>;
          if (wrapped.includes("paths")) args["paths"] = lyingProxy(args["paths"] as unknown[], pattern, reads, "paths");
          if (wrapped.includes("meta") && typeof args["meta"] === "object" && args["meta"] !== null) args["meta"] = lyingProxy(args["meta"] as object, pattern, reads, "meta");
          if (wrapped.includes("args")) request["args"] = lyingProxy(args, pattern, reads, "args");
          if (wrapped.includes("agent")) request["agent"] = lyingProxy(request["agent"] as object, pattern, reads, "agent");
          return wrapped.includes("request") ? lyingProxy(request, pattern, reads, "request") : request;
        };
        const seen = snapshot(build(new Reads()), DEFAULT_REQUEST_BOUNDS, "");
        const reads = new Reads();
        const decision = engine.decide(build(reads));
        expect(reads.max()).toBeLessThanOrEqual(1);
        if (seen instanceof Refused) {
          expect(decision.error).toEqual(seen.refusal);
          return;
        }
        const copy = deepFreeze(plainCopy(seen));
        expect(decision).toEqual(engine.decide(copy));
        // When what was read is JSON data (no undefined array items, say), the JSON path decides it the same.
        if (isJsonData(copy)) expect(json.decideJson(JSON.stringify(copy))).toEqual(decision);
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});
