/**
 * The StateStore contract (test/support/store-contract.ts) against all
 * three stores: memory, file and a real Redis.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { MemoryStateStore } from "../../runtime/governance/index.js";
import { FileStateStore } from "../../runtime/node/index.js";
import { KeyLayout, RedisStateStore, connectRedis, type SharedConnection } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";
import { storeContract } from "../support/store-contract.js";

storeContract("memory", async (clock) => new MemoryStateStore({ clock }));

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
storeContract(
  "file",
  async (clock) => {
    const dir = await mkdtemp(join(tmpdir(), "agp-contract-"));
    dirs.push(dir);
    return FileStateStore.open(join(dir, "state.jsonl"), { clock, fsync: "never" });
  },
);

describe.runIf(hasRedis)("redis", () => {
  let redis: TestRedis;
  let connection: SharedConnection;
  let release: () => Promise<void>;
  let stores = 0;
  beforeAll(async () => {
    redis = await startRedis();
    connection = await connectRedis(redis.url);
    release = connection.acquire(); // each store's close lets go of its own share only
  });
  afterAll(async () => {
    await release?.();
    await redis?.destroy();
  });
  storeContract("redis", async (clock) => new RedisStateStore(connection, new KeyLayout(`contract-${++stores}`), { clock }));
});
