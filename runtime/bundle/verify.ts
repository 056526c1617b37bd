/**
 * Verifying and loading a signed bundle.
 *
 * In: bundle bytes (untrusted), the trusted public keys, the revoked key ids
 * and, when replacing a running bundle, its version. Out: the verified
 * metadata and module (`verifyBundle`), or a loaded engine (`loadBundle`).
 * Checks, in order: the file splits into module and signature; the envelope
 * reads; the key is not revoked; the key is trusted; the signature verifies
 * over the metadata; the module's SHA-256 is the signed one; the version is
 * SemVer and strictly greater than the running one; the module loads and its
 * manifest has the signed version and content hash.
 * Must not load a module before its signature and hash have been checked,
 * and must refuse with a `BundleError` saying which check failed.
 */
import { loadPolicy, type PolicyEngine } from "../index.js";
import { splitBundle } from "./container.js";
import { readEnvelope, signedMessage, type BundleMetadata } from "./envelope.js";
import { BundleError } from "./errors.js";
import type { TrustedKey } from "./keys.js";
import { compareVersions, parseVersion } from "./version.js";
import { ED25519, sha256Hex, subtle } from "./webcrypto.js";

/** Which keys may sign bundles. */
export interface BundleTrust {
  readonly keys: readonly TrustedKey[];
  /** Key ids that must never be accepted again, trusted or not. */
  readonly revoked?: readonly string[];
}

/** Options for `verifyBundle` / `loadBundle`. */
export interface VerifyOptions {
  readonly trust: BundleTrust;
  /**
   * The version of the bundle running now: the new one must be strictly
   * greater (SemVer precedence). A running version that is not SemVer (an
   * unsigned development module) sets no floor.
   */
  readonly running?: string;
}

/** A bundle whose signature, key and version passed. */
export interface VerifiedBundle {
  readonly metadata: BundleMetadata;
  /** The module bytes (without the signature section). */
  readonly module: Uint8Array;
}

/** A verified bundle, loaded. */
export interface LoadedBundle extends VerifiedBundle {
  readonly engine: PolicyEngine;
}

/** Verifies a bundle without loading its module. */
export async function verifyBundle(bytes: Uint8Array, options: VerifyOptions): Promise<VerifiedBundle> {
  const { module, envelope } = splitBundle(bytes);
  if (envelope === undefined) {
    throw new BundleError("unsigned", "the module is not signed (it has no `agp.signature` section); sign it with `agp bundle sign`, or load it with `loadPolicy` for development");
  }
  const { metadata, signature } = readEnvelope(envelope);
  if ((options.trust.revoked ?? []).includes(metadata.keyId)) {
    throw new BundleError("revoked_key", `the bundle is signed by key \`${metadata.keyId}\`, which is revoked`);
  }
  const key = options.trust.keys.find((k) => k.id === metadata.keyId);
  if (key === undefined) throw new BundleError("untrusted_key", `the bundle is signed by key \`${metadata.keyId}\`, which is not a trusted key`);
  if (!(await subtle().verify(ED25519, key.key, signature, signedMessage(metadata)))) {
    throw new BundleError("bad_signature", `the signature does not verify with key \`${metadata.keyId}\`: the metadata was changed after signing`);
  }
  const hash = `sha256:${await sha256Hex(module)}`;
  if (hash !== metadata.module) throw new BundleError("hash_mismatch", `the module is not the one that was signed (its SHA-256 is ${hash}, the signature covers ${metadata.module})`);
  const version = parseVersion(metadata.version);
  if (version === undefined) throw new BundleError("bad_version", `the bundle version \`${metadata.version}\` is not a SemVer 2.0.0 version`);
  const running = options.running === undefined ? undefined : parseVersion(options.running);
  if (running !== undefined && compareVersions(version, running) <= 0) {
    throw new BundleError("downgrade", `the bundle version ${metadata.version} is not newer than the running version ${options.running}`);
  }
  return { metadata, module };
}

/** Verifies a bundle, then loads its module. */
export async function loadBundle(bytes: Uint8Array, options: VerifyOptions): Promise<LoadedBundle> {
  const verified = await verifyBundle(bytes, options);
  let engine: PolicyEngine;
  try {
    engine = await loadPolicy(verified.module);
  } catch (error) {
    throw new BundleError("invalid_module", `the signed module does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { version, policy } = verified.metadata;
  if (engine.policy.version !== version || engine.policy.hash !== policy) {
    throw new BundleError("manifest_mismatch", `the signed metadata says version ${version}, hash ${policy}; the module's manifest says version ${engine.policy.version}, hash ${engine.policy.hash}`);
  }
  return { ...verified, engine };
}
