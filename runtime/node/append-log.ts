/**
 * An append-only file written with group commit: the one place governance
 * writes files, shared by the audit file and the state journal.
 *
 * In: batches of lines. Out: the lines appended in call order, each call
 * resolving once its lines are written and — with `fsync: "always"` (the
 * default) — flushed to disk with fdatasync. Appends that arrive while a
 * flush is in progress are written together in the next one, so a busy
 * gateway pays one fsync per batch, not per line. `fsync: "never"` resolves
 * after write(2) and leaves flushing to the OS (a crash of the machine may
 * lose the last entries; a crash of the process does not).
 * Must not write a partial batch on purpose, and must not reorder.
 */
import { open, rename, type FileHandle } from "node:fs/promises";

/** When appends reach the disk. */
export type FsyncPolicy = "always" | "never";

interface Job {
  readonly text: string;
  readonly replace: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A file opened for appending. */
export class AppendLog {
  private queue: Job[] = [];
  private busy = false;
  private closed = false;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    readonly fsync: FsyncPolicy,
  ) {}

  /** Opens (creating) `path` for appending. */
  static async open(path: string, fsync: FsyncPolicy = "always"): Promise<AppendLog> {
    return new AppendLog(path, await open(path, "a"), fsync);
  }

  /** Appends lines (each gets a newline). */
  append(lines: readonly string[]): Promise<void> {
    return this.enqueue(lines.map((l) => `${l}\n`).join(""), false);
  }

  /**
   * Replaces the whole file with `lines`, after every earlier append and
   * before every later one: written to a temporary file, flushed, renamed
   * over the old one (atomic on POSIX file systems).
   */
  replace(lines: readonly string[]): Promise<void> {
    return this.enqueue(lines.map((l) => `${l}\n`).join(""), true);
  }

  /** Waits for every queued write, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueue("", false);
    this.closed = true;
    await this.handle.close();
  }

  private enqueue(text: string, replace: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ text, replace, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      // A batch: every append up to (not including) the next replace, or that replace alone.
      const first = this.queue[0]!;
      const size = first.replace ? 1 : Math.max(1, this.queue.findIndex((j) => j.replace) === -1 ? this.queue.length : this.queue.findIndex((j) => j.replace));
      const batch = this.queue.splice(0, size);
      try {
        if (first.replace) await this.rewrite(first.text);
        else {
          const text = batch.map((j) => j.text).join("");
          if (text !== "") await this.handle.appendFile(text);
          if (this.fsync === "always") await this.handle.datasync();
        }
        for (const job of batch) job.resolve();
      } catch (error) {
        for (const job of batch) job.reject(error);
      }
    }
    this.busy = false;
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
    await this.handle.close();
    this.handle = await open(this.path, "a");
  }
}
