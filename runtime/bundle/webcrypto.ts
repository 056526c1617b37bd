/**
 * WebCrypto, typed locally: the bundle code runs in Node, browsers, workers
 * and edge runtimes, and must depend on neither the DOM lib nor Node's types.
 *
 * In: nothing. Out: `subtle()` (the host's `crypto.subtle`, or a clear error
 * where there is none), `sha256Hex`, and base64 / hex helpers over
 * `atob`/`btoa`. Must not implement any cryptography itself: every signature
 * and digest is the platform's.
 */

/** A key held by the platform (`CryptoKey`). */
export interface PlatformKey {
  readonly type: string;
  readonly extractable: boolean;
}

/** The few `SubtleCrypto` methods bundles use. */
export interface Subtle {
  digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer>;
  sign(algorithm: { name: string }, key: PlatformKey, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: { name: string }, key: PlatformKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  importKey(format: "raw" | "spki" | "pkcs8", data: Uint8Array, algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<PlatformKey>;
  exportKey(format: "raw" | "spki" | "pkcs8", key: PlatformKey): Promise<ArrayBuffer>;
  exportKey(format: "jwk", key: PlatformKey): Promise<{ readonly x?: string }>;
  generateKey(algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<{ readonly publicKey: PlatformKey; readonly privateKey: PlatformKey }>;
}

/** Ed25519, as WebCrypto names it. */
export const ED25519 = { name: "Ed25519" } as const;

/** The host's `crypto.subtle`; throws where the platform has none (then bundles cannot be verified: fail closed). */
export function subtle(): Subtle {
  const value = (globalThis as unknown as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (value === undefined) throw new Error("this platform has no WebCrypto (`crypto.subtle`): signed bundles cannot be verified here");
  return value;
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hexOf(new Uint8Array(await subtle().digest("SHA-256", bytes)));
}

export function hexOf(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Standard base64 of bytes. */
export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoaOf(binary);
}

/** Bytes of standard or URL-safe base64 (padding optional); undefined when it is not base64. */
export function bytesOfBase64(text: string): Uint8Array | undefined {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal)) return undefined;
  let binary: string;
  try {
    binary = atobOf(normal.padEnd(Math.ceil(normal.length / 4) * 4, "="));
  } catch {
    return undefined;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function btoaOf(binary: string): string {
  return (globalThis as unknown as { btoa(s: string): string }).btoa(binary);
}

function atobOf(text: string): string {
  return (globalThis as unknown as { atob(s: string): string }).atob(text);
}
