/**
 * The state journal's format (`state.jsonl`, version 2) and its check.
 *
 * In: store changes to write; a journal's text and its head record to
 * check. Out: journal lines, and — on reading — the changes to replay, or
 * a `StateJournalError` naming the first line that fails.
 * The first line is a header naming the journal's generation (a random id,
 * new at each compaction) and what it compacted (the previous generation's
 * last seq and hash). Every other line is
 * `{"hash":"<64 hex>","change":<change as JSON>}` where
 * hash(n) = SHA-256(hash(n-1) + "\n" + the change's exact text), and
 * hash(0) = SHA-256(the header line): so an edited line, and a line
 * deleted, inserted or moved before any later line, fails the check at
 * that line. Lines cut from the end leave a valid chain; the head file
 * (head-file.ts), written after each flush, records the generation, seq
 * and hash the journal had reached, and a journal that no longer reaches
 * it is refused. A head may lag its journal (it is written after the
 * lines), never lead it.
 * Must not accept a journal it cannot show intact: the store fails closed.
 * Journals written before version 2 (one change per line, no header) are
 * read once, when no head file exists, and rewritten as version 2.
 */
import { createHash, randomBytes } from "node:crypto";
import type { StoreChange } from "../governance/store-memory.js";
import type { HeadRead } from "./head-file.js";

/** Where the recovery procedure is documented (ends every refusal). */
const RECOVERY = 'the store will not open; see docs/governance.md, "When the state journal fails its check"';

/** The journal cannot be shown intact; the store refuses to open. */
export class StateJournalError extends Error {
  override readonly name = "StateJournalError";
  constructor(
    readonly path: string,
    /** The 1-based line that fails (0 when it is about the whole journal or its head file). */
    readonly line: number,
    problem: string,
  ) {
    super(`the state journal ${path} ${problem}; ${RECOVERY}`);
  }
}

/** Where a chain stands: its generation, how many changes, the last hash. */
export interface ChainHead {
  readonly generation: string;
  readonly seq: number;
  readonly hash: string;
}

/** The header of a generation. */
interface Header {
  readonly journal: "agp-state";
  readonly version: 2;
  readonly generation: string;
  readonly compacts: ChainHead | null;
}

/** Appends changes to a chain, one line each. */
export class JournalWriter {
  private constructor(private chain: ChainHead) {}

  /** A new generation: its header line, and the writer continuing after it. */
  static start(compacts: ChainHead | null): { header: string; writer: JournalWriter } {
    const header: Header = { journal: "agp-state", version: 2, generation: randomBytes(8).toString("hex"), compacts };
    const text = JSON.stringify(header);
    return { header: text, writer: new JournalWriter({ generation: header.generation, seq: 0, hash: sha256(text) }) };
  }

  /** Where the chain stands after the last line written. */
  get head(): ChainHead {
    return this.chain;
  }

  /** The line for `change`, continuing the chain. */
  line(change: StoreChange): string {
    const text = JSON.stringify(change);
    const hash = sha256(`${this.chain.hash}\n${text}`);
    this.chain = { generation: this.chain.generation, seq: this.chain.seq + 1, hash };
    return `{"hash":"${hash}","change":${text}}`;
  }
}

/** A journal read back: the changes to replay and where its chain stands. */
export interface JournalRead {
  readonly changes: readonly StoreChange[];
  /** Undefined for an empty journal or one written before version 2. */
  readonly head: ChainHead | undefined;
  /** True when the journal was written before version 2 (to be rewritten). */
  readonly legacy: boolean;
}

const LINE_PREFIX = '{"hash":"';
const CHANGE_MARK = '","change":';

/**
 * Checks a journal's text against its head record and returns its changes.
 * A last line without its newline was never acknowledged (its write was cut
 * short) and is ignored. Throws `StateJournalError` naming the first line
 * that fails.
 */
