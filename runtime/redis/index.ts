/**
 * The Node-only entry `agp/redis`: governance state and the audit chain on
 * a Redis shared by every gateway replica.
 *
 * In: a Redis URL, a deployment prefix, timeouts, a clock. Out:
 * `openRedisState` (a `StateStore` and an `AuditSink` on one connection,
 * what `agp serve --redis <url>` calls), the classes themselves,
 * `exportAudit` (the shared chain as JSONL), the key layout and the error
 * every failure becomes. Imports ioredis and Node built-ins, so it is never
 * exported from runtime/index.ts or runtime/governance/index.ts.
 * See docs/governance.md, "Shared state on Redis", and ADR 0018.
 */
import type { Clock } from "../governance/clock.js";
import { RedisAuditSink, exportAudit } from "./audit-redis.js";
import { connectRedis, type RedisTimeouts } from "./connection.js";
import { KeyLayout } from "./keys.js";
import { RedisStateStore } from "./store-redis.js";

export { RedisAuditSink, exportAudit, type AuditExport } from "./audit-redis.js";
export { RedisStateStore, type RedisStoreOptions } from "./store-redis.js";
export { SharedConnection, SharedStateError, connectRedis, describeUrl, type RedisClient, type RedisTimeouts } from "./connection.js";
export { KeyLayout, GROUPED_FAMILIES, checkPrefix } from "./keys.js";
export { OVER_CAP_LUA } from "./scripts.js";

/** Options for `openRedisState`. */
export interface RedisStateOptions extends RedisTimeouts {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /** The deployment's key prefix: gateways sharing state use the same one (default `agp`). */
  readonly prefix?: string;
  /** The clock expiry is judged by (default: the system clock). */
  readonly clock?: Clock;
  /** Extra time keys stay in Redis after they expire, for clock skew (default 60 s). */
  readonly ttlSlackMs?: number;
}

/** A store and an audit sink on one Redis connection. */
export interface RedisState {
  readonly store: RedisStateStore;
  readonly audit: RedisAuditSink;
  /**
   * The shared chain as JSONL text (what `agp audit export` writes), for
   * `agp serve`'s audit endpoints; whole in memory, so for moderate logs —
   * export to a file for big ones.
   */
  readAudit(): Promise<string>;
  /** Closes both (a gateway's `close` closing them first is fine). */
  close(): Promise<void>;
}

/**
 * Connects to Redis and returns the shared store and audit sink. Rejects
 * with a `SharedStateError` when Redis cannot be reached within
 * `connectTimeoutMs`, and with a `TypeError` for a bad prefix.
 */
export async function openRedisState(options: RedisStateOptions): Promise<RedisState> {
  const layout = new KeyLayout(options.prefix ?? "agp");
  const connection = await connectRedis(options.url, options);
  const store = new RedisStateStore(connection, layout, {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.ttlSlackMs === undefined ? {} : { ttlSlackMs: options.ttlSlackMs }),
  });
  const audit = new RedisAuditSink(connection, layout);
  return {
    store,
    audit,
    readAudit: async () => {
      const parts: string[] = [];
      await exportAudit(connection, layout, (text) => {
        parts.push(text);
      });
      return parts.join("");
    },
    close: async () => {
      await store.close();
      await audit.close();
    },
  };
}
