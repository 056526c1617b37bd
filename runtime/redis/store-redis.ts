/**
 * The `StateStore` contract on a Redis shared by every gateway replica.
 *
 * In: a connection, a key layout (the deployment prefix), a clock. Out: the
 * same answers the memory store gives (store.ts, store-memory.ts; the
 * contract suite test/support/store-contract.ts holds all three to it),
 * with each method one atomic step on the server:
 * `compareAndSet` and `charge` are scripts; `get`, `getMany` and `counter`
 * are reads (MGET / HMGET) judged by this clock; `list` reads a grouped
 * family's index in one script, other families by SCAN (O(all keys): an
 * operator's call, never on a check's path).
 * Expiry: a value's `expiresAt` is stored with it and judged by the
 * caller's clock, exactly as in memory; Redis also gets a TTL of
 * (expiresAt − now + `ttlSlackMs`), so forgotten keys leave memory by
 * themselves even if nobody reads them.
 * Must not retry a write whose reply was lost, and must never turn a
 * failure into an answer: every error rejects with a `SharedStateError`.
 */
import type { Clock } from "../governance/clock.js";
import { systemClock } from "../governance/clock.js";
import { counterOpProblem, type ChargeResult, type CounterOp, type CounterValue, type StateStore, type WriteOptions } from "../governance/store.js";
import { Cluster, type Redis } from "ioredis";
import type { SharedConnection } from "./connection.js";
import { decodeStored, encodeValue, escapeKey, GROUPED_FAMILIES, KeyLayout, unescapeKey } from "./keys.js";

/** Options for `RedisStateStore`. */
export interface RedisStoreOptions {
  readonly clock?: Clock;
  /** Extra time a key stays in Redis after it expired by the clock, for clock skew between gateways and Redis (default 60 s). */
  readonly ttlSlackMs?: number;
}

/** State in Redis, shared by every gateway using the same prefix. */
export class RedisStateStore implements StateStore {
  private readonly clock: Clock;
  private readonly slack: number;
  private readonly release: () => Promise<void>;

