/**
 * The input layout of one action: every value its rules and limits read gets
 * a slot (runtime/manifest.ts, `Slot`), allocated on demand while lowering,
 * laid out once at the end.
 *
 * In: requests for slots (kind, path, parent array slot), literals to intern
 * into sym dictionaries. Out: the manifest's slot tree, the flat `IrRead`
 * list expressions index, the slot area's size and the arena bytes the
 * action's strings can take. Must not know about expressions or rules.
 *
 * Layout of each level (the request, or one array item): 8-byte slots (num,
 * str) first, then 4-byte ones, in allocation order; then each array's items
 * region (8-aligned stride, `maxItems` items). Offsets of item slots are
 * relative to the item's start, as the encoder expects.
 */
import type { Slot } from "../../runtime/manifest.js";
import type { IrRead } from "../ir/index.js";

type Kind = Slot["kind"];

interface Entry {
  readonly kind: Kind;
  readonly path: readonly string[];
  readonly parent: number;
  /** str: the most UTF-8 bytes one value takes; array: items. */
  readonly maxBytes: number;
  readonly maxItems: number;
  readonly dictionary: string[];
  readonly ids: Map<string, number>;
  offset: number;
  itemsOffset: number;
  stride: number;
}

/** The finished layout of one action. */
export interface ActionLayout {
  readonly slots: readonly Slot[];
  readonly reads: readonly IrRead[];
  readonly slotBytes: number;
  readonly arenaBytes: number;
}

/** Slots of one action under construction. */
export class SlotTable {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, number>();

  /** The slot for `path` of this kind under `parent` (-1: the request), created on first use. */
  slot(kind: Kind, path: readonly string[], parent: number, bounds: { maxBytes?: number; maxItems?: number; dictionary?: readonly string[] } = {}): number {
    const key = `${parent}\u0000${kind}\u0000${path.join("\u0000")}`;
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const dictionary = [...(bounds.dictionary ?? [])];
    const ids = new Map<string, number>();
    dictionary.forEach((word, i) => {
      if (!ids.has(word)) ids.set(word, i);
    });
    const index = this.entries.length;
    this.entries.push({ kind, path, parent, maxBytes: bounds.maxBytes ?? 0, maxItems: bounds.maxItems ?? 0, dictionary, ids, offset: 0, itemsOffset: 0, stride: 0 });
    this.byKey.set(key, index);
    return index;
  }

  /** The id of `word` in a sym slot's dictionary, added when new. */
  intern(slot: number, word: string): number {
    const entry = this.entries[slot]!;
    const found = entry.ids.get(word);
    if (found !== undefined) return found;
    const id = entry.dictionary.length;
    entry.dictionary.push(word);
    entry.ids.set(word, id);
    return id;
  }

  /** The id of `word` when already in the dictionary, else undefined (the value can never be it). */
  idOf(slot: number, word: string): number | undefined {
    return this.entries[slot]!.ids.get(word);
  }

  /** Lays every level out. */
  finish(): ActionLayout {
    const top = this.layout(-1);
    const reads: IrRead[] = this.entries.map((e) => ({
      kind: e.kind,
      path: e.path,
      parent: e.parent,
      offset: e.offset,
      ...(e.kind === "array" ? { itemsOffset: e.itemsOffset, stride: e.stride, maxItems: e.maxItems } : {}),
      ...(e.kind === "str" ? { maxBytes: e.maxBytes } : {}),
      ...(e.kind === "sym" ? { dictionarySize: e.dictionary.length } : {}),
    }));
    return { slots: this.tree(-1), reads, slotBytes: top, arenaBytes: this.arena(-1, 1) };
  }

  private layout(parent: number): number {
    const level = this.entries.filter((e) => e.parent === parent);
    let end = 0;
    for (const e of level.filter((e) => e.kind === "num" || e.kind === "str")) {
      e.offset = end;
      end += 8;
    }
    for (const e of level.filter((e) => e.kind !== "num" && e.kind !== "str")) {
      e.offset = end;
      end += 4;
    }
    for (const e of level) {
      if (e.kind !== "array") continue;
      const index = this.entries.indexOf(e);
      const size = this.layout(index);
      e.stride = Math.max(8, align8(size));
      e.itemsOffset = align8(end);
      end = e.itemsOffset + e.maxItems * e.stride;
    }
    return align8(end);
  }

  private tree(parent: number): Slot[] {
    const slots: Slot[] = [];
    this.entries.forEach((e, index) => {
      if (e.parent !== parent) return;
      const base = { path: e.path, offset: e.offset };
      switch (e.kind) {
        case "sym":
          slots.push({ kind: "sym", ...base, dictionary: e.dictionary });
          break;
        case "array":
          slots.push({ kind: "array", ...base, itemsOffset: e.itemsOffset, stride: e.stride, maxItems: e.maxItems, items: this.tree(index) });
          break;
        default:
          slots.push({ kind: e.kind, ...base });
      }
    });
    return slots;
  }

  private arena(parent: number, copies: number): number {
    let total = 0;
    this.entries.forEach((e, index) => {
      if (e.parent !== parent) return;
      if (e.kind === "str") total += copies * e.maxBytes;
      if (e.kind === "array") total += this.arena(index, copies * e.maxItems);
    });
    return total;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
