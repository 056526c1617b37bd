/**
 * An append-only file written with group commit: the one place governance
 * writes files, shared by the audit file and the state journal.
 *
 * In: batches of lines (each batch may carry a note for `afterFlush`). Out:
 * the lines appended in call order, each call resolving once its lines are
 * written and — with `fsync: "always"` (the default) — flushed to disk with
 * fdatasync. Appends that arrive while a flush is in progress are written
 * together in the next one, so a busy gateway pays one fsync per batch, not
 * per line. `fsync: "never"` resolves after write(2) and leaves flushing to
 * the OS (a crash of the machine may lose the last entries; a crash of the
 * process does not). After each batch reaches that point, `afterFlush` gets
 * the note of the batch's last call (the file sinks keep their head file
 * with it; a failure there is kept in `afterFlushError` and never fails the
 * append, whose lines are already durable).
 * Must not write a partial batch on purpose, and must not reorder.
 */
import { open, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory } from "./atomic-file.js";

/** When appends reach the disk. */
export type FsyncPolicy = "always" | "never";

/** Options for `AppendLog.open`. */
export interface AppendLogOptions {
  /** Called after each batch is written (and flushed, under "always"), with the note of its last call that had one. */
  readonly afterFlush?: (note: unknown) => Promise<void>;
}

interface Job {
  readonly text: string;
  readonly replace: boolean;
  readonly note: unknown;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A file opened for appending. */
export class AppendLog {
  private queue: Job[] = [];
  private busy = false;
  private closed = false;
  /** The last error `afterFlush` threw, if any (cleared when it next succeeds). */
  afterFlushError: unknown = undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    readonly fsync: FsyncPolicy,
    private readonly options: AppendLogOptions,
  ) {}

  /** Opens (creating) `path` for appending. */
  static async open(path: string, fsync: FsyncPolicy = "always", options: AppendLogOptions = {}): Promise<AppendLog> {
    return new AppendLog(path, await open(path, "a"), fsync, options);
  }

  /** Appends lines (each gets a newline); `note` is passed to `afterFlush` once they are written. */
  append(lines: readonly string[], note?: unknown): Promise<void> {
    return this.enqueue(lines.map((l) => `${l}\n`).join(""), false, note);
  }

  /**
   * Replaces the whole file with `lines`, after every earlier append and
   * before every later one: written to a temporary file, flushed, renamed
   * over the old one (atomic on POSIX file systems), and the directory
   * flushed so the rename itself survives a crash.
   */
  replace(lines: readonly string[], note?: unknown): Promise<void> {
    return this.enqueue(lines.map((l) => `${l}\n`).join(""), true, note);
  }

  /** Waits for every queued write, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueue("", false, undefined);
    this.closed = true;
    await this.handle.close();
  }

  private enqueue(text: string, replace: boolean, note: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ text, replace, note, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      // A batch: every append up to (not including) the next replace, or that replace alone.
      const first = this.queue[0]!;
      const nextReplace = this.queue.findIndex((j) => j.replace);
      const size = first.replace ? 1 : nextReplace === -1 ? this.queue.length : nextReplace;
      const batch = this.queue.splice(0, size);
      try {
        if (first.replace) await this.rewrite(first.text);
        else {
          const text = batch.map((j) => j.text).join("");
          if (text !== "") await this.handle.appendFile(text);
          if (this.fsync === "always") await this.handle.datasync();
        }
      } catch (error) {
        for (const job of batch) job.reject(error);
        continue;
      }
      await this.noteFlushed(batch);
      for (const job of batch) job.resolve();
    }
    this.busy = false;
  }

  private async noteFlushed(batch: readonly Job[]): Promise<void> {
    const afterFlush = this.options.afterFlush;
    if (afterFlush === undefined) return;
    let noted: Job | undefined;
    for (const job of batch) if (job.note !== undefined) noted = job;
    if (noted === undefined) return;
    try {
      await afterFlush(noted.note);
      this.afterFlushError = undefined;
    } catch (error) {
      this.afterFlushError = error;
    }
  }

  private async rewrite(text: string): Promise<void> {
    const temporary = `${this.path}.tmp`;
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    await fsyncDirectory(dirname(this.path));
    await this.handle.close();
    this.handle = await open(this.path, "a");
  }
}