  constructor(
    private readonly connection: SharedConnection,
    readonly layout: KeyLayout,
    options: RedisStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.slack = options.ttlSlackMs ?? 60_000;
    this.release = connection.acquire();
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: readonly string[]): Promise<readonly (string | undefined)[]> {
    if (keys.length === 0) return [];
    // One MGET per slot group (the kill switch's three keys are one group), sent together.
    const groups = new Map<string, number[]>();
    keys.forEach((key, index) => {
      const group = this.layout.grouped(key) ? this.layout.family(key) : `\u0000${index}`;
      groups.set(group, [...(groups.get(group) ?? []), index]);
    });
    const now = this.clock.now();
    const found: (string | undefined)[] = new Array(keys.length).fill(undefined);
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        const names = indexes.map((i) => this.layout.value(keys[i]!));
        const payloads = await this.connection.run("read state", (client) => client.mget(...names));
        indexes.forEach((keyIndex, i) => {
          found[keyIndex] = this.live(payloads[i] ?? null, now, keys[keyIndex]!);
        });
      }),
    );
    return found;
  }

  async compareAndSet(key: string, expected: string | undefined, value: string | undefined, options: WriteOptions = {}): Promise<boolean> {
    const now = this.clock.now();
    const expiresAt = options.expiresAt;
    const grouped = this.layout.grouped(key);
    const keys = grouped ? [this.layout.value(key), this.layout.index(this.layout.family(key))] : [this.layout.value(key)];
    const reply = await this.connection.script("compare-and-set", "agpCompareAndSet", keys, [
      String(now),
      expected === undefined ? "" : encodeValue(expected),
      value === undefined ? "" : encodeValue(value),
      expiresAt === undefined ? "" : String(expiresAt),
      expiresAt === undefined ? "" : String(Math.max(1, Math.ceil(expiresAt - now)) + this.slack),
      escapeKey(key),
      expiresAt === undefined ? "+inf" : String(expiresAt),
    ]);
    if (reply !== 0 && reply !== 1) throw this.connection.failure("compare-and-set", new Error(`unexpected reply ${JSON.stringify(reply)}`));
    return reply === 1;
  }

  async list(prefix: string): Promise<readonly (readonly [string, string])[]> {
    const now = this.clock.now();
    const family = prefix.includes(":") ? this.layout.family(prefix) : undefined;
    const groups = family === undefined ? [...GROUPED_FAMILIES] : GROUPED_FAMILIES.has(family) ? [family] : [];
    const found: [string, string][] = [];
    for (const group of groups) found.push(...(await this.listGroup(group, prefix, now)));
    if (family === undefined || !GROUPED_FAMILIES.has(family)) found.push(...(await this.scanSpread(prefix, now)));
    return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async charge(ops: readonly CounterOp[]): Promise<ChargeResult> {
    for (const [index, op] of ops.entries()) {
      const problem = counterOpProblem(op, index);
      if (problem !== undefined) throw new TypeError(`charge: ${problem}`);
    }
    if (ops.length === 0) return { ok: true, used: [] };
    const args: string[] = [String(this.clock.now()), String(this.slack)];
    for (const op of ops) args.push(String(op.window), String(op.amount), op.cap === undefined ? "" : String(op.cap), op.exact ? "1" : "0", String(op.expiresAt));
    const reply = await this.connection.script("charge limits", "agpCharge", ops.map((op) => this.layout.counter(op.key)), args);
    if (!Array.isArray(reply)) throw this.connection.failure("charge limits", new Error("unexpected reply"));
    const numbers = reply.map((v) => Number(v));
    if (numbers.some((n) => !Number.isFinite(n))) throw this.connection.failure("charge limits", new Error(`unexpected reply ${JSON.stringify(reply)}`));
    if (numbers[0] === 1 && numbers.length === ops.length + 1) return { ok: true, used: numbers.slice(1) };
    if (numbers[0] === 0 && numbers.length === 3) return { ok: false, index: numbers[1]!, used: numbers[2]! };
    throw this.connection.failure("charge limits", new Error(`unexpected reply ${JSON.stringify(reply)}`));
  }

  async counter(key: string): Promise<CounterValue | undefined> {
    const [w, u, x] = await this.connection.run("read a counter", (client) => client.hmget(this.layout.counter(key), "w", "u", "x"));
    if (w === null || w === undefined || u === null || u === undefined || x === null || x === undefined) return undefined;
    const counter = { window: Number(w), used: Number(u), expiresAt: Number(x) };
    if (![counter.window, counter.used, counter.expiresAt].every(Number.isFinite)) throw this.connection.failure("read a counter", new Error(`the counter at ${key} is damaged`));
    return counter.expiresAt <= this.clock.now() ? undefined : { window: counter.window, used: counter.used };
  }

  /** Lets go of the connection (the last user closes it). Every write has been acknowledged already. */
  close(): Promise<void> {
    return this.release();
  }

  /** A stored payload's value if it is still alive at `now`. A payload that is not ours is an error, never a value. */
  private live(payload: string | null, now: number, key: string): string | undefined {
    if (payload === null) return undefined;
    const stored = decodeStored(payload);
    if (stored === undefined) throw this.connection.failure("read state", new Error(`the value at ${key} is not an agp value`));
    return stored.expiresAt !== undefined && stored.expiresAt <= now ? undefined : stored.value;
  }

  /** A grouped family's live values whose key starts with `prefix`, from its index, in one script. */
  private async listGroup(family: string, prefix: string, now: number): Promise<[string, string][]> {
    // A trailing high surrogate may pair with the next character in a key: match without it, filter below.
    const match = escapeKey(/[\uD800-\uDBFF]$/.test(prefix) ? prefix.slice(0, -1) : prefix);
    const reply = await this.connection.script("list state", "agpList", [this.layout.index(family)], [String(now), this.layout.groupTag(family), match]);
    if (!Array.isArray(reply) || reply.length % 2 !== 0) throw this.connection.failure("list state", new Error("unexpected reply"));
    const found: [string, string][] = [];
    for (let i = 0; i < reply.length; i += 2) {
      const key = unescapeKey(String(reply[i]));
      const value = this.live(String(reply[i + 1]), now, key);
      if (value !== undefined && key.startsWith(prefix)) found.push([key, value]);
    }
    return found;
  }

  /** Spread values whose key starts with `prefix`, by SCAN on every server holding them. */
  private async scanSpread(prefix: string, now: number): Promise<[string, string][]> {
    const client = this.connection.client;
    const servers: Redis[] = client instanceof Cluster ? client.nodes("master") : [client];
    const names = new Set<string>();
    for (const server of servers) {
      let cursor = "0";
      do {
        const [next, batch] = await this.connection.run("list state", () => server.scan(cursor, "MATCH", this.layout.spreadPattern(prefix), "COUNT", 1000));
        cursor = next;
        for (const name of batch) names.add(name);
      } while (cursor !== "0");
    }
    const found: [string, string][] = [];
    const sorted = [...names];
    for (let i = 0; i < sorted.length; i += 500) {
      const slice = sorted.slice(i, i + 500);
      const payloads = await Promise.all(slice.map((name) => this.connection.run("list state", (c) => c.get(name))));
      slice.forEach((name, j) => {
        const key = this.layout.spreadKey(name);
        if (key === undefined || !key.startsWith(prefix)) return;
        const value = this.live(payloads[j] ?? null, now, key);
        if (value !== undefined) found.push([key, value]);
      });
    }
    return found;
  }
}
