/**
 * Class C (gateway) and D(1): untrusted request objects are read once.
 * Whatever shape the host passes — getters, proxies whose traps lie or
 * throw, values JSON lacks, cycles, nesting thousands deep, members named
 * `__proto__` — `gateway.check` never throws, audits every answer, and
 * decides, digests and audits one snapshot, so nothing runs that the
 * snapshot's decision refuses.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson, digestOf, readAuditEntries, verifyAudit, type DecisionEngine } from "../../runtime/governance/index.js";
import { policy } from "../interpret/harness.js";
import { AGENT, engine, gateway, manifestOf, request, shell } from "../governance/harness.js";
import { runs } from "./gateway-harness.js";

const lastEntry = (text: string) => readAuditEntries(text).at(-1)!;

describe("one read of the request", () => {
  it("an agent.id getter answering `innocent` twice and then `bot` cannot run a killed agent", async () => {
    const { gw, sink } = await gateway();
    await gw.kill.engage({ scope: "agent", name: "bot" }, { by: "ana", reason: "misbehaving" });
    let reads = 0;
    const agent = { groups: [], trust: 2 };
    Object.defineProperty(agent, "id", { enumerable: true, get: () => (++reads <= 2 ? "innocent" : "bot") });
    const answer = await gw.check(shell("ls", { agent }), { requestId: "g1" });
    expect(answer).toMatchObject({ action: "refuse", reason: "the request cannot be read: `agent.id` is a getter; the gateway reads plain data properties only" });
    expect(reads).toBe(0);
    expect(lastEntry(sink.text())).toMatchObject({ kind: "decision", result: "refuse", agent: "", request: null, reason: answer.reason });
    expect(verifyAudit(sink.text()).ok).toBe(true);
  });

  it("a Proxy whose get trap lies is read through its descriptors: the kill switch sees the real id, and so does the audit", async () => {
    const { gw, sink } = await gateway();
    await gw.kill.engage({ scope: "agent", name: "bot" }, { by: "ana", reason: "misbehaving" });
    const agent = new Proxy({ id: "bot", groups: [], trust: 2 }, { get: (target, key) => (key === "id" ? "innocent" : Reflect.get(target, key)) });
    const answer = await gw.check(shell("ls", { agent }), { requestId: "p1" });
    expect(answer).toMatchObject({ action: "refuse", reason: "kill switch `bot` is engaged (by ana: misbehaving)" });
    expect(lastEntry(sink.text())).toMatchObject({ agent: "bot", result: "refuse" });
  });

  it("each property is asked for once: a descriptor trap that changes its answer is asked only the first time", async () => {
    const { gw, sink } = await gateway();
    await gw.kill.engage({ scope: "agent", name: "bot" }, { by: "ana", reason: "misbehaving" });
    const asked = new Map<PropertyKey, number>();
    const agent = new Proxy(
      { id: "bot", groups: [], trust: 2 },
      {
        getOwnPropertyDescriptor(target, key) {
          const n = (asked.get(key) ?? 0) + 1;
          asked.set(key, n);
          const real = Reflect.getOwnPropertyDescriptor(target, key);
          return key === "id" && n > 1 ? { ...real, value: "innocent" } : real;
        },
      },
    );
    const answer = await gw.check(shell("ls", { agent }), { requestId: "p2" });
    expect(answer.action).toBe("refuse");
    expect(answer.reason).toBe("kill switch `bot` is engaged (by ana: misbehaving)");
    expect([...asked.values()].every((n) => n === 1)).toBe(true);
    expect(lastEntry(sink.text())).toMatchObject({ agent: "bot" });
  });

  it("a trap that throws, anything thrown, is a refusal saying where", async () => {
    const { gw, sink } = await gateway();
    const args = new Proxy({}, { ownKeys: () => { throw Object.create(null); } });
    const thrown = await gw.check(request("shell.exec", args), { requestId: "t1" });
    expect(thrown).toMatchObject({ action: "refuse", reason: "the request cannot be read: reading `args` threw: a value that is not an Error" });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const dead = await gw.check(request("shell.exec", revoked.proxy), { requestId: "t2" });
    expect(dead.reason).toMatch(/^the request cannot be read: reading `args` threw: /);
    expect(readAuditEntries(sink.text()).map((e) => e["requestId"])).toEqual(["t1", "t2"]);
  });

  it("a 4,000-deep array in a free-form args field (about 8 KB) is refused and audited, not a RangeError", async () => {
    const { gw, sink } = await gateway();
    const payload = JSON.parse(`${"[".repeat(4000)}${"]".repeat(4000)}`) as unknown;
    const answer = await gw.check(shell("ls", { args: { command: "ls", timeout_seconds: 60, write_paths: [], payload } }), { requestId: "deep" });
    const path = `args.payload${"[0]".repeat(62)}`;
    expect(answer).toMatchObject({ action: "refuse", reason: `the request cannot be read: \`${path}\` is nested deeper than 64 levels` });
    expect(lastEntry(sink.text())).toMatchObject({ requestId: "deep", result: "refuse" });
    expect(verifyAudit(sink.text()).ok).toBe(true);
  });

  it("the request's depth and size are options: a request over them is refused", async () => {
    const { gw } = await gateway({ request: { maxDepth: 4, maxSize: 200 } });
    const deep = await gw.check(shell("ls", { args: { command: "ls", timeout_seconds: 60, write_paths: [], x: { y: { z: {} } } } }), { requestId: "d" });
    expect(deep.reason).toBe("the request cannot be read: `args.x.y.z` is nested deeper than 4 levels");
    const big = await gw.check(shell("x".repeat(300)), { requestId: "b" });
    expect(big.reason).toBe("the request cannot be read: the request is larger than the gateway reads (more than 200 units: one per value plus every string's and key's length)");
    await expect(gateway({ request: { maxDepth: 0 } })).rejects.toThrow("`request.maxDepth` must be an integer from 1 to 1000, got 0");
    await expect(gateway({ request: { depth: 3 } as never })).rejects.toThrow("unknown `request` option `depth`; use maxDepth or maxSize");
  });

  it("values JSON lacks are refused with what and where", async () => {
    const { gw } = await gateway();
    class Point {
      x = 1;
    }
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const cases: [unknown, string][] = [
      [() => 1, "`args.v` is a function, which is not JSON"],
      [10n, "`args.v` is a bigint, which is not JSON"],
      [Symbol("s"), "`args.v` is a symbol, which is not JSON"],
      [new Date(0), "`args.v` is a Date object, which is not JSON"],
      [new Map(), "`args.v` is a Map object, which is not JSON"],
      [new Point(), "`args.v` is a Point object, which is not JSON"],
      [Number.NaN, "`args.v` is NaN, which is not JSON"],
      [-Infinity, "`args.v` is -Infinity, which is not JSON"],
      [[1, undefined], "`args.v[1]` is undefined, which is not JSON"],
      [sparse, "`args.v[1]` is missing (a sparse array), which is not JSON"],
      ["\ud800", "`args.v` is not well-formed Unicode (a lone surrogate)"],
    ];
    for (const [i, [v, reason]] of cases.entries()) {
      const answer = await gw.check(shell("ls", { args: { command: "ls", timeout_seconds: 60, write_paths: [], v } }), { requestId: `v${i}` });
      expect(answer.reason).toBe(`the request cannot be read: ${reason}`);
    }
    const top = await gw.check(undefined, { requestId: "u" });
    expect(top.reason).toBe("the request cannot be read: the request is undefined, which is not JSON");
  });

  it("only the request id may make check throw, and it says how", async () => {
    const { gw } = await gateway();
    const message = "check needs a non-empty `requestId`: a well-formed string of at most 1024 characters";
    for (const options of [undefined, {}, { requestId: "" }, { requestId: 7 }, { requestId: "x".repeat(1025) }, { get requestId() { throw new Error("boom"); } }]) {
      await expect(gw.check(shell(), options as never)).rejects.toThrow(message);
    }
  });

  describe("a polluted Object.prototype changes nothing", () => {
    const proto = Object.prototype as Record<string, unknown>;
    afterEach(() => {
      delete proto["human"];
      delete proto["trust"];
      delete proto["approvals"];
    });

    it("an inherited `human` is not the request's human, in the audit or the digest", async () => {
      const { gw, sink } = await gateway();
      const clean = await gw.check(shell(), { requestId: "c" });
      proto["human"] = { id: "alice" };
      const polluted = await gw.check(shell(), { requestId: "p" });
      expect(polluted.action).toBe(clean.action);
      const [a, b] = readAuditEntries(sink.text());
      expect(b).toMatchObject({ human: null, request: a!["request"] });
    });
  });
});

/** One node of a generated request, and how hostile its container is. */
type Hostility = "plain" | "lying-get" | "changing-descriptor" | "getter" | "throwing-keys" | "function-member";
const FATAL: readonly Hostility[] = ["getter", "throwing-keys", "function-member"];
const KEYS = ["a", "b", "__proto__", "constructor", "toString", "hasOwnProperty", "then"];

