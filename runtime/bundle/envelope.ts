/**
 * What a bundle's signature covers: the envelope format and the exact bytes
 * that are signed.
 *
 * In: metadata (version, module hash, policy hash, created time, key id).
 * Out: the signed message — `agp-bundle/1\n` followed by the RFC 8785
 * canonical JSON of the metadata — and a strict reader of the envelope.
 * The module bytes are covered through `metadata.module`, their SHA-256.
 * Must not accept an envelope with a missing or ill-typed field: it is
 * read before the signature is checked, so it is untrusted input.
 */
import { canonicalJson } from "../governance/digest.js";
import { BundleError } from "./errors.js";
import { bytesOfBase64 } from "./webcrypto.js";

/** The format tag, also the prefix of the signed message. */
export const BUNDLE_FORMAT = "agp-bundle/1";

/** What the signature says about the module. */
export interface BundleMetadata {
  /** The bundle version (SemVer 2.0.0), equal to the module manifest's `policy.version`. */
  readonly version: string;
  /** `sha256:<hex>` of the module bytes (the file without its signature section). */
  readonly module: string;
  /** The manifest's content hash (`policy.hash`). */
  readonly policy: string;
  /** When it was signed (ISO 8601, UTC). */
  readonly created: string;
  /** The id of the key that signed it. */
  readonly keyId: string;
}

/** The `agp.signature` section's JSON. */
export interface BundleEnvelope {
  readonly format: typeof BUNDLE_FORMAT;
  readonly metadata: BundleMetadata;
  /** Base64 of the 64-byte Ed25519 signature of `signedMessage(metadata)`. */
  readonly signature: string;
}

/** The bytes the key signs. */
export function signedMessage(metadata: BundleMetadata): Uint8Array {
  return new TextEncoder().encode(`${BUNDLE_FORMAT}\n${canonicalJson(metadata)}`);
}

/** Reads an envelope strictly; throws `malformed` with what is wrong. */
export function readEnvelope(text: string): { readonly metadata: BundleMetadata; readonly signature: Uint8Array } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BundleError("malformed", "the signature section is not JSON");
  }
  const e = record(value, "the signature section");
  if (e["format"] !== BUNDLE_FORMAT) throw new BundleError("malformed", `unknown bundle format \`${String(e["format"])}\`; this runtime reads ${BUNDLE_FORMAT}`);
  const m = record(e["metadata"], "`metadata`");
  const field = (name: keyof BundleMetadata, pattern: RegExp, what: string): string => {
    const v = m[name];
    if (typeof v !== "string" || !pattern.test(v)) throw new BundleError("malformed", `\`metadata.${name}\` must be ${what}`);
    return v;
  };
  const metadata: BundleMetadata = {
    version: field("version", /^.{1,256}$/, "a version string"),
    module: field("module", /^sha256:[0-9a-f]{64}$/, "`sha256:` and 64 hex digits"),
    policy: field("policy", /^.{1,256}$/, "the policy's content hash"),
    created: field("created", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, "an ISO 8601 UTC time"),
    keyId: field("keyId", /^[0-9a-f]{16}$/, "16 hex digits"),
  };
  const signature = typeof e["signature"] === "string" ? bytesOfBase64(e["signature"]) : undefined;
  if (signature === undefined || signature.length !== 64) throw new BundleError("malformed", "`signature` must be the base64 of a 64-byte Ed25519 signature");
  return { metadata, signature };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BundleError("malformed", `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
