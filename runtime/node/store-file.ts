/**
 * Persistent state for one gateway (Node only): the memory store, with
 * every change journaled to a JSONL file and replayed on open.
 *
 * In: a path, a clock, a durability policy. Out: a `StateStore` whose every
 * write resolves only once its journal line is written (and, by default,
 * fdatasync'ed) — kill switches, approvals, reservations, counters and trust
 * survive a restart. The journal is compacted (rewritten as one line per
 * live key, atomically) on open and whenever it grows past four times the
 * live keys (at least 10,000 lines). A last line cut short by a crash was
 * never acknowledged and is dropped.
 * Must not be shared by two processes: for that, use a shared store (Redis).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Clock } from "../governance/clock.js";
import { systemClock } from "../governance/clock.js";
import { MemoryStateStore, type StoreChange } from "../governance/store-memory.js";
import type { ChargeResult, CounterOp, CounterValue, StateStore, WriteOptions } from "../governance/store.js";
import { AppendLog, type FsyncPolicy } from "./append-log.js";

/** Options for `FileStateStore.open`. */
export interface FileStoreOptions {
  readonly clock?: Clock;
  /** When changes reach the disk (default `"always"`). */
  readonly fsync?: FsyncPolicy;
}

/** State in memory, journaled to a file. */
export class FileStateStore implements StateStore {
  private lines = 0;
  private live = 0;
  private pending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly memory: MemoryStateStore,
    private readonly log: AppendLog,
  ) {}

  /** Opens (creating) the journal at `path` and replays it. */
  static async open(path: string, options: FileStoreOptions = {}): Promise<FileStateStore> {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete !== text) await writeFile(path, complete);
    let store: FileStateStore | undefined;
    const memory = new MemoryStateStore({ clock: options.clock ?? systemClock, onWrite: (changes) => store?.journal(changes) });
    for (const [index, line] of complete.split("\n").entries()) {
      if (line === "") continue;
      try {
        memory.restore(JSON.parse(line) as StoreChange);
      } catch {
        throw new Error(`the state journal ${path} has a damaged line ${index + 1}; it cannot be replayed`);
      }
    }
    store = new FileStateStore(memory, await AppendLog.open(path, options.fsync ?? "always"));
    await store.compact();
    return store;
  }

  get(key: string): Promise<string | undefined> {
    return this.memory.get(key);
  }

  getMany(keys: readonly string[]): Promise<readonly (string | undefined)[]> {
    return this.memory.getMany(keys);
  }

  async compareAndSet(key: string, expected: string | undefined, value: string | undefined, options?: WriteOptions): Promise<boolean> {
    const done = await this.memory.compareAndSet(key, expected, value, options);
    if (done) await this.pending;
    return done;
  }

  list(prefix: string): Promise<readonly (readonly [string, string])[]> {
    return this.memory.list(prefix);
  }

  async charge(ops: readonly CounterOp[]): Promise<ChargeResult> {
    const result = await this.memory.charge(ops);
    if (result.ok) await this.pending;
    return result;
  }

  counter(key: string): Promise<CounterValue | undefined> {
    return this.memory.counter(key);
  }

  async close(): Promise<void> {
    await this.pending;
    await this.log.close();
  }

  /** Called synchronously inside each memory step: queue its lines in order. */
  private journal(changes: readonly StoreChange[]): void {
    this.lines += changes.length;
    this.pending = this.log.append(changes.map((c) => JSON.stringify(c)));
    if (this.lines > Math.max(10_000, 4 * this.live)) void this.compact();
  }

  /** Rewrites the journal as the live keys only. */
  private compact(): Promise<void> {
    const snapshot = this.memory.snapshot();
    this.lines = snapshot.length;
    this.live = snapshot.length;
    this.pending = this.log.replace(snapshot.map((c) => JSON.stringify(c)));
    return this.pending;
  }
}
