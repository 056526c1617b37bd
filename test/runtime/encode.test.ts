/**
 * The input layout, byte for byte (runtime/manifest.ts, `Slot`): what the
 * request intake (runtime/encode/intake.ts) writes for each slot kind, for
 * present, null and absent values, arrays of items, `state.trust`, and
 * strings in UTF-8; a layout overflow is reported, never written past.
 * Every case runs twice: with typed fields (the readers write as they read)
 * and with the same fields free-form (the value is copied, then encoded from
 * the copy), and both must write the same bytes.
 */
import { describe, expect, it } from "vitest";
import { ABI_VERSION, type Manifest, type SchemaNode, type Slot } from "../../runtime/manifest.js";
import { Intake } from "../../runtime/encode/intake.js";
import type { Arena } from "../../runtime/encode/slots.js";

const SLOT_BASE = 64;
const SLOT_BYTES = 256;

const num: SchemaNode = { type: "number", integer: false };
const str: SchemaNode = { type: "string" };
const nullable = (node: SchemaNode): SchemaNode => ({ type: "union", options: [node, { type: "null" }] });
const object = (props: Record<string, SchemaNode>, open = true): SchemaNode => ({
  type: "object",
  properties: Object.entries(props).map(([name, schema]) => ({ name, required: false, schema })),
  additionalProperties: open,
});

const AGENT = object({ id: str, groups: { type: "array", items: str }, trust: num });

function manifest(slots: readonly Slot[], args: SchemaNode): Manifest {
  return {
    abi: ABI_VERSION,
    compiler: "test",
    policy: { hash: "h", version: "v" },
    actions: [{ name: "t.act", family: "t", args, slots, costBound: 1, humanCovered: false }],
    rules: [],
    limits: [],
    request: { agent: AGENT, human: object({ id: str }), env: { type: "any" }, context: object({ session: str }) },
    memory: { slotBytes: SLOT_BYTES, arenaBytes: 512 },
  };
}

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

type Request = { args?: Record<string, unknown>; agent?: Record<string, unknown>; human?: unknown; context?: Record<string, unknown> };

/** Takes the request in, with `args` typed by `typed` and, the second time, free-form; both must write the same. */
function encode(slots: readonly Slot[], typed: SchemaNode, r: Request, trust?: number) {
  const runs = [typed, { type: "any" } as SchemaNode].map((args) => {
    const intake = new Intake(manifest(slots, args));
    const a = arena();
    const refusal = intake.take({ agent: r.agent ?? { id: "bot", groups: [], trust: 2 }, action: "t.act", args: r.args ?? {}, env: "dev", ...(r.human === undefined ? {} : { human: r.human }), ...(r.context === undefined ? {} : { context: r.context }) }, trust, a);
    return { a, refusal, overflow: intake.overflow };
  });
  expect(runs[0]!.refusal).toBeUndefined();
  expect(runs[1]!.refusal).toBeUndefined();
  expect(Array.from(runs[1]!.a.bytes)).toEqual(Array.from(runs[0]!.a.bytes));
  expect(runs[1]!.overflow).toBe(runs[0]!.overflow);
  const { a, overflow } = runs[0]!;
  const u32 = (offset: number) => a.view.getUint32(SLOT_BASE + offset, true);
  const i32 = (offset: number) => a.view.getInt32(SLOT_BASE + offset, true);
  const f64 = (offset: number) => a.view.getFloat64(SLOT_BASE + offset, true);
  const text = (offset: number) => new TextDecoder().decode(a.bytes.subarray(u32(offset), u32(offset) + u32(offset + 4)));
  return { a, u32, i32, f64, str: text, overflow };
}

