/**
 * The audit log as a JSONL file (Node only).
 *
 * In: a path and a durability policy. Out: an `AuditSink` whose appends go
 * through `AppendLog` (group commit; by default each append resolves after
 * fdatasync, so a `run` is on disk before the gateway returns it).
 * On open it reads only the file's tail, to find the last entry; a file
 * that ends mid-line (a crash while writing) is refused with a message
 * pointing at `agp audit verify`, because appending after it would hide it.
 * Must not rewrite or truncate the file, ever.
 */
import { open, stat } from "node:fs/promises";
import type { AuditSink } from "../governance/store.js";
import { AppendLog, type FsyncPolicy } from "./append-log.js";

/** Options for `FileAuditSink.open`. */
export interface FileAuditOptions {
  /** When appends reach the disk (default `"always"`; see docs/governance.md, "Durability"). */
  readonly fsync?: FsyncPolicy;
}

/** Audit lines appended to a file. */
export class FileAuditSink implements AuditSink {
  private constructor(
    readonly path: string,
    private readonly log: AppendLog,
    private readonly last: string | undefined,
  ) {}

  /** Opens (creating) the audit file at `path`. */
  static async open(path: string, options: FileAuditOptions = {}): Promise<FileAuditSink> {
    const last = await lastLineOf(path);
    return new FileAuditSink(path, await AppendLog.open(path, options.fsync ?? "always"), last);
  }

  async lastLine(): Promise<string | undefined> {
    return this.last;
  }

  append(lines: readonly string[]): Promise<void> {
    return this.log.append(lines);
  }

  close(): Promise<void> {
    return this.log.close();
  }
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
