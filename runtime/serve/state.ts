/**
 * The state backend seam: one option (`--state <dir>` or `--redis <url>`)
 * becomes a `StateStore` and an `AuditSink`, whatever stands behind them.
 *
 * In: a `StateOption`. Out: a `StateBackend` — the store, the audit sink,
 * how to read the audit log back (for audit queries; a backend that cannot
 * leaves it out), and `close`. The file backend is runtime/node's
 * (state.jsonl + audit.jsonl in one directory, one process per directory).
 * The Redis backend is runtime/redis's `openRedisState`, loaded on demand.
 * Adding a backend adds an
 * entry to `OPENERS`, not a branch in the server.
 * Must not open anything the option does not name.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AuditSink, StateStore } from "../governance/store.js";
import type { Clock } from "../governance/clock.js";
import { FileAuditSink } from "../node/audit-file.js";
import type { FsyncPolicy } from "../node/append-log.js";
import { FileStateStore } from "../node/store-file.js";

/** Where the gateway keeps its state. */
export type StateOption =
  | { readonly kind: "file"; readonly directory: string; readonly fsync?: FsyncPolicy }
  | { readonly kind: "redis"; readonly url: string; readonly prefix?: string };

/** An opened backend. */
export interface StateBackend {
  readonly store: StateStore;
  readonly audit: AuditSink;
  /** For logs: `files in /var/lib/agp`, `redis at redis://…`. */
  readonly description: string;
  /**
   * Resolves once every state change and audit line written so far is
   * durable; the server waits for it before every answer (ADR 0041). Absent
   * when every write is durable when it resolves (Redis).
   */
  readonly durable?: () => Promise<void>;
  /** The audit log's text, for queries and verification; absent when the backend cannot read it back. */
  readonly readAudit?: () => Promise<string>;
  /** Releases what the store and sink do not (connections); called after the gateway closed them. */
  close(): Promise<void>;
}

type Opener<K extends StateOption["kind"]> = (option: Extract<StateOption, { kind: K }>, clock: Clock) => Promise<StateBackend>;

const OPENERS: { readonly [K in StateOption["kind"]]: Opener<K> } = {
  file: openFiles,
  redis: openRedis,
};

/** Opens the backend an option names. */
export function openState(option: StateOption, clock: Clock): Promise<StateBackend> {
  return (OPENERS[option.kind] as Opener<typeof option.kind>)(option as never, clock);
}

async function openFiles(option: Extract<StateOption, { kind: "file" }>, clock: Clock): Promise<StateBackend> {
  const directory = resolve(option.directory);
  await mkdir(directory, { recursive: true });
  const fsync = option.fsync ?? "always";
  const auditPath = join(directory, "audit.jsonl");
  // Writes resolve once queued; `durable` waits until they are written and flushes both files (one fdatasync each, in parallel, per batch of answers).
  const store = await FileStateStore.open(join(directory, "state.jsonl"), { clock, fsync, writeBehind: true });
  let audit: FileAuditSink;
  try {
    audit = await FileAuditSink.open(auditPath, { fsync, writeBehind: true });
  } catch (error) {
    await store.close();
    throw error;
  }
  const durable = async (): Promise<void> => {
    await Promise.all([store.sync(), audit.sync()]);
  };
  return { store, audit, description: `files in ${directory}`, durable, readAudit: () => readFile(auditPath, "utf8"), close: async () => {} };
}

async function openRedis(option: Extract<StateOption, { kind: "redis" }>, clock: Clock): Promise<StateBackend> {
  // Loaded on demand: a gateway on files never loads the Redis client.
  const { openRedisState } = await import("../redis/index.js");
  const opened = await openRedisState({ url: option.url, clock, ...(option.prefix === undefined ? {} : { prefix: option.prefix }) });
  return {
    store: opened.store,
    audit: opened.audit,
    description: `redis at ${redacted(option.url)}`,
    readAudit: () => opened.readAudit(),
    close: () => opened.close(),
  };
}

/** A URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(an unparsable URL)";
  }
}
