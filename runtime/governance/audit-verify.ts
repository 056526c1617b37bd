/**
 * Verifying an audit log, line by line, in bounded memory.
 *
 * In: the lines of an audit file, in order (a whole text, or pushed one by
 * one by a reader that streams a file), and what the chain must reach: a
 * head it must end at (`--head`), and anchors it must contain (the head
 * file the file sink keeps beside the log). Out: how many entries, the last
 * hash, and every problem with its line: an edited entry (hash mismatch), a
 * line that is not the canonical form that was hashed (duplicate key,
 * whitespace, key order, another spelling of a string or number, trailing
 * text), a broken link (removed, inserted or reordered entries, or an edit
 * whose hash was recomputed), a line that is not an entry, a truncated
 * last line, entries removed from the end.
 * Memory does not grow with the file: the verifier keeps the previous
 * entry's hash and seq, and at most `MAX_PROBLEMS` problems (it counts the
 * rest). Must not read files: runtime/node streams them in.
 */
import { GENESIS, type AuditEntry } from "./audit.js";
import { parseAuditShape, readAuditLine, type Sha256 } from "./audit-line.js";

/** How many problems are kept; more are counted in `omitted`. */
export const MAX_PROBLEMS = 1000;

/** One problem the verifier found. */
export interface AuditProblem {
  readonly kind: "edited" | "noncanonical" | "broken" | "truncated" | "malformed" | "head";
  /** The 1-based line it is on (for `broken`, the later of the two lines; 0 when it is about the whole file). */
  readonly line: number;
  readonly message: string;
}

/** The result of a verification. */
export interface AuditVerification {
  readonly ok: boolean;
  /** How many lines held an entry. */
  readonly entries: number;
  /** The last entry's hash (to keep and pass as `head` next time). */
  readonly head: string | undefined;
  /** The first `MAX_PROBLEMS` problems, in file order. */
  readonly problems: readonly AuditProblem[];
  /** How many more problems there were (0 when all are listed). */
  readonly omitted: number;
}

/** An entry the chain must contain: at `seq`, with `hash` (from a head file, or an anchor kept elsewhere). */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
  /** Where it comes from, for the message (`the head file audit.jsonl.head`). */
  readonly source: string;
}

/** What a verification checks besides the chain itself. */
export interface AuditVerifyOptions {
  /** The hash the chain must end at: catches entries removed from the end. */
  readonly head?: string;
  /** Entries the chain must contain (a head recorded earlier; the log may have grown since). */
  readonly anchors?: readonly AuditAnchor[];
  /** SHA-256 (default: the runtime's own; Node passes node:crypto's, which is faster). */
  readonly sha256?: Sha256;
}

/** Checks lines pushed one at a time. */
export class AuditVerifier {
  private line = 0;
  private entries = 0;
  private previous: { seq: number; hash: string; line: number } | undefined;
  private readonly problems: AuditProblem[] = [];
  private omitted = 0;
  private readonly anchors: Map<number, { anchor: AuditAnchor; found: "no" | "yes" | "other" }>;
  private readonly sha256: Sha256 | undefined;

  constructor(private readonly options: AuditVerifyOptions = {}) {
    this.sha256 = options.sha256;
    this.anchors = new Map((options.anchors ?? []).map((a) => [a.seq, { anchor: a, found: "no" as const }]));
  }

  /** The next line's text, without its newline. */
  push(text: string): void {
    const line = ++this.line;
    const read = readAuditLine(text, this.sha256);
    if (read.status === "malformed") return this.problem("malformed", line, `line ${line}: not an audit entry (${read.reason})`);
    const entry = read.entry;
    this.entries++;
    if (read.nonCanonical !== undefined) this.problem("noncanonical", line, `line ${line}: not the canonical form that was hashed — ${read.nonCanonical}`);
    if (read.hash !== entry.hash) this.problem("edited", line, `entry ${this.entries} (line ${line}): hash mismatch — edited`);
    this.link(entry, line);
  }

  /** The next line could not be read as text at all (too long, not UTF-8). */
  unreadable(reason: string): void {
    const line = ++this.line;
    this.problem("malformed", line, `line ${line}: not an audit entry (${reason})`);
  }

  /** The file ended without a newline after the last line (given without its newline, never checked). */
  truncated(): void {
    const line = ++this.line;
    this.problem("truncated", line, `line ${line}: truncated last line — the file ends mid-entry`);
  }

  /** Ends the file: checks the head and the anchors, and returns the verdict. */
  finish(): AuditVerification {
    const head = this.previous?.hash;
    const last = this.previous;
    if (this.options.head !== undefined && head !== this.options.head) {
      const where = last === undefined ? "the file has no entry" : `the last entry (line ${last.line}) is ${head}`;
      this.problem("head", last?.line ?? 0, `expected the chain to end at ${this.options.head}, but ${where} — entries removed from the end`);
    }
    for (const { anchor, found } of this.anchors.values()) {
      if (found === "yes") continue;
      if (found === "other") {
        this.problem("head", 0, `entry ${anchor.seq} is not the one ${anchor.source} records (${anchor.hash}) — the log was rewritten from there`);
      } else {
        const ends = last === undefined ? "the log has no entry" : `the log ends at entry ${last.seq} (line ${last.line})`;
        this.problem("head", last?.line ?? 0, `${anchor.source} records entry ${anchor.seq} (${anchor.hash}), but ${ends} — entries removed from the end`);
      }
    }
    return { ok: this.problems.length === 0 && this.omitted === 0, entries: this.entries, head, problems: this.problems, omitted: this.omitted };
  }

  private link(entry: AuditEntry, line: number): void {
    const previous = this.previous;
    if (previous === undefined) {
      if (entry.prev !== GENESIS || entry.seq !== 1) this.problem("broken", line, `chain broken before line ${line} — entries removed from the start`);
    } else if (entry.prev !== previous.hash || entry.seq !== previous.seq + 1) {
      this.problem("broken", line, `chain broken between line ${previous.line} and ${line} — removed or reordered`);
    }
    const anchored = this.anchors.get(entry.seq);
    if (anchored !== undefined && anchored.found !== "yes") anchored.found = anchored.anchor.hash === entry.hash ? "yes" : "other";
    this.previous = { seq: entry.seq, hash: entry.hash, line };
  }

  private problem(kind: AuditProblem["kind"], line: number, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ kind, line, message });
    else this.omitted++;
  }
}

/**
 * Checks a whole audit file's text: each entry's hash and canonical form,
 * each link (`prev` equals the previous entry's hash and `seq` follows it),
 * that the first entry starts the chain, that the file ends with a newline,
 * and, when given, the head it must end at and the anchors it must contain.
 */
export function verifyAudit(text: string, options: AuditVerifyOptions = {}): AuditVerification {
  const verifier = new AuditVerifier(options);
  let from = 0;
  while (from < text.length) {
    const newline = text.indexOf("\n", from);
    if (newline === -1) {
      verifier.truncated();
      break;
    }
    verifier.push(text.slice(from, newline));
    from = newline + 1;
  }
  return verifier.finish();
}

/** The entry on a line, or undefined when the line is not one (for queries, which do not verify). */
export function parseAuditEntry(line: string): AuditEntry | undefined {
  if (line === "") return undefined;
  const shape = parseAuditShape(line);
  return typeof shape === "string" ? undefined : shape;
}

/** Every entry-shaped line of a file's text (other lines skipped), for queries over small logs. */
export function readAuditEntries(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of text.split("\n")) {
    const entry = parseAuditEntry(line);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
