/**
 * The audit log as a JSONL file (Node only).
 *
 * In: a path and a durability policy. Out: an `AuditSink` whose appends go
 * through `AppendLog` (group commit; by default each append resolves after
 * fdatasync, so a `run` is on disk before the gateway returns it).
 * On open it takes the file's exclusive lock (`<path>.lock`, file-lock.ts:
 * a second process fails here, so two writers can never fork one chain)
 * and reads only the file's tail, to find the last entry; a file that ends
 * mid-line (a crash while writing) is refused with a message pointing at
 * `agp audit verify`, because appending after it would hide it. After each
 * flushed batch it records the chain's head (seq and hash of the batch's
 * last entry) in the head file `<path>.head` (head-file.ts), which
 * `agp audit verify` checks: entries cut from the end of the log are then
 * reported instead of leaving a valid shorter chain.
 * Must not rewrite or truncate the log, ever.
 */
import { open, stat } from "node:fs/promises";
import type { AuditSink } from "../governance/store.js";
import { AppendLog, type FsyncPolicy } from "./append-log.js";
import { FileLock } from "./file-lock.js";
import { HeadFile, headPathOf, readHead } from "./head-file.js";

/** Options for `FileAuditSink.open`. */
export interface FileAuditOptions {
  /** When appends reach the disk (default `"always"`; see docs/governance.md, "Durability"). */
  readonly fsync?: FsyncPolicy;
  /**
   * Resolve appends once their lines are written (write(2)), not once they
   * are durable: the caller calls `sync()` before it acknowledges anything
   * (agp serve does, before every answer; ADR 0041).
   */
  readonly deferSync?: boolean;
  /**
   * Resolve writes once queued; `sync()` is the only durability point and
   * fails once any write has failed, after which every write fails too
   * (agp serve, ADR 0041).
   */
  readonly writeBehind?: boolean;
}

/** Audit lines appended to a file. */
export class FileAuditSink implements AuditSink {
  private constructor(
    readonly path: string,
    private readonly log: AppendLog,
    private readonly last: string | undefined,
    private readonly lock: FileLock,
    private readonly head: HeadFile,
  ) {}

  /**
   * Opens (creating) the audit file at `path`. Throws `FileLockedError`
   * when another process has it open.
   */
  static async open(path: string, options: FileAuditOptions = {}): Promise<FileAuditSink> {
    const lock = await FileLock.acquire(path);
    try {
      const last = await lastLineOf(path);
      await checkHead(path, last);
      const head = await HeadFile.open(headPathOf(path));
      let first = true;
      const afterFlush = async (line: unknown): Promise<void> => {
        await writeHead(head, line as string, first);
        first = false;
      };
      const log = await AppendLog.open(path, options.fsync ?? "always", { afterFlush, deferSync: options.deferSync === true, writeBehind: options.writeBehind === true });
      return new FileAuditSink(path, log, last, lock, head);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  async lastLine(): Promise<string | undefined> {
    return this.last;
  }

  append(lines: readonly string[]): Promise<void> {
    return this.log.append(lines, lines.at(-1));
  }

  /** Resolves once every line appended so far is durable (what `deferSync` callers wait for before answering). */
  sync(): Promise<void> {
    return this.log.sync();
  }

  async close(): Promise<void> {
    try {
      await this.log.close();
      await this.head.close();
    } finally {
      await this.lock.release();
    }
  }
}

/**
 * Refuses to continue a log that no longer reaches its recorded head:
 * appending would overwrite the head file and erase the evidence that
 * entries were cut from the end. (A head behind the log is normal after a
 * crash: the head is written after the lines.)
 */
async function checkHead(path: string, last: string | undefined): Promise<void> {
  const head = await readHead(headPathOf(path));
  if (head.status === "absent") return;
  const verify = `run \`agp audit verify ${path}\``;
  if (head.status === "damaged") throw new Error(`the head file ${headPathOf(path)} is damaged; ${verify} before appending`);
  const seq = head.record["seq"];
  const hash = head.record["hash"];
  let entry: { seq?: unknown; hash?: unknown } = {};
  try {
    entry = last === undefined ? {} : (JSON.parse(last) as typeof entry);
  } catch {
    return; // a damaged last line is refused by AuditLog.open, with its own message
  }
  const lastSeq = typeof entry.seq === "number" ? entry.seq : 0;
  if (typeof seq === "number" && (lastSeq < seq || (lastSeq === seq && entry.hash !== hash))) {
    throw new Error(`the audit file ${path} ends at entry ${lastSeq} but its head file records entry ${seq}: entries were removed from the end; ${verify} before appending`);
  }
}

/** Records the entry on `line` (the last one flushed) as the head. */
async function writeHead(head: HeadFile, line: string, sync: boolean): Promise<void> {
  const entry = JSON.parse(line) as { seq?: unknown; hash?: unknown };
  if (typeof entry.seq !== "number" || typeof entry.hash !== "string") return;
  await head.write({ seq: entry.seq, hash: entry.hash }, sync);
}

/** The last line of a file, reading backwards from its end; undefined when empty or absent. */
async function lastLineOf(path: string): Promise<string | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (size === 0) return undefined;
  const handle = await open(path, "r");
  try {
    let chunk = 4096;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.toString("utf8");
      if (!text.endsWith("\n")) throw new Error(`the audit file ${path} ends with a truncated entry; run \`agp audit verify ${path}\``);
      const body = text.slice(0, -1);
      const newline = body.lastIndexOf("\n");
      if (newline >= 0 || start === 0) return body.slice(newline + 1);
      chunk *= 4;
    }
  } finally {
    await handle.close();
  }
}
