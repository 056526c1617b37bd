/**
 * The audit log: append-only, hash-chained, every field inside the hash.
 *
 * In: entry bodies from the gateway, kill switch and approvals; a sink.
 * Out: sealed entries (`seq`, `time`, `prev`, `hash` added) written as one
 * line each: the canonical JSON of the whole entry (audit-line.ts), so a
 * verifier can demand the exact bytes that were hashed (audit-verify.ts
 * checks files).
 * The hash of an entry is the SHA-256 of the canonical JSON (RFC 8785) of the
 * entry without its `hash` field — so every field, present or added later,
 * is inside it — and `prev` is the previous entry's hash (the first entry's
 * is `GENESIS`). With one writer (memory, file sinks) the log keeps the head
 * in process; with a shared sink (`appendAfter`, e.g. Redis) it links each
 * batch after the chain's real head and re-links when another writer got
 * there first (ADR 0018). Must not write anything but whole sealed entries,
 * and must seal entries in the order `append` is called (the chain is serial).
 */
import { readAuditLine, sealAuditEntry, type Sha256 } from "./audit-line.js";
import { sha256Hex } from "./sha256.js";
import { digestOf, toJsonSafe } from "./digest.js";
import { describeThrown } from "./snapshot.js";
import { checkClock, type Clock } from "./clock.js";
import type { AuditSink } from "./store.js";

/** The `prev` of the first entry of a chain. */
export const GENESIS = `sha256:${"0".repeat(64)}`;

/** What an entry records. */
export type AuditKind =
  | "decision"
  | "outcome"
  | "kill.engage"
  | "kill.release"
  | "approval.approve"
  | "approval.reject"
  | "bundle.load"
  | "bundle.refuse"
  /** Written before the next entry after the sink failed: `entries` were not written, `error` says why. */
  | "audit.write_failed";

/** An entry before sealing: its kind and fields (JSON values only). */
export interface AuditBody {
  readonly kind: AuditKind;
  readonly [field: string]: unknown;
}

/** A sealed entry, as written. */
export interface AuditEntry extends AuditBody {
  /** 1, 2, 3, … in file order. */
  readonly seq: number;
  /** When it was written, ISO 8601 UTC. */
  readonly time: string;
  /** The previous entry's hash (`GENESIS` for the first). */
  readonly prev: string;
  /** `sha256:<hex>` of the canonical JSON of every other field. */
  readonly hash: string;
}

/** The hash an entry must carry: over every field but `hash`. */
export function entryHash(entry: Readonly<Record<string, unknown>>): string {
  const { hash: _ignored, ...fields } = entry;
  try {
    return digestOf(fields);
  } catch {
    return "unhashable"; // a parsed line with a lone surrogate: never equal to a real hash
  }
}

/** Thrown (as a rejection of `append`) when the sink could not write an entry: it is not in the log. */
export class AuditWriteError extends Error {
  override readonly name = "AuditWriteError";
}

interface PendingEntry {
  readonly body: AuditBody;
  readonly resolve: (entry: AuditEntry) => void;
  readonly reject: (error: AuditWriteError) => void;
}

/** How an audit log seals. */
export interface AuditLogOptions {
  /**
   * SHA-256 of a text's UTF-8 bytes as 64 lowercase hex digits (default:
   * the runtime's own, in TypeScript, which runs anywhere). Node hosts pass
   * node:crypto's (`nodeSha256` from `agp/node`): the hash of a 1 KB entry
   * drops from about 14 µs to 3 µs. The chain is the same either way.
   */
  readonly sha256?: Sha256;
}

/**
 * Seals entries into a sink, keeping the chain.
 *
 * Entries are sealed when they are handed to the sink, in batches: while one
 * batch is being written, new entries wait and go together in the next (so a
 * file sink still pays one fsync per batch). The chain's head moves only
 * when the sink has taken a batch: if a write fails, every entry of that
 * batch is rejected with an `AuditWriteError`, nothing after it is chained
 * to a line that is not there, and the next batch starts with an
 * `audit.write_failed` entry (how many entries were lost and the sink's
 * error) linked to the last entry that was written — so the file says "a
 * write failed here" and still verifies.
 */
export class AuditLog {
  private seq: number;
  private prev: string;
  private queue: PendingEntry[] = [];
  private busy = false;
  private pumping: Promise<void> = Promise.resolve();
  /** Entries rejected since the last successful write, and the last error. */
  private lost: { entries: number; error: string } | undefined;

  private constructor(
    private readonly sink: AuditSink,
    private readonly clock: Clock,
    head: { seq: number; hash: string } | undefined,
    private readonly sha256: Sha256,
  ) {
    this.seq = head?.seq ?? 0;
    this.prev = head?.hash ?? GENESIS;
  }

