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
import type { Clock } from "./clock.js";
import type { AuditSink } from "./store.js";

/** The `prev` of the first entry of a chain. */
export const GENESIS = `sha256:${"0".repeat(64)}`;

/** What an entry records. */
export type AuditKind = "decision" | "outcome" | "kill.engage" | "kill.release" | "approval.approve" | "approval.reject" | "bundle.load" | "bundle.refuse";

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
    const entry = parseEntry(last);
    if (typeof entry === "string" || entryHash(entry) !== entry.hash) {
      throw new Error("the audit log's last entry is damaged; run `agp audit verify` on it before appending");
    }
    return new AuditLog(sink, clock, { seq: entry.seq, hash: entry.hash });
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
    const entry = { ...unsealed, hash: entryHash(unsealed) } as AuditEntry;
    // The hash is over canonical JSON; the line itself need only parse back to the same value.
    const line = JSON.stringify(entry);
    this.seq = entry.seq;
    this.prev = entry.hash;
    // INVARIANT: sink appends are issued in seal order (sinks keep call order, so a file sink can group-commit them).
    const written = this.sink.append([line]);
    this.writing = written.catch(() => undefined);
    return written.then(() => entry);
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
