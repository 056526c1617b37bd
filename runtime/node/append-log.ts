/**
 * An append-only file written with group commit: the one place governance
 * writes files, shared by the audit file and the state journal.
 *
 * In: batches of lines (each batch may carry a note for `afterFlush`). Out:
 * the lines appended in call order, each call resolving once its lines are
 * written and — with `fsync: "always"` (the default) — flushed to disk with
 * fdatasync. Appends that arrive while a write is in progress are written
 * together in the next one. `fsync: "never"` resolves after write(2) and
 * leaves flushing to the OS (a crash of the machine may lose the last
 * entries; a crash of the process does not).
 * With `deferSync` (agp serve, ADR 0041) an append resolves once written,
 * and `sync()` makes everything appended so far durable: one fdatasync at
 * a time, and every `sync` that arrives while one is in flight waits for
 * the next, which covers every line written until it starts — one
 * fdatasync per batch of answers, however many appends each answer made.
 * After lines are durable (written, under "never"), `afterFlush` gets the
 * note of the last append they include (the file sinks keep their head
 * file with it; a failure there is kept in `afterFlushError` and never
 * fails the append, whose lines are durable).
 * Must not write a partial batch on purpose, must not reorder, and must
 * not report a line durable before an fdatasync begun after it was written
 * has returned (under "always").
 */
import { fdatasync, writeSync } from "node:fs";
import { open, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory } from "./atomic-file.js";

/** When appends reach the disk. */
export type FsyncPolicy = "always" | "never";

/** Options for `AppendLog.open`. */
export interface AppendLogOptions {
  /** Called after each batch is written (and flushed, under "always"), with the note of its last call that had one. */
  readonly afterFlush?: (note: unknown) => Promise<void>;
  /** Resolve appends once written; `sync()` makes them durable (under "always"). */
  readonly deferSync?: boolean;
  /**
   * Resolve appends once queued (implies `deferSync`): the caller's only
   * durability point is `sync()`, which waits for every queued write and
   * rejects once any write has failed. After a failed write the log is
   * broken: every later append and sync rejects with that failure, so
   * nothing written after a gap can ever be reported kept (agp serve,
   * ADR 0041).
   */
  readonly writeBehind?: boolean;
}

interface Job {
  readonly text: string;
  readonly replace: boolean;
  readonly note: unknown;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
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
  private queue: Job[] = [];
  private busy = false;
  private closed = false;
  /** Appends queued so far, and appends done with (written, or rejected). */
  private enqueued = 0;
  private processed = 0;
  /** Appends known durable (every one up to this count). */
  private durable = 0;
  private waiters: { readonly target: number; readonly resolve: () => void }[] = [];
  /** Deferred, under "always": the note of the last written append, for the sync that covers it. */
  private note: { readonly at: number; readonly value: unknown } | undefined;
  private noted = 0;
  /** The fdatasync in flight (the appends it covers, the file it flushes). */
  private flushing: { readonly upTo: number; readonly handle: FileHandle; readonly round: Round } | undefined;
  /** Syncs waiting for the round after the one in flight. */
  private next: Round | undefined;
  /** The newest note waiting for `afterFlush`, and the loop running them. */
  private pendingNote: { readonly at: number; readonly value: unknown } | undefined;
  private notes: Promise<void> | undefined;
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

  /** The first write that failed, under `writeBehind`: the log accepts nothing after it. */
  private broken: { readonly error: unknown } | undefined;

  private get deferred(): boolean {
    return (this.options.deferSync === true || this.options.writeBehind === true) && this.fsync === "always";
  }

  /** Appends lines (each gets a newline); `note` is passed to `afterFlush` once they are durable. */
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

  /**
   * Resolves once every append made so far is written and (under
   * "always") durable; rejects when the fdatasync that would cover them
   * fails (a later `sync` tries again).
   */
  async sync(): Promise<void> {
    const target = this.enqueued;
    if (this.processed < target) await new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    if (this.broken !== undefined) throw this.broken.error;
    if (this.fsync === "never" || this.durable >= target) return;
    if (this.flushing !== undefined) {
      if (this.flushing.upTo >= target) return this.flushing.round.promise;
      this.next ??= round();
      return this.next.promise;
    }
    const r = round();
    this.startRound(r);
    return r.promise;
  }

