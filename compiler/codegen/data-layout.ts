/**
 * Static data placement in linear memory: a bump allocator the code
 * generator asks for addresses while it builds functions.
 *
 * In: byte blobs (DFA tables, class maps, hash sets, string literals) and
 * zero-filled reservations (scratch areas the runtime writes requests into).
 * Out: their addresses, and at the end the data segments (adjacent blobs
 * merged into one segment; reservations never stored) plus the memory size.
 * Must not: import binaryen (module.ts turns segments into wasm), hand out
 * address 0 (a zero pointer must never alias data), or move anything once
 * its address was handed out.
 */

/** One initialized run of memory. */
export interface DataSegment {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** Where placement starts: the first 16 bytes stay unused, so 0 is never a valid address. */
export const DEFAULT_DATA_BASE = 16;

/** 64 KiB, the wasm page. */
export const PAGE_SIZE = 65536;

/** How a blob is placed. */
export interface PlaceOptions {
  /** Power of two; default 4 (every stdlib table wants 4-alignment). */
  readonly align?: number;
  /**
   * Reuse the address of an identical blob placed earlier with `shared`
   * (e.g. DFA class maps many globs have in common).
   */
  readonly shared?: boolean;
}

/** A bump allocator over linear memory. */
export class DataLayout {
  private top: number;
  private readonly pieces: DataSegment[] = [];
  private readonly sharedAt = new Map<string, number>();
  private sealed = false;

  constructor(base: number = DEFAULT_DATA_BASE) {
    if (base <= 0) throw new Error("internal error: data must not start at address 0");
    this.top = base;
  }

  /** Places `bytes` and returns their address. */
  place(bytes: Uint8Array, options: PlaceOptions = {}): number {
    this.assertOpen();
    const key = options.shared === true ? sharedKey(bytes) : undefined;
    if (key !== undefined) {
      const existing = this.sharedAt.get(key);
      if (existing !== undefined) return existing;
    }
    const address = this.bump(bytes.length, options.align ?? 4);
    if (bytes.length > 0) this.pieces.push({ address, bytes: Uint8Array.from(bytes) });
    if (key !== undefined) this.sharedAt.set(key, address);
    return address;
  }

  /** Reserves `size` zero bytes (not stored in the binary) and returns their address. */
  reserve(size: number, align = 8): number {
    this.assertOpen();
    return this.bump(size, align);
  }

  /** First address past everything placed or reserved. */
  get end(): number {
    return this.top;
  }

  /** Pages needed to hold everything (at least one). */
  get pages(): number {
    return Math.max(1, Math.ceil(this.top / PAGE_SIZE));
  }

  /**
   * The segments to emit: blobs that touch (or are separated only by
   * alignment padding) are merged; reservations split segments. After this
   * nothing more can be placed.
   */
  seal(): DataSegment[] {
    this.sealed = true;
    const merged: { address: number; parts: DataSegment[]; end: number }[] = [];
    for (const piece of this.pieces) {
      const last = merged.at(-1);
      // Gaps up to 8 bytes are alignment padding: cheaper to store than a new segment header.
      if (last !== undefined && piece.address - last.end <= 8) {
        last.parts.push(piece);
        last.end = piece.address + piece.bytes.length;
      } else {
        merged.push({ address: piece.address, parts: [piece], end: piece.address + piece.bytes.length });
      }
    }
    return merged.map(({ address, parts, end }) => {
      const bytes = new Uint8Array(end - address);
      for (const part of parts) bytes.set(part.bytes, part.address - address);
      return { address, bytes };
    });
  }

  private bump(size: number, align: number): number {
    if (!Number.isInteger(size) || size < 0 || align <= 0 || (align & (align - 1)) !== 0) {
      throw new Error(`internal error: bad data placement (size ${size}, align ${align})`);
    }
    const address = (this.top + align - 1) & ~(align - 1);
    this.top = address + size;
    if (this.top > 0x7fffffff) throw new Error("internal error: static data exceeds 2 GiB");
    return address;
  }

  private assertOpen(): void {
    if (this.sealed) throw new Error("internal error: data placed after the memory was laid out");
  }
}

/** A map key for identical byte strings (one char per byte; not Buffer: codegen also runs in browsers). */
function sharedKey(bytes: Uint8Array): string {
  let key = "";
  for (let i = 0; i < bytes.length; i += 8192) key += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return key;
}
