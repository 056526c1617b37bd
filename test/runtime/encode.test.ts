/**
 * The input layout, byte for byte (runtime/manifest.ts, `Slot`): what the
 * encoder writes for each slot kind, for present, null and absent values,
 * arrays of items, `state.trust`, and strings in UTF-8.
 */
import { describe, expect, it } from "vitest";
import type { Slot } from "../../runtime/manifest.js";
import { compileActionEncoder, type Arena } from "../../runtime/encode/slots.js";
import { newParts, type Parts } from "../../runtime/encode/request.js";

const SLOT_BASE = 64;
const SLOT_BYTES = 256;

function arena(): Arena {
  const buffer = new ArrayBuffer(4096);
  return {
    buffer,
    view: new DataView(buffer),
    bytes: new Uint8Array(buffer),
    slotBase: SLOT_BASE,
    arenaStart: SLOT_BASE + SLOT_BYTES,
    arenaEnd: SLOT_BASE + SLOT_BYTES + 512,
    top: SLOT_BASE + SLOT_BYTES,
    high: SLOT_BASE,
  };
}

function parts(p: Partial<Parts>): Parts {
  return { ...newParts(), agent: { id: "bot", groups: [], trust: 2 }, ...p };
}

function encode(slots: readonly Slot[], p: Partial<Parts>) {
  const a = arena();
  compileActionEncoder(slots)(parts(p), a);
  const u32 = (offset: number) => a.view.getUint32(SLOT_BASE + offset, true);
  const i32 = (offset: number) => a.view.getInt32(SLOT_BASE + offset, true);
  const f64 = (offset: number) => a.view.getFloat64(SLOT_BASE + offset, true);
  const str = (offset: number) => new TextDecoder().decode(a.bytes.subarray(u32(offset), u32(offset) + u32(offset + 4)));
  return { a, u32, i32, f64, str };
}

describe("slot encoding", () => {
  it("state: 0 absent, 1 present, 2 null; a path through null or a missing object is absent", () => {
    const slots: Slot[] = [0, 1, 2, 3, 4].map((i) => ({ kind: "state", path: ["args", ["a", "b", "c", "n", "o"][i]!, ...(i === 4 ? ["x"] : [])], offset: i * 4 }));
    const { u32 } = encode(slots, { args: { a: 1, b: null, n: null, o: { y: 1 } } });
    expect([0, 4, 8, 12, 16].map(u32)).toEqual([1, 2, 0, 2, 0]);
  });

  it("sym: the dictionary index (first occurrence), -1 for anything else", () => {
    const dictionary = ["read", "write", "read"];
    const slots: Slot[] = ["m", "n", "o", "p"].map((f, i) => ({ kind: "sym", path: ["args", f], offset: i * 4, dictionary }));
    const { i32 } = encode(slots, { args: { m: "write", n: "admin", o: 3, p: "read" } });
    expect([0, 4, 8, 12].map(i32)).toEqual([1, -1, -1, 0]);
  });

  it("str: pointer into the arena and UTF-8 byte length; absent is empty", () => {
    const slots: Slot[] = [
      { kind: "str", path: ["args", "command"], offset: 0 },
      { kind: "str", path: ["context", "session"], offset: 8 },
      { kind: "str", path: ["human", "id"], offset: 16 },
    ];
    const { u32, str, a } = encode(slots, { args: { command: "ls é😀" }, context: {} });
    expect(str(0)).toBe("ls é😀");
    expect(u32(4)).toBe(3 + 2 + 4);
    expect(u32(0)).toBe(a.arenaStart);
    expect([u32(12), u32(20)]).toEqual([0, 0]);
  });

  it("num and bool: f64 and u32, 0 when absent", () => {
    const slots: Slot[] = [
      { kind: "num", path: ["args", "n"], offset: 0 },
      { kind: "num", path: ["args", "m"], offset: 8 },
      { kind: "bool", path: ["args", "b"], offset: 16 },
      { kind: "bool", path: ["args", "c"], offset: 20 },
    ];
    const { f64, u32 } = encode(slots, { args: { n: 12.5, b: true } });
    expect([f64(0), f64(8), u32(16), u32(20)]).toEqual([12.5, 0, 1, 0]);
  });

  it("array: the count, then each item's slots at itemsOffset + i * stride", () => {
    const slots: Slot[] = [
      {
        kind: "array",
        path: ["args", "files"],
        offset: 0,
        itemsOffset: 8,
        stride: 16,
        maxItems: 4,
        items: [
          { kind: "str", path: ["path"], offset: 0 },
          { kind: "num", path: ["size"], offset: 8 },
        ],
      },
      { kind: "array", path: ["args", "tags"], offset: 4, itemsOffset: 72, stride: 8, maxItems: 4, items: [{ kind: "str", path: [], offset: 0 }] },
    ];
    const { u32, str, f64, a } = encode(slots, { args: { files: [{ path: "/a", size: 3 }, { path: "/bb" }], tags: ["x", "yy", "zzz"] } });
    expect(u32(0)).toBe(2);
    expect([str(8), f64(16), str(24), f64(32)]).toEqual(["/a", 3, "/bb", 0]);
    expect(u32(4)).toBe(3);
    expect([str(72), str(80), str(88)]).toEqual(["x", "yy", "zzz"]);
    expect(a.high).toBe(SLOT_BASE + 72 + 3 * 8);
  });

  it("more items than the layout holds is an error, never a write past it", () => {
    const slots: Slot[] = [{ kind: "array", path: ["args", "t"], offset: 0, itemsOffset: 8, stride: 8, maxItems: 2, items: [{ kind: "num", path: [], offset: 0 }] }];
    expect(() => encode(slots, { args: { t: [1, 2, 3] } })).toThrow("`args.t` has 3 items, the layout holds 2");
  });

  it("state.trust replaces agent.trust; a human absent from the request is absent", () => {
    const slots: Slot[] = [
      { kind: "num", path: ["agent", "trust"], offset: 0 },
      { kind: "state", path: ["agent", "trust"], offset: 8 },
      { kind: "state", path: ["human", "id"], offset: 12 },
    ];
    expect(encode(slots, {}).f64(0)).toBe(2);
    const overridden = encode(slots, { trust: 4, agent: { id: "bot", groups: [] } });
    expect([overridden.f64(0), overridden.u32(8), overridden.u32(12)]).toEqual([4, 1, 0]);
  });

  it("strings that do not fit the arena are an error", () => {
    const slots: Slot[] = [{ kind: "str", path: ["args", "s"], offset: 0 }];
    expect(() => encode(slots, { args: { s: "x".repeat(513) } })).toThrow("the request's strings do not fit the module's string arena");
    expect(() => encode(slots, { args: { s: "é".repeat(257) } })).toThrow("the request's strings do not fit the module's string arena");
    expect(encode(slots, { args: { s: "é".repeat(256) } }).u32(4)).toBe(512);
  });
});