  /** Waits for every queued write (and, deferred, for it to be durable), then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueue("", false, undefined);
    try {
      if (this.options.writeBehind === true && this.processed < this.enqueued) await new Promise<void>((resolve) => this.waiters.push({ target: this.enqueued, resolve }));
      if (this.deferred) await this.sync();
    } finally {
      while (this.flushing !== undefined) await this.flushing.round.promise.catch(() => undefined);
      while (this.notes !== undefined) await this.notes;
      this.closed = true;
      await this.handle.close();
    }
  }

  private enqueue(text: string, replace: boolean, note: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    if (this.broken !== undefined) return Promise.reject(this.broken.error);
    if (this.options.writeBehind === true && !replace) {
      if (!this.busy && this.queue.length === 0 && text !== "") {
        // Nothing ahead of it: one write(2) now, on this thread, is cheaper than a round trip
        // through the thread pool that every answer would wait for.
        const failed = this.writeNow(text, note);
        return failed === undefined ? Promise.resolve() : Promise.reject(failed.error);
      }
      // Queued is all the caller waits for; a failure reaches it through `sync` (and `broken`).
      this.queue.push({ text, replace, note, resolve: () => undefined, reject: () => undefined });
      this.enqueued++;
      if (!this.busy) void this.drain();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ text, replace, note, resolve, reject });
      this.enqueued++;
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      if (this.broken !== undefined) {
        // Nothing is written after a failed write: the lines would follow a gap.
        const rest = this.queue.splice(0);
        this.processed += rest.length;
        for (const job of rest) job.reject(this.broken.error);
        this.wake();
        break;
      }
      // A batch: every append up to (not including) the next replace, or that replace alone.
      const first = this.queue[0]!;
      const nextReplace = this.queue.findIndex((j) => j.replace);
      const size = first.replace ? 1 : nextReplace === -1 ? this.queue.length : nextReplace;
      const batch = this.queue.splice(0, size);
      try {
        if (first.replace) await this.rewrite(first.text);
        else {
          const text = batch.map((j) => j.text).join("");
          if (text !== "") await this.write(text);
          if (this.fsync === "always" && !this.deferred) await this.handle.datasync();
        }
      } catch (error) {
        this.processed += batch.length;
        if (this.options.writeBehind === true) this.broken ??= { error };
        for (const job of batch) job.reject(error);
        this.wake();
        continue;
      }
      this.processed += batch.length;
      // A replaced file was flushed whole, with everything before it: all of it is durable.
      if (first.replace || (this.fsync === "always" && !this.deferred)) this.durable = this.processed;
      let noted: Job | undefined;
      for (const job of batch) if (job.note !== undefined) noted = job;
      if (noted !== undefined) {
        this.noteWritten(noted.note, first.replace);
      }
      for (const job of batch) job.resolve();
      this.wake();
    }
    this.busy = false;
  }

  /** Resolves the syncs waiting for appends now written. */
  private wake(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.processed);
    this.waiters = this.waiters.filter((w) => w.target > this.processed);
    for (const w of ready) w.resolve();
  }

  /** One fdatasync covering every append written so far; then the next waiting round, if any. */
  private startRound(r: Round): void {
    const upTo = this.processed;
    const note = this.note;
    const handle = this.handle;
    this.flushing = { upTo, handle, round: r };
    fdatasync(handle.fd, (error) => {
      void (async () => {
        if (error === null) {
          this.durable = Math.max(this.durable, upTo);
          if (note !== undefined && note.at <= upTo) this.noteFlushed(note);
        }
        this.flushing = undefined;
        if (error === null) r.resolve();
        else r.reject(error);
        const waiting = this.next;
        this.next = undefined;
        if (waiting !== undefined) {
          if (this.durable >= this.processed) waiting.resolve();
          else this.startRound(waiting);
        }
      })();
    });
  }

  /**
   * The note of the appends written so far: deferred, it waits for the sync
   * that covers it (a replaced file was flushed whole: durable already);
   * otherwise those lines are durable now.
   */
  private noteWritten(value: unknown, replaced: boolean): void {
    if (this.deferred && !replaced) this.note = { at: this.processed, value };
    else this.noteFlushed({ at: this.processed, value });
  }

  /**
   * Hands the note of lines now durable to `afterFlush`, off the appends'
   * path: an append resolves without waiting for its head file. One
   * `afterFlush` runs at a time, in order; notes that arrive meanwhile are
   * coalesced into the newest (a head may lag its log, never lead it).
   */
  private noteFlushed(note: { readonly at: number; readonly value: unknown }): void {
    if (this.options.afterFlush === undefined || note.at <= this.noted) return;
    this.noted = note.at;
    const running = this.pendingNote !== undefined || this.notes !== undefined;
    this.pendingNote = note;
    if (!running) this.notes = this.runNotes();
  }

  private async runNotes(): Promise<void> {
    const afterFlush = this.options.afterFlush!;
    for (let note = this.pendingNote; note !== undefined; note = this.pendingNote) {
      this.pendingNote = undefined;
      try {
        await afterFlush(note.value);
        this.afterFlushError = undefined;
      } catch (error) {
        this.afterFlushError = error;
      }
    }
    this.notes = undefined;
  }

  /** `writeBehind` with nothing queued: writes `text` synchronously (a failure breaks the log). */
  private writeNow(text: string, note: unknown): { readonly error: unknown } | undefined {
    this.enqueued++;
    try {
      const bytes = Buffer.from(text, "utf8");
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.handle.fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      this.broken ??= { error };
    }
    this.processed++;
    if (this.broken === undefined && note !== undefined) {
      this.noteWritten(note, false);
    }
    this.wake();
    return this.broken;
  }

  /** Writes `text` at the end of the file (opened with O_APPEND), however many write(2) calls it takes. */
  private async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, "utf8");
    let offset = 0;
    while (offset < bytes.length) offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
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
    const old = this.handle;
    this.handle = await open(this.path, "a");
    // An fdatasync in flight still holds the old file: close it when that returns.
    while (this.flushing?.handle === old) await this.flushing.round.promise.catch(() => undefined);
    await old.close();
  }
}
