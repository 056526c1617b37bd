/**
 * What `agp inspect` reads from a module's bytes that the WebAssembly API
 * does not say: every section with its size, custom section names, and the
 * signature of each export (function types, memory and table limits,
 * global types), read from the type, import, function, table, memory,
 * global and export sections.
 *
 * In: the bytes of a module that `WebAssembly.Module` accepted (so the
 * binary is well-formed). Out: `WasmSummary`. Must not throw for a type it
 * does not know (newer proposals): it prints `?` there instead.
 */

/** One section: its id, name (`custom:<name>` for custom sections) and size in bytes (payload only). */
export interface WasmSection {
  readonly id: number;
  readonly name: string;
  readonly bytes: number;
}

/** One export or import with a readable signature, e.g. `func (i32, i32) -> i32`. */
export interface WasmEntity {
  readonly name: string;
  readonly kind: "function" | "table" | "memory" | "global" | "tag" | "unknown";
  readonly signature: string;
  /** Imports only: the module the entity is imported from. */
  readonly module?: string;
}

export interface WasmSummary {
  readonly sections: readonly WasmSection[];
  readonly exports: readonly WasmEntity[];
  readonly imports: readonly WasmEntity[];
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"];
const KINDS = ["function", "table", "memory", "global", "tag"] as const;

/** Reads the sections, imports and exports of a module's bytes. */
export function summarizeWasm(bytes: Uint8Array): WasmSummary {
  const r = new Reader(bytes);
  r.pos = 8; // magic + version
  const sections: WasmSection[] = [];
  const types: string[] = [];
  const funcs: string[] = []; // signature per function index (imports first)
  const tables: string[] = [];
  const memories: string[] = [];
  const globals: string[] = [];
  const imports: WasmEntity[] = [];
  const exports: { name: string; kind: number; index: number }[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    let name = SECTION_NAMES[id] ?? `unknown(${id})`;
    try {
      if (id === 0) name = `custom:${r.name()}`;
      else if (id === 1) for (let n = r.u32(); n > 0; n--) types.push(r.functionType());
      else if (id === 2) {
        for (let n = r.u32(); n > 0; n--) {
          const module = r.name();
          const field = r.name();
          const kind = r.byte();
          const signature = r.description(kind, types);
          [funcs, tables, memories, globals][kind]?.push(signature);
          imports.push({ name: field, module, kind: KINDS[kind] ?? "unknown", signature });
        }
      } else if (id === 3) for (let n = r.u32(); n > 0; n--) funcs.push(types[r.u32()] ?? "func ?");
      else if (id === 4) for (let n = r.u32(); n > 0; n--) tables.push(r.description(1, types));
      else if (id === 5) for (let n = r.u32(); n > 0; n--) memories.push(r.description(2, types));
      else if (id === 6) readGlobals(bytes, r.pos, end, globals);
      else if (id === 7) for (let n = r.u32(); n > 0; n--) exports.push({ name: r.name(), kind: r.byte(), index: r.u32() });
    } catch {
      // A construct this reader does not know: keep what was read.
    }
    sections.push({ id, name, bytes: size });
    r.pos = end;
  }
  const table = [funcs, tables, memories, globals];
  return {
    sections,
    imports,
    exports: exports.map((e) => ({ name: e.name, kind: KINDS[e.kind] ?? "unknown", signature: table[e.kind]?.[e.index] ?? "?" })),
  };
}

function readGlobals(bytes: Uint8Array, start: number, end: number, globals: string[]): void {
  const r = new Reader(bytes);
  r.pos = start;
  try {
    for (let n = r.u32(); n > 0 && r.pos < end; n--) {
      globals.push(r.description(3, []));
      r.skipConstantExpression();
    }
  } catch {
    // unknown construct: keep what was read
  }
}

const VALUE_TYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    const b = this.bytes[this.pos++];
    if (b === undefined) throw new Error("unexpected end of module");
    return b;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  name(): string {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  valueType(): string {
    const b = this.byte();
    const known = VALUE_TYPES[b];
    if (known === undefined) throw new Error(`unknown value type 0x${b.toString(16)}`);
    return known;
  }

  functionType(): string {
    if (this.byte() !== 0x60) throw new Error("not a function type");
    const params = this.vector(() => this.valueType());
    const results = this.vector(() => this.valueType());
    return `func (${params.join(", ")}) -> ${results.length === 0 ? "()" : results.length === 1 ? results[0]! : `(${results.join(", ")})`}`;
  }

  vector<T>(item: () => T): T[] {
    const out: T[] = [];
    for (let n = this.u32(); n > 0; n--) out.push(item());
    return out;
  }

  limits(unit: string): string {
    const flags = this.byte();
    const min = this.u32();
    const max = (flags & 1) === 1 ? this.u32() : undefined;
    const shared = (flags & 2) === 2 ? ", shared" : "";
    return `${min}${max === undefined ? "" : `..${max}`} ${unit}${shared}`;
  }

  /** Skips a constant expression (`i32.const 1 end`, `global.get 0 end`, …). */
  skipConstantExpression(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.u32(); // LEB128: signedness does not matter for skipping
      else if (op === 0x43) this.pos += 4;
      else if (op === 0x44) this.pos += 8;
      else if (op === 0xd0) this.byte();
      else throw new Error(`unknown constant instruction 0x${op.toString(16)}`);
    }
  }

  /** An import's or a definition's description by kind: 0 func (type index), 1 table, 2 memory, 3 global. */
  description(kind: number, types: readonly string[]): string {
    switch (kind) {
      case 0:
        return types[this.u32()] ?? "func ?";
      case 1: {
        const element = this.valueType();
        return `table ${element} ${this.limits("entries")}`;
      }
      case 2:
        return `memory ${this.limits("pages")}`;
      case 3: {
        const type = this.valueType();
        return `global ${this.byte() === 1 ? "mut " : ""}${type}`;
      }
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  }
}
