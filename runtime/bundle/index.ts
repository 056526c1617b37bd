/**
 * Signed policy bundles: the face of runtime/bundle.
 *
 * In: module bytes, Ed25519 keys (PEM or raw), trusted keys and revoked key
 * ids. Out: `signBundle`, `verifyBundle`, `loadBundle` (verify, then load
 * the engine), key helpers, the version order, and `BundleError`.
 * Browser- and worker-safe: WebCrypto only, no Node built-ins, nothing from
 * compiler/. File format and rules: docs/decisions/0016-signed-bundles.md.
 */
export { loadBundle, verifyBundle, type BundleTrust, type LoadedBundle, type VerifiedBundle, type VerifyOptions } from "./verify.js";
export { signBundle, type SignOptions } from "./sign.js";
export { generateKeyPair, importPrivateKey, importPublicKey, keyIdOf, type KeyPairPem, type SigningKey, type TrustedKey } from "./keys.js";
export { BUNDLE_FORMAT, readEnvelope, signedMessage, type BundleEnvelope, type BundleMetadata } from "./envelope.js";
export { SIGNATURE_SECTION, appendSignature, splitBundle, type BundleParts } from "./container.js";
export { compareVersions, parseVersion, type BundleVersion } from "./version.js";
export { BundleError, type BundleErrorCode } from "./errors.js";