interface Plan {
  readonly clean: unknown;
  readonly build: () => unknown;
  readonly fatal: boolean;
}

const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 6 }));
const hostility = fc.constantFrom<Hostility>("plain", "plain", "plain", "lying-get", "changing-descriptor", "getter", "throwing-keys", "function-member");

/** Generates a JSON value together with a hostile object that stands for it. */
const plan: fc.Arbitrary<Plan> = fc.letrec<{ node: Plan }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf.map((v) => ({ clean: v, build: () => v, fatal: false })),
    // Arrays are read by index and length only: their hostility is in what those answer.
    fc.tuple(fc.array(tie("node"), { maxLength: 3 }), fc.constantFrom<Hostility>("plain", "lying-get", "changing-descriptor")).map(([items, how]) => ({
      clean: items.map((i) => i.clean),
      build: () => hostile(items.map((i) => i.build()), how),
      fatal: items.some((i) => i.fatal),
    })),
    fc.tuple(fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 4 }), fc.array(tie("node"), { minLength: 4, maxLength: 4 }), hostility).map(([keys, values, how]) => {
      const clean: Record<string, unknown> = {};
      keys.forEach((k, i) => Object.defineProperty(clean, k, { value: values[i]!.clean, enumerable: true, writable: true, configurable: true }));
      return {
        clean,
        build: () => {
          const object: Record<string, unknown> = {};
          keys.forEach((k, i) => Object.defineProperty(object, k, { value: values[i]!.build(), enumerable: true, writable: true, configurable: true }));
          return hostile(object, how);
        },
        fatal: FATAL.includes(how) || keys.some((_, i) => values[i]!.fatal),
      };
    }),
  ),
})).node;

