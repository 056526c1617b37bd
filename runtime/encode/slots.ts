/**
 * The module's input region as the runtime writes it: the memory views and
 * bump pointers of one engine (`Arena`), the size of a slot's fixed part,
 * and clearing what a previous request wrote. The slots themselves are
 * written as the request is read (./needs.ts, ./readers.ts); every call
 * first clears what the previous one wrote (the slot area up to its
 * high-water mark, the arena up to its top), so after a call the input
 * region depends on that request alone.
 *
 * In: the manifest's layout (runtime/manifest.ts, `Slot`). Out: views and
 * helpers. Must not write outside the region.
 */
import type { Slot } from "../manifest.js";

/** The memory views and bump pointers of one engine; refreshed when memory grows. */
export interface Arena {
  buffer: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
  /** Absolute address of the slot area. */
  slotBase: number;
  /** Absolute addresses of the arena's start and end. */
  arenaStart: number;
  arenaEnd: number;
  /** Next free arena byte this call. */
  top: number;
  /** Highest slot-area address written this call (exclusive). */
  high: number;
}

/** Bytes a slot's fixed part takes at its offset. */
export function slotSize(slot: Slot): number {
  return slot.kind === "str" || slot.kind === "num" ? 8 : 4;
}

/**
 * Zeroes `bytes[from, to)`. Short ranges (a request's slots and strings are
 * tens of bytes) are cheaper as a loop than as a `fill` call, whose builtin
 * entry costs more than the stores; long ranges use `fill`.
 */
export function zero(bytes: Uint8Array, from: number, to: number): void {
  if (to - from > 96) {
    bytes.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) bytes[i] = 0;
}

