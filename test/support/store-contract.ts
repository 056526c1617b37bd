/**
 * The `StateStore` contract as one suite, run against every store (memory,
 * file, Redis) so they cannot drift: values and compare-and-set, expiry by
 * the store's clock, `list`, windowed counters charged all or nothing, the
 * cap rule, hostile keys and values, concurrency, and a fixed-seed property
 * test that replays random operation sequences against the memory store as
 * the model.
 *
 * In: a name and a factory making a fresh, empty store on a given clock.
 * Out: vitest cases. A case a store is known to fail is listed in
 * `knownDivergences` and runs as `it.fails` (so it turns red the day the
 * store is fixed, and the entry must go).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock, MemoryStateStore, type CounterOp, type StateStore } from "../../runtime/governance/index.js";

/** Makes a fresh, empty store whose expiry follows `clock`. */
export type StoreFactory = (clock: ManualClock) => Promise<StateStore>;

/** Cases whose name a store may list as known to fail. */
export const CAP_AT_ZERO = "an op with a cap fails when the counter is already at its cap, even for amount 0";

const T0 = Date.parse("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;

function op(key: string, amount: number, extra: Partial<CounterOp> = {}): CounterOp {
  return { key, window: T0, amount, exact: false, expiresAt: T0 + HOUR, ...extra };
}

/** The contract suite. */
export function storeContract(name: string, make: StoreFactory, options: { readonly knownDivergences?: ReadonlySet<string> } = {}): void {
  const known = options.knownDivergences ?? new Set<string>();
  const test = (title: string, body: () => Promise<void>): void => {
    (known.has(title) ? it.fails : it)(title, body);
  };
  const fresh = async () => {
    const clock = new ManualClock(T0);
    return { clock, store: await make(clock) };
  };

  describe(`the StateStore contract: ${name}`, () => {
    test("absent keys read undefined; compare-and-set creates, replaces and deletes only from the expected value", async () => {
      const { store } = await fresh();
      expect(await store.get("run:a")).toBeUndefined();
      expect(await store.getMany(["run:a", "kill:global"])).toEqual([undefined, undefined]);
      expect(await store.compareAndSet("run:a", undefined, "1")).toBe(true);
      expect(await store.compareAndSet("run:a", undefined, "2")).toBe(false);
      expect(await store.compareAndSet("run:a", "0", "2")).toBe(false);
      expect(await store.get("run:a")).toBe("1");
      expect(await store.compareAndSet("run:a", "1", "2")).toBe(true);
      expect(await store.compareAndSet("run:a", "2", undefined)).toBe(true);
      expect(await store.get("run:a")).toBeUndefined();
      expect(await store.compareAndSet("run:a", undefined, undefined)).toBe(true);
      expect(await store.get("run:a")).toBeUndefined();
      await store.close();
    });

    test("a value expires at its expiresAt by the store's clock, and an expired value counts as absent", async () => {
      const { store, clock } = await fresh();
      await store.compareAndSet("approval:t-1", undefined, "open", { expiresAt: T0 + 1000 });
      await store.compareAndSet("kill:global", undefined, "on");
      clock.advance(999);
      expect(await store.getMany(["approval:t-1", "kill:global"])).toEqual(["open", "on"]);
      expect(await store.list("approval:")).toEqual([["approval:t-1", "open"]]);
      clock.advance(1);
      expect(await store.get("approval:t-1")).toBeUndefined();
      expect(await store.list("approval:")).toEqual([]);
      expect(await store.compareAndSet("approval:t-1", "open", "x")).toBe(false);
      expect(await store.compareAndSet("approval:t-1", undefined, "again", { expiresAt: T0 - 1 })).toBe(true);
      expect(await store.get("approval:t-1")).toBeUndefined();
      expect(await store.compareAndSet("approval:t-1", undefined, "later", { expiresAt: T0 + 2 * HOUR })).toBe(true);
      expect(await store.get("approval:t-1")).toBe("later");
      await store.close();
    });

    test("list returns the live keys under a prefix, sorted, whatever their family", async () => {
      const { store } = await fresh();
      for (const key of ["kill:family:deploy", "kill:global", "kill:agent:x", "approval:t-2", "approval:t-1", "approval-digest:d", "run:r1", "trust:ci"]) {
        await store.compareAndSet(key, undefined, `v ${key}`);
      }
      await store.charge([op("counter:c", 1)]);
      expect((await store.list("kill:")).map(([k]) => k)).toEqual(["kill:agent:x", "kill:family:deploy", "kill:global"]);
      expect(await store.list("approval:")).toEqual([["approval:t-1", "v approval:t-1"], ["approval:t-2", "v approval:t-2"]]);
      expect((await store.list("approval")).map(([k]) => k)).toEqual(["approval-digest:d", "approval:t-1", "approval:t-2"]);
      expect((await store.list("")).map(([k]) => k)).toEqual(["approval-digest:d", "approval:t-1", "approval:t-2", "kill:agent:x", "kill:family:deploy", "kill:global", "run:r1", "trust:ci"]);
      expect(await store.list("nothing:")).toEqual([]);
      await store.close();
    });

    test("hostile keys and values round-trip exactly: lone surrogates, backslashes, separators, braces, glob characters", async () => {
      const { store } = await fresh();
      const keys = ["run:a\uD800", "run:a\uFFFD", "run:a\\uD800", "run:{x}|!*?[", "kill:agent:\uDC00", "kill:agent:\uFFFD", "approval:\\", "approval:\\\\"];
      for (const [i, key] of keys.entries()) expect(await store.compareAndSet(key, undefined, `${i}|!\uD800\\\n${key}`)).toBe(true);
      expect(await store.getMany(keys)).toEqual(keys.map((key, i) => `${i}|!\uD800\\\n${key}`));
      expect((await store.list("run:")).map(([k]) => k)).toEqual([...keys.slice(0, 4)].sort());
      expect((await store.list("kill:agent:")).map(([k]) => k)).toEqual(["kill:agent:\uDC00", "kill:agent:\uFFFD"]);
      expect((await store.list("approval:\\")).map(([k]) => k)).toEqual(["approval:\\", "approval:\\\\"]);
      expect(await store.compareAndSet("run:a\uD800", "0|!\uFFFD\\\nrun:a\uD800", "no")).toBe(false);
      await store.close();
    });

    test("charge applies every op or none, and reports the first op over its cap with the counter's value", async () => {
      const { store } = await fresh();
      expect(await store.charge([op("c:a", 60, { cap: 100 }), op("c:b", 3, { cap: 5 })])).toEqual({ ok: true, used: [60, 3] });
      expect(await store.charge([op("c:a", 30, { cap: 100 }), op("c:b", 3, { cap: 5 })])).toEqual({ ok: false, index: 1, used: 3 });
      expect(await store.counter("c:a")).toEqual({ window: T0, used: 60 });
      expect(await store.charge([op("c:a", 40, { cap: 100 }), op("c:a", 1, { cap: 100 })])).toEqual({ ok: false, index: 1, used: 100 });
      expect(await store.charge([op("c:a", 40, { cap: 100 }), op("c:b", 2, { cap: 5 })])).toEqual({ ok: true, used: [100, 5] });
      expect(await store.charge([op("c:a", 500)])).toEqual({ ok: true, used: [600] });
      expect(await store.charge([])).toEqual({ ok: true, used: [] });
      await store.close();
    });

    test(CAP_AT_ZERO, async () => {
      const { store } = await fresh();
      await store.charge([op("c:a", 100, { cap: 100 })]);
      expect(await store.charge([op("c:a", 0, { cap: 100 })])).toEqual({ ok: false, index: 0, used: 100 });
      await store.charge([op("c:b", 7)]);
      expect(await store.charge([op("c:b", 0, { cap: 5 })])).toEqual({ ok: false, index: 0, used: 7 });
      expect(await store.charge([op("c:c", 0, { cap: 0 })])).toEqual({ ok: false, index: 0, used: 0 });
      await store.close();
    });

    test("below the cap an op of amount 0 passes, and giving back never fails", async () => {
      const { store } = await fresh();
      await store.charge([op("c:a", 99, { cap: 100 })]);
      expect(await store.charge([op("c:a", 0, { cap: 100 })])).toEqual({ ok: true, used: [99] });
      await store.charge([op("c:a", 50)]);
      expect(await store.charge([op("c:a", -10, { cap: 100 })])).toEqual({ ok: true, used: [139] });
      expect(await store.charge([op("c:a", -1000)])).toEqual({ ok: true, used: [0] });
      await store.close();
    });

    test("windows: a reservation goes to the newest window; an exact op applies only in its own window", async () => {
      const { store } = await fresh();
      await store.charge([op("c:a", 10, { window: T0 + HOUR, cap: 10 })]);
      // A lagging clock's reservation for the older window lands in the newer one, at its cap.
      expect(await store.charge([op("c:a", 1, { window: T0, cap: 10 })])).toEqual({ ok: false, index: 0, used: 10 });
      // A refund for the older window gives nothing to the newer one.
      expect(await store.charge([op("c:a", -5, { window: T0, exact: true })])).toEqual({ ok: true, used: [10] });
      expect(await store.charge([op("c:a", -5, { window: T0 + HOUR, exact: true })])).toEqual({ ok: true, used: [5] });
      // A newer window restarts the counter at 0.
      expect(await store.charge([op("c:a", 2, { window: T0 + 2 * HOUR, cap: 10 })])).toEqual({ ok: true, used: [2] });
      expect(await store.counter("c:a")).toEqual({ window: T0 + 2 * HOUR, used: 2 });
      // An exact op on a counter never charged creates it at 0.
      expect(await store.charge([op("c:new", -3, { exact: true })])).toEqual({ ok: true, used: [0] });
      expect(await store.counter("c:new")).toEqual({ window: T0, used: 0 });
      await store.close();
    });

    test("a counter expires at the latest expiresAt given in its window, by the store's clock", async () => {
      const { store, clock } = await fresh();
      await store.charge([op("c:a", 1, { expiresAt: T0 + 2 * HOUR })]);
      await store.charge([op("c:a", 1, { expiresAt: T0 + HOUR })]);
      clock.set(T0 + 2 * HOUR - 1);
      expect(await store.counter("c:a")).toEqual({ window: T0, used: 2 });
      clock.set(T0 + 2 * HOUR);
      expect(await store.counter("c:a")).toBeUndefined();
      expect(await store.charge([op("c:a", 1, { cap: 1, expiresAt: T0 + 3 * HOUR })])).toEqual({ ok: true, used: [1] });
      await store.close();
    });

    test("amounts are integers (micro-units): they add exactly, large ones keep every digit, fractions are refused", async () => {
      const { store } = await fresh();
      expect(await store.charge([op("c:a", 100_000), op("c:a", 200_000)])).toEqual({ ok: true, used: [100_000, 300_000] });
      await expect(store.charge([op("c:a", 0.1)])).rejects.toThrow("charge: op 0 has amount 0.1; amounts are integers (micro-units) of magnitude at most 9007199254740991");
      expect(await store.counter("c:a")).toEqual({ window: T0, used: 300_000 });
      expect(await store.charge([op("c:b", 2 ** 52 + 1)])).toEqual({ ok: true, used: [2 ** 52 + 1] });
      expect(await store.counter("c:b")).toEqual({ window: T0, used: 2 ** 52 + 1 });
      await store.close();
    });

    test("concurrent compare-and-sets of one key: exactly one wins; concurrent charges never pass the cap", async () => {
      const { store } = await fresh();
      const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => store.compareAndSet("reservation:r", undefined, `claim ${i}`)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const charges = await Promise.all(Array.from({ length: 150 }, () => store.charge([op("c:a", 1, { cap: 100 }), op("c:b", 1)])));
      expect(charges.filter((c) => c.ok)).toHaveLength(100);
      expect(await store.counter("c:a")).toEqual({ window: T0, used: 100 });
      expect(await store.counter("c:b")).toEqual({ window: T0, used: 100 });
      await store.close();
    });

    test("property: random operation sequences give the memory store's answers (fixed seed)", async () => {
      const key = fc.constantFrom("run:a", "run:b", "kill:global", "approval:t", "approval:u");
      const value = fc.option(fc.constantFrom("x", "y", "z\uD800"), { nil: undefined });
      const counter = fc.constantFrom("c:a", "c:b");
      const operation = fc.oneof(
        fc.record({ type: fc.constant("cas" as const), key, expected: value, value, ttl: fc.option(fc.integer({ min: -10, max: 3000 }), { nil: undefined }) }),
        fc.record({ type: fc.constant("get" as const), keys: fc.array(key, { maxLength: 3 }) }),
        fc.record({ type: fc.constant("list" as const), prefix: fc.constantFrom("", "run:", "approval:", "kill:", "approval") }),
        fc.record({
          type: fc.constant("charge" as const),
          ops: fc.array(
            fc
              .record({ key: counter, window: fc.constantFrom(T0, T0 + 1000), amount: fc.integer({ min: -5, max: 6 }), cap: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), exact: fc.boolean(), ttl: fc.integer({ min: 1, max: 3000 }) }),
            { maxLength: 3 },
          ),
        }),
        fc.record({ type: fc.constant("counter" as const), key: counter }),
        fc.record({ type: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 1500 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
          const clock = new ManualClock(T0);
          const store = await make(clock);
          const model = new MemoryStateStore({ clock });
          try {
            for (const o of operations) {
              const run = async (s: StateStore): Promise<unknown> => {
                switch (o.type) {
                  case "cas":
                    return s.compareAndSet(o.key, o.expected, o.value, o.ttl === undefined ? {} : { expiresAt: clock.now() + o.ttl });
                  case "get":
                    return s.getMany(o.keys);
                  case "list":
                    return s.list(o.prefix);
                  case "charge":
                    return s.charge(o.ops.map((c) => ({ key: c.key, window: c.window, amount: c.amount, exact: c.exact, expiresAt: clock.now() + c.ttl, ...(c.cap === undefined ? {} : { cap: c.cap }) })));
                  case "counter":
                    return s.counter(o.key);
                  case "tick":
                    clock.advance(o.ms);
                    return undefined;
                }
              };
              const expected = await run(model);
              if (o.type === "tick") continue;
              expect(await run(store), JSON.stringify(o)).toEqual(expected);
            }
          } finally {
            await store.close();
          }
        }),
        { seed: 1313, numRuns: Number(process.env["AGP_STORE_RUNS"] ?? 40) },
      );
    });
  });
}
