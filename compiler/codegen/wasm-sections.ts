/**
 * Reads the section list of a wasm binary, to check what we emit.
 *
 * In: wasm bytes. Out: the sections (id, name for custom sections, bounds),
 * and an assertion that the module imports nothing.
 * Must not: decode section contents beyond the custom-section name; it is a
 * structural check, independent of binaryen's own view of the module.
 */

/** Wasm section ids (core spec 5.5.2). */
export const SECTION_ID = { custom: 0, type: 1, import: 2, function: 3, memory: 5, global: 6, export: 7, data: 11 } as const;

/** One section of a binary. */
export interface WasmSection {
  readonly id: number;
  /** Custom sections only. */
  readonly name?: string;
  /** Payload bounds in the binary (after the custom-section name, for custom sections). */
  readonly start: number;
  readonly end: number;
}

/** The sections of a wasm binary, in order; throws if the framing is broken (our bug). */
export function listSections(binary: Uint8Array): WasmSection[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (binary.length < 8 || magic.some((b, i) => binary[i] !== b)) throw new Error("internal error: not a wasm 1.0 binary");
  const sections: WasmSection[] = [];
  let at = 8;
  while (at < binary.length) {
    const id = binary[at++]!;
    const [size, afterSize] = readU32(binary, at);
    const end = afterSize + size;
    if (end > binary.length) throw new Error("internal error: wasm section runs past the end");
    if (id === SECTION_ID.custom) {
      const [nameLength, afterLength] = readU32(binary, afterSize);
      const name = new TextDecoder().decode(binary.subarray(afterLength, afterLength + nameLength));
      sections.push({ id, name, start: afterLength + nameLength, end });
    } else {
      sections.push({ id, start: afterSize, end });
    }
    at = end;
  }
  return sections;
}

/** Number of entries in the import section (0 when there is none). */
export function countImports(binary: Uint8Array): number {
  const section = listSections(binary).find((s) => s.id === SECTION_ID.import);
  return section === undefined ? 0 : readU32(binary, section.start)[0];
}

/** Throws unless the module is self-contained: the artifact must import nothing. */
export function assertNoImports(binary: Uint8Array): void {
  const count = countImports(binary);
  if (count !== 0) throw new Error(`internal error: the compiled module imports ${count} item(s); it must import nothing`);
}

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error("internal error: truncated LEB128 in wasm binary");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
  throw new Error("internal error: overlong LEB128 in wasm binary");
}
