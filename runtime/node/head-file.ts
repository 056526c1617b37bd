/**
 * A head file: a small record kept beside an append-only file, saying how
 * far that file had reached (its last line's seq and hash), so lines cut
 * from its end — which leave a valid, shorter chain — are detected.
 *
 * In: records (small JSON objects) to write; a path to read. Out: the
 * newest intact record, or undefined when there is none. The file holds
 * two fixed-size slots written alternately in place (pwrite), each with a
 * counter and a SHA-256 check of its own text: a write torn by a crash
 * spoils at most the slot being written, and the other still holds the
 * record before it. Writers write the head only after the lines it names
 * are written (and, with fsync "always", flushed), and never fsync the
 * head itself: after a crash the head may lag the file — never lead it —
 * so readers accept a file that goes past its head.
 * Must not be taken for a signature: whoever can write both files can cut
 * both (docs/governance.md, "What the chain proves").
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";

/** Bytes per slot (a record is well under half of it). */
const SLOT = 512;

/** The path of the head file of `path`. */
export function headPathOf(path: string): string {
  return `${path}.head`;
}

/** What a head file holds. */
export type HeadRecord = Readonly<Record<string, string | number | null>>;

/** A head file open for writing. */
export class HeadFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private counter: number,
  ) {}

  /** Opens (creating) the head file at `path`, continuing its counter. */
  static async open(path: string): Promise<HeadFile> {
    const current = await readHeadSlots(path);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    return new HeadFile(path, handle, current?.counter ?? 0);
  }

  /**
   * Writes `record` into the older slot; with `sync`, flushes it (writers
   * flush the first record after open, so a durable head always exists;
   * later ones may lag after a crash, which readers accept).
   */
  async write(record: HeadRecord, sync = false): Promise<void> {
    const counter = this.counter + 1;
    const body = JSON.stringify({ n: counter, record });
    const text = `${JSON.stringify({ n: counter, record, check: checkOf(body) })}`;
    if (Buffer.byteLength(text) > SLOT - 1) throw new Error(`a head record of ${Buffer.byteLength(text)} bytes does not fit a ${SLOT}-byte slot`);
    const slot = Buffer.alloc(SLOT, 0x20);
    slot.write(text, 0, "utf8");
    slot[SLOT - 1] = 0x0a;
    await this.handle.write(slot, 0, SLOT, (counter % 2) * SLOT);
    if (sync) await this.handle.datasync();
    this.counter = counter;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** What `readHead` found. */
export type HeadRead =
  | { readonly status: "absent" }
  | { readonly status: "damaged" }
  | { readonly status: "ok"; readonly record: HeadRecord };

/** The newest intact record of the head file at `path`. */
export async function readHead(path: string): Promise<HeadRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "absent" };
    throw error;
  }
  if (bytes.length === 0) return { status: "absent" };
  const best = newestSlot(bytes);
  return best === undefined ? { status: "damaged" } : { status: "ok", record: best.record };
}

async function readHeadSlots(path: string): Promise<{ counter: number } | undefined> {
  try {
    const best = newestSlot(await readFile(path));
    return best === undefined ? undefined : { counter: best.counter };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function newestSlot(bytes: Buffer): { counter: number; record: HeadRecord } | undefined {
  let best: { counter: number; record: HeadRecord } | undefined;
  for (let offset = 0; offset + SLOT <= bytes.length && offset < 2 * SLOT; offset += SLOT) {
    const slot = readSlot(bytes.subarray(offset, offset + SLOT).toString("utf8").trim());
    if (slot !== undefined && (best === undefined || slot.counter > best.counter)) best = slot;
  }
  return best;
}

function readSlot(text: string): { counter: number; record: HeadRecord } | undefined {
  try {
    const value = JSON.parse(text) as { n?: unknown; record?: unknown; check?: unknown };
    if (typeof value.n !== "number" || typeof value.record !== "object" || value.record === null || typeof value.check !== "string") return undefined;
    if (checkOf(JSON.stringify({ n: value.n, record: value.record })) !== value.check) return undefined;
    return { counter: value.n, record: value.record as HeadRecord };
  } catch {
    return undefined;
  }
}

function checkOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
