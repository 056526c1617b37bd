/**
 * The input layout: 8-byte slots first, arrays' items after the fixed part
 * with an 8-aligned stride, item slots relative to the item, sym
 * dictionaries starting with the enum, and the arena sized for every string
 * at 4 bytes per code point (times the items that hold it).
 */
import { describe, expect, it } from "vitest";
import { SlotTable } from "../../compiler/lower/slots.js";

describe("slot layout", () => {
  it("lays out scalars, arrays and items", () => {
    const t = new SlotTable();
    const state = t.slot("state", ["args", "note"], -1);
    const num = t.slot("num", ["args", "n"], -1);
    const array = t.slot("array", ["args", "paths"], -1, { maxItems: 4 });
    const item = t.slot("str", [], array, { maxBytes: 128 });
    const sym = t.slot("sym", ["env"], -1, { dictionary: ["dev", "prod"] });
    expect(t.slot("num", ["args", "n"], -1)).toBe(num);
    expect(t.intern(sym, "prod")).toBe(1);
    expect(t.intern(sym, "staging")).toBe(2);
    expect(t.idOf(sym, "qa")).toBeUndefined();
    const layout = t.finish();
    const r = layout.reads;
    expect(r[num]!.offset).toBe(0);
    expect(r[state]!.offset).toBe(8);
    expect(r[array]!.offset).toBe(12);
    expect(r[sym]!.offset).toBe(16);
    expect(r[array]).toMatchObject({ itemsOffset: 24, stride: 8, maxItems: 4 });
    expect(r[item]!.offset).toBe(0);
    expect(layout.slotBytes).toBe(24 + 4 * 8);
    expect(layout.arenaBytes).toBe(4 * 128);
    expect(layout.slots.find((s) => s.kind === "sym")).toEqual({ kind: "sym", path: ["env"], offset: 16, dictionary: ["dev", "prod", "staging"] });
    expect(layout.slots.find((s) => s.kind === "array")).toMatchObject({ items: [{ kind: "str", path: [], offset: 0 }] });
  });
});
