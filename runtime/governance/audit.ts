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
 * is `GENESIS`). Must not write anything but whole sealed entries, and must
 * seal entries in the order `append` is called (the chain is serial).
 */
import { readAuditLine, sealAuditEntry } from "./audit-line.js";
import { digestOf, toJsonSafe } from "./digest.js";
import type { Clock } from "./clock.js";
import type { AuditSink } from "./store.js";

/** The `prev` of the first entry of a chain. */
export const GENESIS = `sha256:${"0".repeat(64)}`;

/** What an entry records. */
export type AuditKind = "decision" | "outcome" | "kill.engage" | "kill.release" | "approval.approve" | "approval.reject";

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

/** Seals entries into a sink, keeping the chain. */
export class AuditLog {
  private seq: number;
  private prev: string;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly sink: AuditSink,
    private readonly clock: Clock,
    head: { seq: number; hash: string } | undefined,
  ) {
    this.seq = head?.seq ?? 0;
    this.prev = head?.hash ?? GENESIS;
  }

  /**
   * Opens a log on a sink, continuing after its last entry. Throws when the
   * last line is not an intact entry: appending after damage would hide it
   * (run `agp audit verify` on the file).
   */
  static async open(sink: AuditSink, clock: Clock): Promise<AuditLog> {
    const last = await sink.lastLine();
    if (last === undefined) return new AuditLog(sink, clock, undefined);
    const read = readAuditLine(last);
    if (read.status !== "entry" || read.nonCanonical !== undefined || read.hash !== read.entry.hash) {
      throw new Error("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
    }
    return new AuditLog(sink, clock, { seq: read.entry.seq, hash: read.entry.hash });
  }

  /** Waits for every append, then closes the sink. */
  async close(): Promise<void> {
    await this.writing;
    await this.sink.close();
  }

  /** The hash of the last entry sealed (what `agp audit verify --head` checks against). */
  get head(): string {
    return this.prev;
  }

  /**
   * Seals `body` now (the next seq, this clock's time, the chain's head) and
   * resolves once the sink has taken it. Body fields named `seq`, `time`,
   * `prev` or `hash` are overwritten.
   */
  append(body: AuditBody): Promise<AuditEntry> {
    const unsealed = { ...(toJsonSafe(body) as AuditBody), seq: this.seq + 1, time: new Date(this.clock.now()).toISOString(), prev: this.prev };
    // INVARIANT: the line is the canonical JSON of the entry; `agp audit verify` refuses any other spelling.
    const { entry, line } = sealAuditEntry(unsealed);
    this.seq = entry.seq;
    this.prev = entry.hash;
    // INVARIANT: sink appends are issued in seal order (sinks keep call order, so a file sink can group-commit them).
    const written = this.sink.append([line]);
    this.writing = written.catch(() => undefined);
    return written.then(() => entry);
  }
}
