/**
 * The StateStore contract (test/support/store-contract.ts) against all
 * three stores: memory, file and a real Redis. The memory and file stores
 * still follow the cap rule from before the hardening issue (an op of
 * amount 0 never fails), so that one case is known to fail for them until
 * the gateway branch's store-memory.ts change is merged.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { MemoryStateStore } from "../../runtime/governance/index.js";
import { FileStateStore } from "../../runtime/node/index.js";
import { KeyLayout, RedisStateStore, connectRedis, type SharedConnection } from "../../runtime/redis/index.js";
import { hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";
import { CAP_AT_ZERO, storeContract } from "../support/store-contract.js";

// LEAD: drop this set when the hardening branch's cap rule lands in store-memory.ts (then these cases pass).
const OLD_CAP_RULE = new Set([CAP_AT_ZERO]);

storeContract("memory", async (clock) => new MemoryStateStore({ clock }), { knownDivergences: OLD_CAP_RULE });

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
  { knownDivergences: OLD_CAP_RULE },
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