  /**
   * Opens a log on a sink, continuing after its last entry. Throws when the
   * last line is not an intact entry: appending after damage would hide it
   * (run `agp audit verify` on the file).
   */
  static async open(sink: AuditSink, clock: Clock, options: AuditLogOptions = {}): Promise<AuditLog> {
    checkClock(clock, "the audit log's `clock`");
    const sha256 = options.sha256 ?? sha256Hex;
    if (typeof sha256 !== "function") throw new TypeError("the audit log's `sha256` must be a function from text to 64 hex digits");
    return new AuditLog(sink, clock, headOf(await sink.lastLine()), sha256);
  }

  /** Waits for every append, then closes the sink. */
  async close(): Promise<void> {
    while (this.busy) await this.pumping;
    await this.sink.close();
  }

  /** The hash of the last entry the sink has taken (what `agp audit verify --head` checks against). */
  get head(): string {
    return this.prev;
  }

  /**
   * Seals `body` (the next seq, this clock's time, the chain's head) when
   * the sink is free and resolves once the sink has taken it; rejects with an
   * `AuditWriteError` when the sink fails (the entry is then not in the log).
   * Body fields named `seq`, `time`, `prev` or `hash` are overwritten.
   */
  append(body: AuditBody): Promise<AuditEntry> {
    const safe = toJsonSafe(body) as AuditBody;
    return new Promise((resolve, reject) => {
      this.queue.push({ body: safe, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        this.pumping = this.pump();
      }
    });
  }

  private async pump(): Promise<void> {
    // INVARIANT: one batch at a time, sealed against the head the sink has acknowledged.
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let sealed: Sealed;
      try {
        sealed = await this.write(batch.map((pending) => pending.body));
      } catch (error) {
        const message = describeThrown(error);
        this.lost = { entries: (this.lost?.entries ?? 0) + batch.length, error: message };
        for (const pending of batch) pending.reject(new AuditWriteError(`the audit log could not be written: ${message}`));
        continue;
      }
      this.seq = sealed.seq;
      this.prev = sealed.prev;
      this.lost = undefined;
      batch.forEach((pending, i) => pending.resolve(sealed.entries[i]!));
    }
    this.busy = false;
  }

  /**
   * Seals the bodies after the head and has the sink take them, all or none.
   * A shared sink appends only if the chain still ends at that head; when
   * another writer appended first, the batch is re-linked after the new head
   * and tried again (at most `MAX_RACES` times in a row: each loss means
   * another writer made progress).
   */
  private async write(bodies: readonly AuditBody[]): Promise<Sealed> {
    const time = new Date(this.clock.now()).toISOString();
    let head = { seq: this.seq, prev: this.prev };
    for (let race = 0; ; race++) {
      const sealed = this.seal(bodies, time, head.seq, head.prev);
      if (this.sink.appendAfter === undefined) {
        await this.sink.append(sealed.lines);
        return sealed;
      }
      const result = await this.sink.appendAfter(head.prev, sealed.lines, sealed.prev);
      if (result.appended) return sealed;
      if (race + 1 >= MAX_RACES) throw new Error(`the shared audit chain kept moving: ${MAX_RACES} appends in a row lost the race to other writers`);
      const last = headOf(result.last);
      head = { seq: last?.seq ?? 0, prev: last?.hash ?? GENESIS };
    }
  }

  /** Seals a batch as a chain after (seq, prev), preceded by an `audit.write_failed` entry after a failed write. */
  private seal(bodies: readonly AuditBody[], time: string, seq: number, prev: string): Sealed {
    const lines: string[] = [];
    const one = (body: AuditBody): AuditEntry => {
      // INVARIANT: the line is the canonical JSON of the entry; `agp audit verify` refuses any other spelling.
      const { entry, line } = sealAuditEntry({ ...body, seq: seq + 1, time, prev }, this.sha256);
      seq = entry.seq;
      prev = entry.hash;
      lines.push(line);
      return entry;
    };
    // After a failed write, the next batch says so first: the chain verifies and shows where entries were lost.
    if (this.lost !== undefined) one({ kind: "audit.write_failed", entries: this.lost.entries, error: this.lost.error });
    const entries = bodies.map(one);
    return { entries, lines, seq, prev };
  }
}

/** A batch sealed as a chain: its entries (without a failure marker), every line to write, and the new head. */
interface Sealed {
  readonly entries: readonly AuditEntry[];
  readonly lines: readonly string[];
  readonly seq: number;
  readonly prev: string;
}

/** How many entries one append carries at most. */
const MAX_BATCH = 256;
/** How many lost races in a row fail a shared append. */
const MAX_RACES = 100;

/** The (seq, hash) a chain's last line ends at; throws when that line is not an intact canonical entry (never link after damage). */
function headOf(last: string | undefined): { seq: number; hash: string } | undefined {
  if (last === undefined) return undefined;
  const read = readAuditLine(last);
  if (read.status !== "entry" || read.nonCanonical !== undefined || read.hash !== read.entry.hash) {
    throw new Error("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
  }
  return { seq: read.entry.seq, hash: read.entry.hash };
}
