/**
 * The audit log: append-only, hash-chained, every field inside the hash.
 *
 * In: entry bodies from the gateway, kill switch and approvals; a sink.
 * Out: sealed entries (`seq`, `time`, `prev`, `hash` added) written as one
 * line of JSON each; `verifyAudit` over a file's text, saying
 * where an entry was edited, removed, reordered or truncated.
 * The hash of an entry is the SHA-256 of the canonical JSON (RFC 8785) of the
 * entry without its `hash` field — so every field, present or added later,
 * is inside it — and `prev` is the previous entry's hash (the first entry's
 * is `GENESIS`). Must not write anything but whole sealed entries, and must
 * seal entries in the order `append` is called (the chain is serial).
 */
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
    checkClock(clock, "the audit log's `clock`");
    const last = await sink.lastLine();
    if (last === undefined) return new AuditLog(sink, clock, undefined);
    const entry = parseEntry(last);
    if (typeof entry === "string" || entryHash(entry) !== entry.hash) {
      throw new Error("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
    }
    return new AuditLog(sink, clock, { seq: entry.seq, hash: entry.hash });
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
      const batch = this.queue.splice(0);
      let seq = this.seq;
      let prev = this.prev;
      let entries: AuditEntry[];
      try {
        const time = new Date(this.clock.now()).toISOString();
        const seal = (body: AuditBody): AuditEntry => {
          const unsealed = { ...body, seq: seq + 1, time, prev };
          const entry = { ...unsealed, hash: entryHash(unsealed) } as AuditEntry;
          seq = entry.seq;
          prev = entry.hash;
          return entry;
        };
        const marker = this.lost === undefined ? [] : [seal({ kind: "audit.write_failed", entries: this.lost.entries, error: this.lost.error })];
        entries = batch.map((pending) => seal(pending.body));
        // The hash is over canonical JSON; the line itself need only parse back to the same value.
        await this.sink.append([...marker, ...entries].map((entry) => JSON.stringify(entry)));
      } catch (error) {
        const message = describeThrown(error);
        this.lost = { entries: (this.lost?.entries ?? 0) + batch.length, error: message };
        for (const pending of batch) pending.reject(new AuditWriteError(`the audit log could not be written: ${message}`));
        continue;
      }
      this.seq = seq;
      this.prev = prev;
      this.lost = undefined;
      batch.forEach((pending, i) => pending.resolve(entries[i]!));
    }
    this.busy = false;
  }
}

/** One problem `verifyAudit` found. */
export interface AuditProblem {
  readonly kind: "edited" | "broken" | "truncated" | "malformed" | "head";
  /** The 1-based line it is on (for `broken`, the later of the two lines). */
  readonly line: number;
  readonly message: string;
}

/** The result of `verifyAudit`. */
export interface AuditVerification {
  readonly ok: boolean;
  /** How many lines held an entry. */
  readonly entries: number;
  /** The last entry's hash (to keep and pass as `head` next time). */
  readonly head: string | undefined;
  readonly problems: readonly AuditProblem[];
}

/**
 * Checks a whole audit file: each entry's hash, each link (`prev` equals the
 * previous entry's hash and `seq` follows it), that the first entry starts
 * the chain, that the file ends with a newline, and, when `head` is given,
 * that the last entry is that head (which also catches entries removed from
 * the end).
 */
export function verifyAudit(text: string, options: { readonly head?: string } = {}): AuditVerification {
  const problems: AuditProblem[] = [];
  const lines = text.split("\n");
  const complete = text.length === 0 || text.endsWith("\n");
  if (lines.at(-1) === "") lines.pop();
  let previous: { entry: AuditEntry; line: number } | undefined;
  let entries = 0;
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    const isLast = index === lines.length - 1;
    const entry = parseEntry(text);
    if (isLast && !complete) {
      problems.push({ kind: "truncated", line, message: `line ${line}: truncated last line — the file ends mid-entry` });
      break;
    }
    if (typeof entry === "string") {
      problems.push({ kind: "malformed", line, message: `line ${line}: not an audit entry (${entry})` });
      continue;
    }
    entries++;
    if (entryHash(entry) !== entry.hash) {
      problems.push({ kind: "edited", line, message: `entry ${entries} (line ${line}): hash mismatch — edited` });
    }
    if (previous === undefined) {
      if (entry.prev !== GENESIS || entry.seq !== 1) {
        problems.push({ kind: "broken", line, message: `chain broken before line ${line} — entries removed from the start` });
      }
    } else if (entry.prev !== previous.entry.hash || entry.seq !== previous.entry.seq + 1) {
      problems.push({ kind: "broken", line, message: `chain broken between line ${previous.line} and ${line} — removed or reordered` });
    }
    previous = { entry, line };
  }
  const head = previous?.entry.hash;
  if (options.head !== undefined && head !== options.head) {
    const where = previous === undefined ? "the file has no entry" : `the last entry (line ${previous.line}) is ${head}`;
    problems.push({ kind: "head", line: previous?.line ?? 0, message: `expected the chain to end at ${options.head}, but ${where} — entries removed from the end` });
  }
  return { ok: problems.length === 0, entries, head, problems };
}

/** Every intact-looking entry of a file's text (unparseable lines skipped), for queries. */
export function readAuditEntries(text: string): AuditEntry[] {
  return text.split("\n").flatMap((line) => {
    if (line === "") return [];
    const entry = parseEntry(line);
    return typeof entry === "string" ? [] : [entry];
  });
}

/** An entry, or why the line is not one. */
function parseEntry(line: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const e = value as Record<string, unknown>;
  if (typeof e["hash"] !== "string" || typeof e["prev"] !== "string") return "no `hash` or `prev`";
  if (typeof e["seq"] !== "number" || typeof e["time"] !== "string" || typeof e["kind"] !== "string") return "no `seq`, `time` or `kind`";
  return e as unknown as AuditEntry;
}
