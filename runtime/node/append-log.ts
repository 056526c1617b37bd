/**
 * An append-only file written with group commit: the one place governance
 * writes files, shared by the audit file and the state journal.
 *
 * In: batches of lines (each batch may carry a note for `afterFlush`). Out:
 * the lines appended in call order. Two ways to use it:
 * - `append`: writes the lines now and resolves once they are durable —
 *   with `fsync: "always"` (the default) after fdatasync, with `"never"`
 *   after write(2) (a crash of the machine may lose the last entries; a
 *   crash of the process does not).
 * - `write` then `sync`: `write` puts the lines in the file now (one
 *   write(2), synchronous: a page-cache copy of a few hundred bytes, far
 *   cheaper than a round trip through libuv's thread pool) and throws if
 *   it cannot; `sync` resolves once every line written so far is durable.
 *   A caller that must not acknowledge anything before it is on disk (agp
 *   serve, ADR 0041) writes as it goes and syncs once, before it answers.
 * Group commit: one fdatasync at a time; every `sync` that arrives while
 * one is in flight waits for the next, which covers every line written
 * until it starts — so a busy gateway pays one fdatasync per batch, not
 * per line. After each batch is durable (written, under "never"),
 * `afterFlush` gets the note of the last write it covers (the file sinks
 * keep their head file with it; a failure there is kept in
 * `afterFlushError` and never fails the append, whose lines are durable).
 * Must not write a partial batch on purpose, must not reorder, and must
 * not report a line durable before fdatasync returned for it (under
 * "always").
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** When appends reach the disk. */
export type FsyncPolicy = "always" | "never";

/** Options for `AppendLog.open`. */
export interface AppendLogOptions {
  /** Called after each batch is written (and flushed, under "always"), with the note of its last call that had one. */
  readonly afterFlush?: (note: unknown) => Promise<void>;
}

interface Round {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function round(): Round {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A file opened for appending. */
export class AppendLog {
  /** Writes made so far (a count: what a sync round covers). */
  private written = 0;
  /** Writes known durable. */
  private durable = 0;
  /** The note of the last write that had one, and the write it came with. */
  private note: { readonly at: number; readonly value: unknown } | undefined;
  /** The note last handed to `afterFlush`. */
  private noted = 0;
  /** The fdatasync in flight (and the writes it covers). */
  private flushing: { readonly upTo: number; readonly round: Round } | undefined;
  /** Syncs waiting for the round after the one in flight. */
  private next: Round | undefined;
  /** Under "never": an `afterFlush` is scheduled for the end of this turn of the event loop. */
  private noteScheduled = false;
  private noting: Promise<void> = Promise.resolve();
  /** Set when a write failed part-way: the file may end in a partial line, so nothing more may be appended. */
  private damaged: Error | undefined;
  private closed = false;
  /** The last error `afterFlush` threw, if any (cleared when it next succeeds). */
  afterFlushError: unknown = undefined;

  private constructor(
    readonly path: string,
    private fd: number,
    readonly fsync: FsyncPolicy,
    private readonly options: AppendLogOptions,
  ) {}

  /** Opens (creating) `path` for appending. */
  static async open(path: string, fsync: FsyncPolicy = "always", options: AppendLogOptions = {}): Promise<AppendLog> {
    return new AppendLog(path, openSync(path, "a"), fsync, options);
  }

  /** Appends lines (each gets a newline) and resolves once they are durable; `note` is passed to `afterFlush` once they are. */
  append(lines: readonly string[], note?: unknown): Promise<void> {
    try {
      this.write(lines, note);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.fsync === "always") return this.sync();
    return this.flushNote();
  }

  /**
   * Writes lines (each gets a newline) to the file now, in call order.
   * Throws when they cannot be written (then none of them counts as
   * written; if some bytes did reach the file, the log refuses every later
   * write, since they would follow a partial line). They are durable once a
   * later `sync` resolves.
   */
  write(lines: readonly string[], note?: unknown): void {
    if (this.closed) throw new Error(`${this.path} is closed`);
    if (this.damaged !== undefined) throw this.damaged;
    if (lines.length > 0) {
      let text = "";
      for (const line of lines) text += `${line}\n`;
      this.writeAll(Buffer.from(text, "utf8"));
    }
    this.written++;
    if (note !== undefined) this.note = { at: this.written, value: note };
    if (this.fsync === "never" && !this.noteScheduled && this.options.afterFlush !== undefined) {
      this.noteScheduled = true;
      setImmediate(() => {
        this.noteScheduled = false;
        void this.flushNote();
      });
    }
  }

