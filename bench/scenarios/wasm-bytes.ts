/**
 * Byte-level views of a compiled module for the benchmarks: the size of its
 * manifest section, and a "fresh" copy of its bytes that V8 has never seen
 * (so a load times WebAssembly compilation, not a cache hit).
 *
 * In: module bytes. Out: `customSectionSize`, `freshCopy`. A fresh copy
 * only appends a custom section the runtime ignores; it must not change
 * what the module decides. Must not load the module.
 */

function leb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = bytes[i++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i };
    shift += 7;
  }
}

function encodeLeb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Bytes of the payloads of the custom sections called `name` (0 when there is none). */
export function customSectionSize(wasm: Uint8Array, name: string): number {
  const decoder = new TextDecoder();
  let total = 0;
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at]!;
    const size = leb(wasm, at + 1);
    const end = size.next + size.value;
    if (id === 0) {
      const nameLength = leb(wasm, size.next);
      const sectionName = decoder.decode(wasm.subarray(nameLength.next, nameLength.next + nameLength.value));
      if (sectionName === name) total += end - (nameLength.next + nameLength.value);
    }
    at = end;
  }
  return total;
}

/** The module's bytes with a custom section `agp-bench-fresh` holding `nonce` appended: new bytes, same module. */
export function freshCopy(wasm: Uint8Array, nonce: number): Uint8Array {
  const name = new TextEncoder().encode("agp-bench-fresh");
  const payload = new TextEncoder().encode(String(nonce));
  const body = [...encodeLeb(name.length), ...name, ...payload];
  const section = [0, ...encodeLeb(body.length), ...body];
  const out = new Uint8Array(wasm.length + section.length);
  out.set(wasm);
  out.set(section, wasm.length);
  return out;
}