describe("slot encoding", () => {
  it("state: 0 absent, 1 present, 2 null; a path through null or a missing object is absent", () => {
    const slots: Slot[] = [0, 1, 2, 3, 4].map((i) => ({ kind: "state", path: ["args", ["a", "b", "c", "n", "o"][i]!, ...(i === 4 ? ["x"] : [])], offset: i * 4 }));
    const typed = object({ a: num, b: nullable(num), c: num, n: nullable(object({ x: num })), o: object({ x: num }) });
    const { u32 } = encode(slots, typed, { args: { a: 1, b: null, n: null, o: { y: 1 } } });
    expect([0, 4, 8, 12, 16].map(u32)).toEqual([1, 2, 0, 2, 0]);
  });

  it("sym: the dictionary index (first occurrence), -1 for anything else", () => {
    const dictionary = ["read", "write", "read"];
    const slots: Slot[] = ["m", "n", "o", "p", "q"].map((f, i) => ({ kind: "sym", path: ["args", f], offset: i * 4, dictionary }));
    const typed = object({ m: str, n: str, o: { type: "union", options: [str, num] }, p: str, q: str });
    const { i32 } = encode(slots, typed, { args: { m: "write", n: "admin", o: 3, p: "read" } });
    expect([0, 4, 8, 12, 16].map(i32)).toEqual([1, -1, -1, 0, -1]);
  });

  it("str: pointer into the arena and UTF-8 byte length; absent is empty", () => {
    const slots: Slot[] = [
      { kind: "str", path: ["args", "command"], offset: 0 },
      { kind: "str", path: ["context", "session"], offset: 8 },
      { kind: "str", path: ["human", "id"], offset: 16 },
    ];
    const { u32, str: text, a } = encode(slots, object({ command: str }), { args: { command: "ls é😀" }, context: {} });
    expect(text(0)).toBe("ls é😀");
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
    const { f64, u32 } = encode(slots, object({ n: num, m: num, b: { type: "boolean" }, c: { type: "boolean" } }), { args: { n: 12.5, b: true } });
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
    const typed = object({ files: { type: "array", items: object({ path: str, size: num }), maxItems: 4 }, tags: { type: "array", items: str, maxItems: 4 } });
    const { u32, str: text, f64, a } = encode(slots, typed, { args: { files: [{ path: "/a", size: 3 }, { path: "/bb" }], tags: ["x", "yy", "zzz"] } });
    expect(u32(0)).toBe(2);
    expect([text(8), f64(16), text(24), f64(32)]).toEqual(["/a", 3, "/bb", 0]);
    expect(u32(4)).toBe(3);
    expect([text(72), text(80), text(88)]).toEqual(["x", "yy", "zzz"]);
    expect(a.high).toBe(SLOT_BASE + 72 + 3 * 8);
  });

  it("an item's sym slots read -1 when the item lacks the value", () => {
    const slots: Slot[] = [{ kind: "array", path: ["args", "l"], offset: 0, itemsOffset: 8, stride: 8, maxItems: 2, items: [{ kind: "sym", path: ["k"], offset: 0, dictionary: ["a"] }] }];
    const { i32 } = encode(slots, object({ l: { type: "array", items: object({ k: str }), maxItems: 2 } }), { args: { l: [{ k: "a" }, {}] } });
    expect([i32(8), i32(16)]).toEqual([0, -1]);
  });

  it("more items than the layout holds is an overflow, never a write past it", () => {
    const slots: Slot[] = [{ kind: "array", path: ["args", "t"], offset: 0, itemsOffset: 8, stride: 8, maxItems: 2, items: [{ kind: "num", path: [], offset: 0 }] }];
    const { overflow, u32, a } = encode(slots, object({ t: { type: "array", items: num } }), { args: { t: [1, 2, 3] } });
    expect(overflow).toBe(true);
    expect(u32(0)).toBe(0);
    expect(a.high).toBe(SLOT_BASE + 4);
  });

  it("state.trust replaces agent.trust; a human absent from the request is absent", () => {
    const slots: Slot[] = [
      { kind: "num", path: ["agent", "trust"], offset: 0 },
      { kind: "state", path: ["agent", "trust"], offset: 8 },
      { kind: "state", path: ["human", "id"], offset: 12 },
    ];
    expect(encode(slots, object({}), {}).f64(0)).toBe(2);
    const overridden = encode(slots, object({}), { agent: { id: "bot", groups: [] } }, 4);
    expect([overridden.f64(0), overridden.u32(8), overridden.u32(12)]).toEqual([4, 1, 0]);
    const nullHuman = encode(slots, object({}), { human: null });
    expect(nullHuman.u32(12)).toBe(0);
  });

  it("strings that do not fit the arena are an overflow", () => {
    const slots: Slot[] = [{ kind: "str", path: ["args", "s"], offset: 0 }];
    const typed = object({ s: str });
    expect(encode(slots, typed, { args: { s: "x".repeat(513) } }).overflow).toBe(true);
    expect(encode(slots, typed, { args: { s: "é".repeat(257) } }).overflow).toBe(true);
    const fits = encode(slots, typed, { args: { s: "é".repeat(256) } });
    expect([fits.overflow, fits.u32(4)]).toEqual([false, 512]);
  });
});
