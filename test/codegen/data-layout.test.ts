/**
 * Static data gets stable, aligned, non-zero addresses; identical shared
 * blobs share one copy; adjacent blobs become one segment.
 */
import { expect, test } from "vitest";
import { DataLayout } from "../../compiler/codegen/data-layout.js";

test("addresses are aligned, never 0, and never move", () => {
  const layout = new DataLayout();
  const a = layout.place(Uint8Array.of(1, 2, 3));
  const b = layout.place(Uint8Array.of(4), { align: 8 });
  const c = layout.place(Uint8Array.of(5, 6), { align: 2 });
  expect(a).toBe(16);
  expect(b % 8).toBe(0);
  expect(b).toBeGreaterThanOrEqual(a + 3);
  expect(c).toBe(b + 2);
  expect(() => new DataLayout(0)).toThrow(/address 0/);
});

test("shared blobs are stored once", () => {
  const layout = new DataLayout();
  const map = new Uint8Array(256).fill(1);
  const first = layout.place(map, { shared: true });
  const other = layout.place(Uint8Array.of(9));
  expect(layout.place(Uint8Array.from(map), { shared: true })).toBe(first);
  expect(layout.place(map)).not.toBe(first); // not shared unless asked
  expect(other).not.toBe(first);
});

test("segments merge adjacent blobs and split at reservations", () => {
  const layout = new DataLayout();
  const a = layout.place(Uint8Array.of(1, 1, 1));
  layout.place(Uint8Array.of(2, 2), { align: 4 });
  const scratch = layout.reserve(1000);
  const z = layout.place(Uint8Array.of(3));
  const segments = layout.seal();
  expect(segments.map((s) => s.address)).toEqual([a, z]);
  expect([...segments[0]!.bytes]).toEqual([1, 1, 1, 0, 2, 2]);
  expect(z).toBeGreaterThanOrEqual(scratch + 1000);
  expect(layout.pages).toBe(1);
  expect(() => layout.place(Uint8Array.of(1))).toThrow(/after the memory was laid out/);
});
