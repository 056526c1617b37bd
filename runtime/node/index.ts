/**
 * The Node-only entry of the governance runtime: stores backed by files.
 *
 * In: paths. Out: `FileStateStore` (persistent state, journaled) and
 * `FileAuditSink` (the JSONL audit file), plus `openFileGateway`, a gateway
 * whose state and audit live in one directory (each file locked to one
 * process); reading audit files in bounded memory (`verifyAuditFile`,
 * `scanAuditEntries`); and `writeFileAtomic`, the one way agp replaces a
 * file. Imports Node built-ins, so
 * it is never exported from runtime/index.ts or runtime/governance/index.ts
 * (which browsers and workers load).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createGateway, type Gateway, type GatewayOptions } from "../governance/gateway.js";
import { systemClock } from "../governance/clock.js";
import { FileAuditSink } from "./audit-file.js";
import { nodeSha256 } from "./audit-read.js";
import type { FsyncPolicy } from "./append-log.js";
import { FileStateStore } from "./store-file.js";

export { FileAuditSink, type FileAuditOptions } from "./audit-file.js";
export { FileStateStore, StateJournalError, type FileStoreOptions } from "./store-file.js";
export { AppendLog, type AppendLogOptions, type FsyncPolicy } from "./append-log.js";
export { FileLock, FileLockedError, type LockOwner } from "./file-lock.js";
export { HeadFile, headPathOf, readHead, type HeadRead, type HeadRecord } from "./head-file.js";
export { readLines, MAX_LINE_BYTES, type LineVisitor, type ReadLinesOptions } from "./line-reader.js";
export { verifyAuditFile, scanAuditEntries, nodeSha256, type AuditFileVerification, type HeadFileUse, type VerifyAuditFileOptions } from "./audit-read.js";
export { writeFileAtomic, fsyncDirectory, type AtomicWriteOptions } from "./atomic-file.js";

/**
 * A gateway whose state is `<directory>/state.jsonl` and whose audit log is
 * `<directory>/audit.jsonl` (the directory is created if needed).
 */
export async function openFileGateway(directory: string, options: Omit<GatewayOptions, "store" | "audit"> & { readonly fsync?: FsyncPolicy }): Promise<Gateway> {
  await mkdir(directory, { recursive: true });
  const clock = options.clock ?? systemClock;
  const fsync = options.fsync ?? "always";
  // Each file takes its own lock: a second gateway on this directory fails here, before it could write anything.
  const store = await FileStateStore.open(join(directory, "state.jsonl"), { clock, fsync });
  let audit: FileAuditSink | undefined;
  try {
    audit = await FileAuditSink.open(join(directory, "audit.jsonl"), { fsync });
    return await createGateway({ sha256: nodeSha256, ...options, clock, store, audit });
  } catch (error) {
    await audit?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
