/**
 * Reads a file line by line in bounded memory: the way `agp audit verify`
 * and `agp audit query` read logs of any size.
 *
 * In: a path, a visitor, and limits. Out: calls, in file order, of
 * `push(text)` for each line ending in "\n" (text without it, decoded as
 * strict UTF-8), `unreadable(reason)` for a line that is longer than
 * `maxLineBytes` or not UTF-8, and `truncated()` when the file ends without
 * a final newline. Only "\n" ends a line ("\r" is part of the line, so a
 * CRLF file is seen as such). Reads up to the size the file had when
 * reading began (a log still being appended to is read as it was), in
 * 1 MiB chunks; memory is one chunk plus one line.
 * Must not decode leniently: a line that is not UTF-8 is reported, never
 * repaired.
 */
import { open } from "node:fs/promises";

/** Lines longer than this many bytes are reported, not read (an audit entry is about 1 KB). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** What the reader calls. */
export interface LineVisitor {
  push(text: string): void;
  unreadable(reason: string): void;
  truncated(): void;
}

/** Options for `readLines`. */
export interface ReadLinesOptions {
  readonly maxLineBytes?: number;
  readonly chunkBytes?: number;
  /** Read no further than this byte (a second pass over a log that grew since the first). */
  readonly endAt?: number;
  /** Push a last line without a final newline as a line (files people write, e.g. `agp eval --requests`), instead of `truncated()`. */
  readonly finalLine?: boolean;
}

/** Reads `path` line by line into `visitor`; resolves with the number of bytes read. */
export async function readLines(path: string, visitor: LineVisitor, options: ReadLinesOptions = {}): Promise<number> {
  const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const handle = await open(path, "r");
  try {
    const size = Math.min((await handle.stat()).size, options.endAt ?? Number.POSITIVE_INFINITY);
    const chunk = Buffer.alloc(Math.min(options.chunkBytes ?? 1 << 20, Math.max(1, size)));
    let carry: Buffer[] = [];
    let carried = 0;
    let overlong = false;
    let position = 0;
    const line = (bytes: Buffer): void => {
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch {
        visitor.unreadable("not UTF-8");
        return;
      }
      visitor.push(text);
    };
    while (position < size) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - position), position);
      if (bytesRead === 0) break; // the file shrank while we read it; what is missing is reported as truncated
      position += bytesRead;
      let from = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, from);
        if (newline === -1 || newline >= bytesRead) break;
        const piece = chunk.subarray(from, newline);
        const total = carried + piece.length;
        if (overlong || total > maxLine) visitor.unreadable(`longer than ${maxLine} bytes`);
        else line(carried === 0 ? piece : Buffer.concat([...carry, piece], total));
        carry = [];
        carried = 0;
        overlong = false;
        from = newline + 1;
      }
      if (from < bytesRead) {
        carried += bytesRead - from;
        if (carried > maxLine) {
          overlong = true;
          carry = [];
        } else carry.push(Buffer.from(chunk.subarray(from, bytesRead)));
      }
    }
    if (options.finalLine === true && carried > 0 && !overlong) line(Buffer.concat(carry, carried));
    else if (carried > 0 || overlong) visitor.truncated();
    return position;
  } finally {
    await handle.close();
  }
}
