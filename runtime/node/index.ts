/**
 * The Node-only entry of the governance runtime: stores backed by files.
 *
 * In: paths. Out: `FileStateStore` (persistent state, journaled) and
 * `FileAuditSink` (the JSONL audit file), plus `openFileGateway`, a gateway
 * whose state and audit live in one directory. Imports Node built-ins, so
 * it is never exported from runtime/index.ts or runtime/governance/index.ts
 * (which browsers and workers load).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createGateway, type Gateway, type GatewayOptions } from "../governance/gateway.js";
import { systemClock } from "../governance/clock.js";
import { FileAuditSink } from "./audit-file.js";
import type { FsyncPolicy } from "./append-log.js";
import { FileStateStore } from "./store-file.js";

export { FileAuditSink, type FileAuditOptions } from "./audit-file.js";
export { FileStateStore, type FileStoreOptions } from "./store-file.js";
export { AppendLog, type FsyncPolicy } from "./append-log.js";

/**
 * A gateway whose state is `<directory>/state.jsonl` and whose audit log is
 * `<directory>/audit.jsonl` (the directory is created if needed).
 */
export async function openFileGateway(directory: string, options: Omit<GatewayOptions, "store" | "audit"> & { readonly fsync?: FsyncPolicy }): Promise<Gateway> {
  await mkdir(directory, { recursive: true });
  const clock = options.clock ?? systemClock;
  const fsync = options.fsync ?? "always";
  const store = await FileStateStore.open(join(directory, "state.jsonl"), { clock, fsync });
  const audit = await FileAuditSink.open(join(directory, "audit.jsonl"), { fsync });
  return createGateway({ ...options, clock, store, audit });
}