function hostile(value: object, how: Hostility): unknown {
  switch (how) {
    case "plain":
      return value;
    case "lying-get":
      return new Proxy(value, { get: () => "LIE" });
    case "changing-descriptor": {
      const asked = new Set<PropertyKey>();
      return new Proxy(value, {
        getOwnPropertyDescriptor(target, key) {
          const real = Reflect.getOwnPropertyDescriptor(target, key);
          if (asked.has(key) && real !== undefined && "value" in real && key !== "length") return { ...real, value: "CHANGED" };
          asked.add(key);
          return real;
        },
      });
    }
    case "getter":
      Object.defineProperty(value, "sneaky", { enumerable: true, get: () => "x" });
      return value;
    case "throwing-keys":
      return new Proxy(value, { ownKeys: () => { throw new Error("no keys"); } });
    case "function-member":
      Object.defineProperty(value, "f", { enumerable: true, value: () => 1 });
      return value;
  }
}

describe("generated hostile requests", () => {
  it("check never throws, audits every answer, and decides, digests and audits the snapshot only", async () => {
    const interpreter = policy(`rule shell_ok: allow shell.exec\nrule review: approve shell.exec when args.command == "review" by 1 of group "ops"`);
    const seen: unknown[] = [];
    const live: DecisionEngine = {
      decide: (r, s) => {
        seen.push(r);
        return { ...interpreter.decide(r, s), policy: { hash: "h", version: "1" } };
      },
      policy: { hash: "h", version: "1" },
      manifest: manifestOf(interpreter.model.catalogs),
    };
    const { gw, sink } = await gateway({ engine: live, trust: false });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(plan, fc.constantFrom("ls", "review"), async (extra, command) => {
        const requestId = `r${++n}`;
        const args = { command, timeout_seconds: 60, write_paths: [], extra: extra.build() };
        const expected = { agent: AGENT, action: "shell.exec", args: { command, timeout_seconds: 60, write_paths: [], extra: extra.clean }, env: "production" };
        seen.length = 0;
        const before = readAuditEntries(sink.text()).length;
        const answer = await gw.check({ agent: AGENT, action: "shell.exec", args, env: "production" }, { requestId });
        const entries = readAuditEntries(sink.text());
        expect(entries.length).toBe(before + 1);
        const entry = entries.at(-1)!;
        expect(entry).toMatchObject({ requestId, result: answer.action, hash: answer.audit });
        if (extra.fatal) {
          expect(answer.action).toBe("refuse");
          expect(answer.reason).toMatch(/^the request cannot be read: /);
          expect(seen).toEqual([]);
          return;
        }
        // The engine saw exactly the clean data, members named __proto__ included; the audit holds the same (no secrets here).
        expect(seen.length).toBeGreaterThan(0);
        for (const r of seen) expect(canonicalJson(r)).toBe(canonicalJson(expected));
        expect(canonicalJson((entry["request"] as { args: unknown }).args)).toBe(canonicalJson(expected.args));
        const truth = interpreter.decide(expected);
        expect(answer.decision.effect).toBe(truth.effect);
        if (answer.action === "run") expect(truth.effect).toBe("allow");
        if (answer.action === "wait") {
          expect(canonicalJson(answer.ticket!.args)).toBe(canonicalJson(expected.args));
          expect(JSON.stringify(answer.ticket!.args)).toBe(JSON.stringify(expected.args));
        }
      }),
      { numRuns: runs(150), seed: 1101 },
    );
    expect(verifyAudit(sink.text()).ok).toBe(true);
  });
});