export function readJournal(path: string, text: string, headRead: HeadRead): JournalRead {
  const lines = text.split("\n");
  lines.pop(); // the text after the last newline: empty, or a write that never completed
  const head = headRead.status === "ok" ? headOf(headRead.record) : undefined;
  if (headRead.status === "damaged" || (headRead.status === "ok" && head === undefined)) {
    throw new StateJournalError(path, 0, "has a damaged head file (both records unreadable), so it cannot show that no line was removed from its end");
  }
  if (lines.length === 0) {
    if (head !== undefined) {
      throw new StateJournalError(path, 0, `is missing or empty, but its head file records entry ${head.seq} of generation ${head.generation}: the journal was deleted or emptied`);
    }
    return { changes: [], head: undefined, legacy: false };
  }
  const header = headerOf(lines[0]!);
  if (header === undefined) {
    if (head !== undefined) throw new StateJournalError(path, 1, "has no version 2 header on line 1, but its head file exists: the journal was replaced");
    return { changes: lines.map((line, i) => changeOf(path, line, i + 1)), head: undefined, legacy: true };
  }
  let chain: ChainHead = { generation: header.generation, seq: 0, hash: sha256(lines[0]!) };
  let hashAtHead: string | undefined = head?.generation === header.generation && head.seq === 0 ? chain.hash : undefined;
  const changes: StoreChange[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const at = line.indexOf(CHANGE_MARK);
    if (!line.startsWith(LINE_PREFIX) || at !== LINE_PREFIX.length + 64 || !line.endsWith("}")) {
      throw new StateJournalError(path, lineNo, `has a damaged line ${lineNo}: not a journal entry`);
    }
    const stored = line.slice(LINE_PREFIX.length, at);
    const body = line.slice(at + CHANGE_MARK.length, -1);
    const hash = sha256(`${chain.hash}\n${body}`);
    if (hash !== stored) {
      throw new StateJournalError(path, lineNo, `fails its integrity check at line ${lineNo}: that line was edited, or lines before it were deleted, inserted or reordered`);
    }
    changes.push(changeOf(path, body, lineNo));
    chain = { generation: chain.generation, seq: chain.seq + 1, hash };
    if (head !== undefined && head.generation === chain.generation && head.seq === chain.seq) hashAtHead = hash;
  }
  if (head !== undefined) checkHead(path, header, chain, head, hashAtHead, lines.length);
  else if (chain.seq > 0) {
    throw new StateJournalError(path, 0, `has ${chain.seq} entries but no head file, so it cannot show that none were removed from its end`);
  }
  return { changes, head: chain, legacy: false };
}

/** The journal must reach its head: the same generation up to the head's entry, or a compaction of the head's generation. */
function checkHead(path: string, header: Header, chain: ChainHead, head: ChainHead, hashAtHead: string | undefined, lineCount: number): void {
  if (head.generation === header.generation) {
    if (chain.seq < head.seq) {
      throw new StateJournalError(path, lineCount, `ends at line ${lineCount} (entry ${chain.seq}), but its head file records entry ${head.seq}: lines were removed from its end`);
    }
    if (hashAtHead !== head.hash) {
      throw new StateJournalError(path, head.seq + 1, `has, at line ${head.seq + 1}, an entry other than the one its head file records: the journal was rewritten`);
    }
    return;
  }
  // A crash after a compaction's rename and before its head was written: the head names the generation compacted.
  const compacted = header.compacts;
  if (compacted !== null && compacted.generation === head.generation && (compacted.seq > head.seq || (compacted.seq === head.seq && compacted.hash === head.hash))) return;
  throw new StateJournalError(path, 1, `is generation ${header.generation}, but its head file records generation ${head.generation}, which it does not continue: the journal was replaced`);
}

function headerOf(line: string): Header | undefined {
  try {
    const value = JSON.parse(line) as Partial<Header>;
    if (value.journal !== "agp-state" || value.version !== 2 || typeof value.generation !== "string") return undefined;
    const compacts = value.compacts === null || value.compacts === undefined ? null : headOf(value.compacts as unknown as Record<string, unknown>);
    return { journal: "agp-state", version: 2, generation: value.generation, compacts: compacts ?? null };
  } catch {
    return undefined;
  }
}

function headOf(record: Readonly<Record<string, unknown>>): ChainHead | undefined {
  const { generation, seq, hash } = record;
  return typeof generation === "string" && typeof seq === "number" && typeof hash === "string" ? { generation, seq, hash } : undefined;
}

/** A change, checked for the shape `MemoryStateStore.restore` needs. */
function changeOf(path: string, text: string, lineNo: number): StoreChange {
  const damaged = (): StateJournalError => new StateJournalError(path, lineNo, `has a damaged line ${lineNo}: not a journal entry`);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw damaged();
  }
  if (typeof value !== "object" || value === null || typeof value["key"] !== "string") throw damaged();
  const expiresAt = value["expiresAt"];
  if (value["type"] === "value") {
    const v = value["value"];
    if ((v !== undefined && typeof v !== "string") || (expiresAt !== undefined && typeof expiresAt !== "number")) throw damaged();
    return { type: "value", key: value["key"], value: v as string | undefined, ...(expiresAt === undefined ? {} : { expiresAt: expiresAt as number }) };
  }
  if (value["type"] === "counter") {
    const counter = value["counter"] as Record<string, unknown> | null;
    if (typeof counter !== "object" || counter === null || typeof counter["window"] !== "number" || typeof counter["used"] !== "number" || typeof expiresAt !== "number") throw damaged();
    return { type: "counter", key: value["key"], counter: { window: counter["window"], used: counter["used"] }, expiresAt };
  }
  throw damaged();
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
