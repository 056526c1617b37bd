/**
 * Why a bundle was refused, as data: a code a program can branch on and a
 * message a person can act on.
 *
 * In: nothing. Out: `BundleError` and its codes. Must not import anything.
 */

/** What was wrong with a bundle. */
export type BundleErrorCode =
  /** No `agp.signature` section: a plain module (load it with `loadPolicy` for development). */
  | "unsigned"
  /** Not a WebAssembly module, or a signature section that cannot be read. */
  | "malformed"
  /** Signed by a key that is not among the trusted keys. */
  | "untrusted_key"
  /** Signed by a key on the revocation list. */
  | "revoked_key"
  /** The signature does not verify: the metadata was changed, or it was signed with another key. */
  | "bad_signature"
  /** The module bytes are not the ones that were signed. */
  | "hash_mismatch"
  /** The version is not strictly greater than the one running. */
  | "downgrade"
  /** The version is not a SemVer 2.0.0 version. */
  | "bad_version"
  /** The signed metadata names another policy hash or version than the module's manifest. */
  | "manifest_mismatch"
  /** The module itself does not load (see `PolicyLoadError`). */
  | "invalid_module"
  /** A key file that is not an Ed25519 key. */
  | "bad_key";

/** A bundle (or a key) that was refused. */
export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "BundleError";
  }
}
