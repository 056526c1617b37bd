/**
 * Ed25519 keys for bundles: PEM in and out, key ids, key pairs.
 *
 * In: PEM text (SPKI public keys, PKCS#8 private keys) or a raw 32-byte
 * public key. Out: platform keys with their key id — the first 16 hex
 * digits of the SHA-256 of the raw public key — and new key pairs as PEM.
 * Every operation is WebCrypto's; this file only moves bytes between PEM
 * and the platform. Must not hold private key material longer than the call.
 */
import { BundleError } from "./errors.js";
import { ED25519, base64Of, bytesOfBase64, sha256Hex, subtle, type PlatformKey } from "./webcrypto.js";

/** A public key a bundle may be signed with. */
export interface TrustedKey {
  /** The key id bundles name (`keyId` in the signed metadata). */
  readonly id: string;
  readonly key: PlatformKey;
}

/** A private key to sign bundles with. */
export interface SigningKey {
  /** The key id of its public half. */
  readonly id: string;
  readonly key: PlatformKey;
}

/** A new key pair, as PEM files hold it. */
export interface KeyPairPem {
  readonly id: string;
  /** PKCS#8, `-----BEGIN PRIVATE KEY-----`. */
  readonly privateKey: string;
  /** SPKI, `-----BEGIN PUBLIC KEY-----`. */
  readonly publicKey: string;
}

/** The key id of a raw 32-byte Ed25519 public key. */
export async function keyIdOf(rawPublicKey: Uint8Array): Promise<string> {
  return (await sha256Hex(rawPublicKey)).slice(0, 16);
}

/** Imports a public key from PEM (SPKI) or raw bytes (32). */
export async function importPublicKey(source: string | Uint8Array): Promise<TrustedKey> {
  let key: PlatformKey;
  try {
    if (typeof source === "string") key = await subtle().importKey("spki", pemBody(source, "PUBLIC KEY"), ED25519, true, ["verify"]);
    else if (source.length === 32) key = await subtle().importKey("raw", source, ED25519, true, ["verify"]);
    else throw new BundleError("bad_key", `a raw Ed25519 public key has 32 bytes, not ${source.length}`);
  } catch (error) {
    throw asKeyError(error, "not an Ed25519 public key");
  }
  const raw = new Uint8Array(await subtle().exportKey("raw", key));
  return { id: await keyIdOf(raw), key };
}

/** Imports a private key from PEM (PKCS#8). */
export async function importPrivateKey(pem: string): Promise<SigningKey> {
  let key: PlatformKey;
  try {
    key = await subtle().importKey("pkcs8", pemBody(pem, "PRIVATE KEY"), ED25519, true, ["sign"]);
  } catch (error) {
    throw asKeyError(error, "not an Ed25519 private key");
  }
  const jwk = await subtle().exportKey("jwk", key);
  const raw = jwk.x === undefined ? undefined : bytesOfBase64(jwk.x);
  if (raw === undefined || raw.length !== 32) throw new BundleError("bad_key", "cannot read the public half of this Ed25519 private key");
  // Re-import without extractability: the signing key never leaves the platform again.
  const signing = await subtle().importKey("pkcs8", pemBody(pem, "PRIVATE KEY"), ED25519, false, ["sign"]);
  return { id: await keyIdOf(raw), key: signing };
}

/** A new Ed25519 key pair. */
export async function generateKeyPair(): Promise<KeyPairPem> {
  const pair = await subtle().generateKey(ED25519, true, ["sign", "verify"]);
  const raw = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  return {
    id: await keyIdOf(raw),
    privateKey: pemOf(new Uint8Array(await subtle().exportKey("pkcs8", pair.privateKey)), "PRIVATE KEY"),
    publicKey: pemOf(new Uint8Array(await subtle().exportKey("spki", pair.publicKey)), "PUBLIC KEY"),
  };
}

/** The DER bytes inside a PEM block with this label. */
function pemBody(pem: string, label: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  const der = m === null ? undefined : bytesOfBase64(m[1]!);
  if (der === undefined || der.length === 0) throw new BundleError("bad_key", `expected a PEM block \`-----BEGIN ${label}-----\``);
  return der;
}

function pemOf(der: Uint8Array, label: string): string {
  const lines = base64Of(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function asKeyError(error: unknown, what: string): BundleError {
  if (error instanceof BundleError) return error;
  return new BundleError("bad_key", `${what} (${error instanceof Error ? error.message : String(error)})`);
}
