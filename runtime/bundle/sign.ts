/**
 * Signing a policy module into a bundle.
 *
 * In: module bytes (a plain module, or a bundle to sign again) and a signing
 * key. Out: the bundle: the module with an `agp.signature` section whose
 * metadata takes the version and content hash from the module's own
 * manifest. Must not sign a module that does not load, nor one whose version
 * is not SemVer (downgrade protection orders versions).
 */
import { loadPolicy } from "../index.js";
import { appendSignature, splitBundle } from "./container.js";
import { BUNDLE_FORMAT, signedMessage, type BundleEnvelope, type BundleMetadata } from "./envelope.js";
import { BundleError } from "./errors.js";
import type { SigningKey } from "./keys.js";
import { parseVersion } from "./version.js";
import { ED25519, base64Of, sha256Hex, subtle } from "./webcrypto.js";

/** Options for `signBundle`. */
export interface SignOptions {
  /** The signing time recorded (default: now). */
  readonly created?: Date;
}

/** Signs `bytes` with `key`; returns the bundle and what it says. */
export async function signBundle(bytes: Uint8Array, key: SigningKey, options: SignOptions = {}): Promise<{ readonly bundle: Uint8Array; readonly metadata: BundleMetadata }> {
  const { module } = splitBundle(bytes);
  let policy: { hash: string; version: string };
  try {
    policy = (await loadPolicy(module)).policy;
  } catch (error) {
    throw new BundleError("invalid_module", `the module does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parseVersion(policy.version) === undefined) {
    throw new BundleError("bad_version", `the module's version \`${policy.version}\` is not a SemVer 2.0.0 version; compile it with \`--bundle-version 1.0.0\``);
  }
  const metadata: BundleMetadata = {
    version: policy.version,
    module: `sha256:${await sha256Hex(module)}`,
    policy: policy.hash,
    created: (options.created ?? new Date()).toISOString(),
    keyId: key.id,
  };
  const signature = new Uint8Array(await subtle().sign(ED25519, key.key, signedMessage(metadata)));
  const envelope: BundleEnvelope = { format: BUNDLE_FORMAT, metadata, signature: base64Of(signature) };
  return { bundle: appendSignature(module, JSON.stringify(envelope)), metadata };
}
