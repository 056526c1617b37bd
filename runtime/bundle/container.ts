/**
 * The signed bundle file: the policy module itself, with one custom section
 * named `agp.signature` appended as its last section.
 *
 * In: bytes. Out: `splitBundle` (the module as it was signed, and the
 * signature section's text when there is one) and `appendSignature`. A
 * signed bundle is still a valid `.wasm` module, so every host that loads
 * modules (`loadPolicy`, `agp eval`, a Go or Rust host) can load it as is;
 * only `loadBundle` reads the section. Must not accept a signature section
 * anywhere but at the end, nor two of them: what was signed is exactly the
 * bytes before it.
 */
import { BundleError } from "./errors.js";

/** The custom section that carries the signature envelope. */
export const SIGNATURE_SECTION = "agp.signature";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** A bundle taken apart. */
export interface BundleParts {
  /** The module bytes the signature covers (the file without its signature section). */
  readonly module: Uint8Array;
  /** The signature section's payload (UTF-8 JSON), or undefined for an unsigned module. */
  readonly envelope: string | undefined;
}

/** Splits a file into the signed module and its signature envelope. */
export function splitBundle(bytes: Uint8Array): BundleParts {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new BundleError("malformed", "not a WebAssembly module (the file does not start with `\\0asm`)");
  let offset = 8;
  let signature: { start: number; payload: Uint8Array } | undefined;
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset++]!;
    const size = readU32(bytes, offset);
    offset = size.next;
    const end = offset + size.value;
    if (end > bytes.length) throw new BundleError("malformed", `section at byte ${start} runs past the end of the file`);
    if (id === 0) {
      const nameLength = readU32(bytes, offset);
      const nameEnd = nameLength.next + nameLength.value;
      if (nameEnd > end) throw new BundleError("malformed", `custom section at byte ${start} has a name longer than the section`);
      const name = new TextDecoder().decode(bytes.subarray(nameLength.next, nameEnd));
      if (name === SIGNATURE_SECTION) {
        if (signature !== undefined) throw new BundleError("malformed", `the bundle has two \`${SIGNATURE_SECTION}\` sections`);
        signature = { start, payload: bytes.subarray(nameEnd, end) };
      } else if (signature !== undefined) {
        throw new BundleError("malformed", `the \`${SIGNATURE_SECTION}\` section must be the last section of the bundle`);
      }
    } else if (signature !== undefined) {
      throw new BundleError("malformed", `the \`${SIGNATURE_SECTION}\` section must be the last section of the bundle`);
    }
    offset = end;
  }
  if (signature === undefined) return { module: bytes, envelope: undefined };
  let envelope: string;
  try {
    envelope = new TextDecoder("utf-8", { fatal: true }).decode(signature.payload);
  } catch {
    throw new BundleError("malformed", `the \`${SIGNATURE_SECTION}\` section is not UTF-8 text`);
  }
  return { module: bytes.subarray(0, signature.start), envelope };
}

/** The module with `envelope` appended as its `agp.signature` section. */
export function appendSignature(module: Uint8Array, envelope: string): Uint8Array {
  const name = new TextEncoder().encode(SIGNATURE_SECTION);
  const payload = new TextEncoder().encode(envelope);
  const nameLength = u32(name.length);
  const body = nameLength.length + name.length + payload.length;
  const size = u32(body);
  const out = new Uint8Array(module.length + 1 + size.length + body);
  out.set(module, 0);
  let at = module.length;
  out[at++] = 0;
  out.set(size, at);
  at += size.length;
  out.set(nameLength, at);
  at += nameLength.length;
  out.set(name, at);
  at += name.length;
  out.set(payload, at);
  return out;
}

/** An unsigned LEB128 u32 at `offset`. */
function readU32(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) throw new BundleError("malformed", "the file ends inside a section header");
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return { value, next: offset + i + 1 };
    }
  }
  throw new BundleError("malformed", `bad section size at byte ${offset}`);
}

function u32(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Uint8Array.from(out);
}
