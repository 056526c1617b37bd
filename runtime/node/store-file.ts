/**
 * Persistent state for one gateway (Node only): the memory store, with
 * every change journaled to a JSONL file and replayed on open.
 *
 * In: a path, a clock, a durability policy. Out: a `StateStore` whose every
 * write resolves only once its journal line is written (and, by default,
 * fdatasync'ed) — kill switches, approvals, reservations, counters and trust
 * survive a restart.
 * On open it takes the journal's exclusive lock (`<path>.lock`,
 * file-lock.ts): a second process fails there with `FileLockedError`, so two
 * gateways can never overshoot one cap or miss each other's kill switches.
 * It then checks the journal (state-journal.ts: a hash chain over every
 * line, and the head file `<path>.head` for lines cut from the end) and
 * refuses to open, with `StateJournalError` naming the line, when it cannot
 * show the journal intact — a deleted kill-switch or approval line must
 * never silently release anything. A last line cut short by a crash was
 * never acknowledged and is dropped. The journal is compacted (rewritten as
 * one line per live key, a new generation, atomically) on open and whenever
 * it grows past four times the live keys (at least 10,000 lines).
 * Must not be shared by two processes: for that, use a shared store (Redis).
 */
import { readFile } from "node:fs/promises";
import type { Clock } from "../governance/clock.js";
import { systemClock } from "../governance/clock.js";
import { MemoryStateStore, type StoreChange } from "../governance/store-memory.js";
import type { ChargeResult, CounterOp, CounterValue, StateStore, WriteOptions } from "../governance/store.js";
import { AppendLog, type FsyncPolicy } from "./append-log.js";
import { FileLock } from "./file-lock.js";
import { HeadFile, headPathOf, readHead } from "./head-file.js";
import { JournalWriter, readJournal, type ChainHead } from "./state-journal.js";

export { StateJournalError } from "./state-journal.js";

/** Options for `FileStateStore.open`. */
export interface FileStoreOptions {
  readonly clock?: Clock;
  /** When changes reach the disk (default `"always"`). */
  readonly fsync?: FsyncPolicy;
  /**
   * Resolve writes once their journal line is written (write(2)), not once
   * it is durable: the caller calls `sync()` before it acknowledges
   * anything (agp serve does, before every answer; ADR 0041). Reads see
   * the change at once either way.
   */
  readonly deferSync?: boolean;
  /**
   * Resolve writes once queued; `sync()` is the only durability point and
   * fails once any write has failed, after which every write fails too
   * (agp serve, ADR 0041).
   */
  readonly writeBehind?: boolean;
}

/** State in memory, journaled to a file. */
export class FileStateStore implements StateStore {
  private lines = 0;
  private live = 0;
  private pending: Promise<void> = Promise.resolve();
  /** Journal writes that failed so far: a write that saw this change while it waited was (or followed) one of them. */
  private failures = 0;
  private lastFailure: unknown;
  private writer: JournalWriter | undefined;

  private constructor(
    private readonly memory: MemoryStateStore,
    private readonly lock: FileLock,
    private readonly head: HeadFile,
    private log: AppendLog | undefined,
  ) {}

  /**
   * Opens (creating) the journal at `path` and replays it. Throws
   * `FileLockedError` when another process has it open, and
   * `StateJournalError` when it fails its integrity check.
   */
  static async open(path: string, options: FileStoreOptions = {}): Promise<FileStateStore> {
    const lock = await FileLock.acquire(path);
    let head: HeadFile | undefined;
    try {
      let text = "";
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      const read = readJournal(path, text, await readHead(headPathOf(path)));
      let store: FileStateStore | undefined;
      const memory = new MemoryStateStore({ clock: options.clock ?? systemClock, onWrite: (changes) => store?.journal(changes) });
      for (const change of read.changes) memory.restore(change);
      head = await HeadFile.open(headPathOf(path));
      store = new FileStateStore(memory, lock, head, undefined);
      const opened = store;
      let synced: string | undefined;
      // A head is written after its lines; the first one of each generation is flushed, so a durable head always exists.
      const afterFlush = async (note: unknown): Promise<void> => {
        const chain = note as ChainHead;
        await opened.head.write({ generation: chain.generation, seq: chain.seq, hash: chain.hash }, chain.generation !== synced);
        synced = chain.generation;
      };
      store.log = await AppendLog.open(path, options.fsync ?? "always", { afterFlush, deferSync: options.deferSync === true, writeBehind: options.writeBehind === true });
      await store.compact(read.head ?? null);
      return store;
    } catch (error) {
      await head?.close().catch(() => undefined);
      await lock.release();
      throw error;
    }
  }

  get(key: string): Promise<string | undefined> {
    return this.memory.get(key);
  }

  getMany(keys: readonly string[]): Promise<readonly (string | undefined)[]> {
    return this.memory.getMany(keys);
  }

  async compareAndSet(key: string, expected: string | undefined, value: string | undefined, options?: WriteOptions): Promise<boolean> {
    const failures = this.failures;
    const done = await this.memory.compareAndSet(key, expected, value, options);
    if (done) await this.written(failures);
    return done;
  }

  list(prefix: string): Promise<readonly (readonly [string, string])[]> {
    return this.memory.list(prefix);
  }

  async charge(ops: readonly CounterOp[]): Promise<ChargeResult> {
    const failures = this.failures;
    const result = await this.memory.charge(ops);
    if (result.ok) await this.written(failures);
    return result;
  }

  counter(key: string): Promise<CounterValue | undefined> {
    return this.memory.counter(key);
  }

  /** Resolves once every change so far is durable (what `deferSync` callers wait for before answering). */
  sync(): Promise<void> {
    return this.log!.sync();
  }

  async close(): Promise<void> {
    try {
      await this.pending.catch(() => undefined);
      await this.log?.close();
      await this.head.close();
    } finally {
      await this.lock.release();
    }
  }

  /**
   * Waits for the journal line of the write just made: written (deferSync)
   * or durable (in order: every line before it is, too). Any journal write that failed since the write began fails
   * it too (it may have been this one): a change is never reported kept
   * when its line may be missing.
   */
  private async written(failures: number): Promise<void> {
    await this.pending;
    if (this.failures !== failures) throw this.lastFailure;
  }

  /** Called synchronously inside each memory step: write its lines, in order. */
  private journal(changes: readonly StoreChange[]): void {
    const writer = this.writer!;
    this.lines += changes.length;
    const lines = changes.map((c) => writer.line(c));
    this.pending = this.log!.append(lines, writer.head);
    this.pending.catch((error: unknown) => this.failed(error));
    if (this.lines > Math.max(10_000, 4 * this.live)) void this.compact(writer.head).catch(() => undefined);
  }

  private failed(error: unknown): void {
    this.failures++;
    this.lastFailure = error;
  }

  /** Rewrites the journal as the live keys only: a new generation that records the one it compacts. */
  private compact(previous: ChainHead | null): Promise<void> {
    const snapshot = this.memory.snapshot();
    const { header, writer } = JournalWriter.start(previous);
    const lines = [header, ...snapshot.map((c) => writer.line(c))];
    this.writer = writer;
    this.lines = snapshot.length;
    this.live = snapshot.length;
    this.pending = this.log!.replace(lines, writer.head);
    return this.pending;
  }
}