  /** Resolves once every line written so far is durable (under "never": written, which it already is). */
  sync(): Promise<void> {
    if (this.fsync === "never" || this.durable >= this.written) {
      return this.damaged === undefined ? Promise.resolve() : Promise.reject(this.damaged);
    }
    if (this.flushing !== undefined) {
      if (this.flushing.upTo >= this.written) return this.flushing.round.promise;
      this.next ??= round();
      return this.next.promise;
    }
    const r = round();
    this.startRound(r);
    return r.promise;
  }

  /**
   * Replaces the whole file with `lines`, after every earlier write and
   * before every later one: written to a temporary file, flushed, renamed
   * over the old one (atomic on POSIX file systems), and the directory
   * flushed so the rename itself survives a crash. Synchronous (a rare
   * compaction), so no write can slip between.
   */
  replace(lines: readonly string[], note?: unknown): Promise<void> {
    try {
      if (this.closed) throw new Error(`${this.path} is closed`);
      const temporary = `${this.path}.tmp`;
      const fd = openSync(temporary, "w");
      try {
        writeAllTo(fd, Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8"));
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      fsyncDirectorySync(dirname(this.path));
      // An fdatasync in flight still holds the old descriptor: close it when that returns.
      const old = this.fd;
      if (this.flushing === undefined) closeSync(old);
      else void this.flushing.round.promise.catch(() => undefined).finally(() => closeSync(old));
      this.fd = openSync(this.path, "a");
      this.damaged = undefined;
      this.written++;
      this.durable = this.written;
      if (note !== undefined) this.note = { at: this.written, value: note };
    } catch (error) {
      return Promise.reject(error);
    }
    return this.flushNote();
  }

  /** Waits for every write to be durable (and its head noted), then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
      while (this.flushing !== undefined) await this.flushing.round.promise.catch(() => undefined);
      await this.flushNote();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }

  private writeAll(bytes: Buffer): void {
    try {
      writeAllTo(this.fd, bytes);
    } catch (error) {
      const partial = (error as { written?: number }).written ?? 0;
      if (partial > 0) this.damaged = new Error(`${this.path} ends in a partial line after a failed write (${error instanceof Error ? error.message : String(error)}); restart to check it`);
      throw error;
    }
  }

  private startRound(r: Round): void {
    const upTo = this.written;
    const note = this.note;
    this.flushing = { upTo, round: r };
    fdatasync(this.fd, (error) => {
      const finish = async (): Promise<void> => {
        if (error === null) {
          this.durable = Math.max(this.durable, upTo);
          if (note !== undefined && note.at > this.noted) await this.noteFlushed(note);
        }
        this.flushing = undefined;
        if (error === null) r.resolve();
        else r.reject(error);
        const waiting = this.next;
        this.next = undefined;
        if (waiting !== undefined) {
          if (this.durable >= this.written) waiting.resolve();
          else this.startRound(waiting);
        }
      };
      void finish();
    });
  }

  /** Hands the latest note to `afterFlush` (its lines are written; under "always", durable). */
  private flushNote(): Promise<void> {
    const note = this.note;
    if (note === undefined || note.at <= this.noted || this.options.afterFlush === undefined) return this.noting;
    if (this.fsync === "always" && note.at > this.durable) return this.noting;
    this.noting = this.noting.then(() => (note.at > this.noted ? this.noteFlushed(note) : undefined));
    return this.noting;
  }

  private async noteFlushed(note: { readonly at: number; readonly value: unknown }): Promise<void> {
    this.noted = Math.max(this.noted, note.at);
    try {
      await this.options.afterFlush?.(note.value);
      this.afterFlushError = undefined;
    } catch (error) {
      this.afterFlushError = error;
    }
  }
}

/** Writes every byte (write(2) may write fewer than asked); on failure the error carries `written`. */
function writeAllTo(fd: number, bytes: Buffer): number {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (error) {
      (error as { written?: number }).written = done;
      throw error;
    }
  }
  return done;
}

/** `fsyncDirectory`, synchronously (for `replace`, which must not let a write slip in). */
function fsyncDirectorySync(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, "r");
  } catch (error) {
    if (["EISDIR", "EPERM", "EACCES"].includes((error as NodeJS.ErrnoException).code ?? "")) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!["EINVAL", "EPERM", "EBADF", "EISDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    closeSync(fd);
  }
}
