/**
 * Signed bundles (runtime/bundle): sign → verify → load round trips, and
 * every refusal with its exact message: unsigned, malformed, untrusted key,
 * revoked key, edited metadata, swapped module, downgrade. A property test
 * flips bytes of a signed bundle: no flip ever verifies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../runtime/index.js";
import {
  BundleError,
  appendSignature,
  importPrivateKey,
  importPublicKey,
  loadBundle,
  signBundle,
  splitBundle,
  verifyBundle,
  type BundleTrust,
} from "../../runtime/bundle/index.js";
import { keyPair, moduleBytes } from "./harness.js";

const CREATED = new Date("2026-03-10T12:00:00Z");

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BundleError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("signing and loading", () => {
  it("a signed bundle verifies, loads, and is still a module any host loads", async () => {
    const keys = await keyPair();
    const { bundle, metadata } = await signBundle(moduleBytes("1.2.0"), keys.signing, { created: CREATED });
    expect(metadata).toMatchObject({ version: "1.2.0", created: "2026-03-10T12:00:00.000Z", keyId: keys.id });
    expect(metadata.module).toMatch(/^sha256:[0-9a-f]{64}$/);
    const loaded = await loadBundle(bundle, { trust: { keys: [keys.trusted] } });
    expect(loaded.metadata).toEqual(metadata);
    expect(loaded.engine.policy).toEqual({ version: "1.2.0", hash: metadata.policy });
    expect(loaded.module).toEqual(moduleBytes("1.2.0"));
    const plain = await loadPolicy(bundle);
    expect(plain.policy).toEqual(loaded.engine.policy);
  });

  it("signing a signed bundle again replaces its signature", async () => {
    const [a, b] = [await keyPair(), await keyPair()];
    const once = (await signBundle(moduleBytes("1.0.0"), a.signing)).bundle;
    const twice = (await signBundle(once, b.signing)).bundle;
    expect(splitBundle(twice).module).toEqual(moduleBytes("1.0.0"));
    expect((await verifyBundle(twice, { trust: { keys: [b.trusted] } })).metadata.keyId).toBe(b.id);
    expect(await refusal(verifyBundle(twice, { trust: { keys: [a.trusted] } }))).toEqual({ code: "untrusted_key", message: `the bundle is signed by key \`${b.id}\`, which is not a trusted key` });
  });

  it("keys: the private and the public half name the same key id; PEM and raw public keys import alike", async () => {
    const keys = await keyPair();
    expect(keys.signing.id).toBe(keys.trusted.id);
    expect(keys.id).toMatch(/^[0-9a-f]{16}$/);
    const der = Buffer.from(keys.publicPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    expect((await importPublicKey(new Uint8Array(der.subarray(der.length - 32)))).id).toBe(keys.id);
    expect(await refusal(importPublicKey("not a key"))).toEqual({ code: "bad_key", message: "expected a PEM block `-----BEGIN PUBLIC KEY-----`" });
    expect(await refusal(importPrivateKey(keys.publicPem))).toEqual({ code: "bad_key", message: "expected a PEM block `-----BEGIN PRIVATE KEY-----`" });
    expect(await refusal(importPublicKey(new Uint8Array(31)))).toEqual({ code: "bad_key", message: "a raw Ed25519 public key has 32 bytes, not 31" });
  });

  it("refuses to sign a module whose version is not SemVer", async () => {
    const keys = await keyPair();
    expect(await refusal(signBundle(moduleBytes("latest"), keys.signing))).toEqual({
      code: "bad_version",
      message: "the module's version `latest` is not a SemVer 2.0.0 version; compile it with `--bundle-version 1.0.0`",
    });
  });
});

describe("refusals", () => {
  it("an unsigned module", async () => {
    const keys = await keyPair();
    expect(await refusal(loadBundle(moduleBytes("1.0.0"), { trust: { keys: [keys.trusted] } }))).toEqual({
      code: "unsigned",
      message: "the module is not signed (it has no `agp.signature` section); sign it with `agp bundle sign`, or load it with `loadPolicy` for development",
    });
  });

  it("a revoked key, even when it is also trusted", async () => {
    const keys = await keyPair();
    const { bundle } = await signBundle(moduleBytes("1.0.0"), keys.signing);
    const trust: BundleTrust = { keys: [keys.trusted], revoked: [keys.id] };
    expect(await refusal(loadBundle(bundle, { trust }))).toEqual({ code: "revoked_key", message: `the bundle is signed by key \`${keys.id}\`, which is revoked` });
  });

  it("metadata edited after signing (a version bumped by hand)", async () => {
    const keys = await keyPair();
    const { bundle } = await signBundle(moduleBytes("1.0.0"), keys.signing);
    const { module, envelope } = splitBundle(bundle);
    const edited = appendSignature(module, envelope!.replace('"version":"1.0.0"', '"version":"9.0.0"'));
    expect(await refusal(loadBundle(edited, { trust: { keys: [keys.trusted] } }))).toEqual({
      code: "bad_signature",
      message: `the signature does not verify with key \`${keys.id}\`: the metadata was changed after signing`,
    });
  });

  it("another module under a valid signature", async () => {
    const keys = await keyPair();
    const { bundle } = await signBundle(moduleBytes("1.0.0"), keys.signing);
    const grafted = appendSignature(moduleBytes("2.0.0"), splitBundle(bundle).envelope!);
    const r = await refusal(loadBundle(grafted, { trust: { keys: [keys.trusted] } }));
    expect(r.code).toBe("hash_mismatch");
    expect(r.message).toMatch(/^the module is not the one that was signed \(its SHA-256 is sha256:[0-9a-f]{64}, the signature covers sha256:[0-9a-f]{64}\)$/);
  });

  it("a version not strictly greater than the running one (build metadata does not count)", async () => {
    const keys = await keyPair();
    const trust = { keys: [keys.trusted] };
    const bundle = async (v: string) => (await signBundle(moduleBytes(v), keys.signing)).bundle;
    expect(await refusal(loadBundle(await bundle("1.0.0"), { trust, running: "1.0.0" }))).toEqual({ code: "downgrade", message: "the bundle version 1.0.0 is not newer than the running version 1.0.0" });
    expect((await refusal(loadBundle(await bundle("0.9.9"), { trust, running: "1.0.0" }))).code).toBe("downgrade");
    expect((await refusal(loadBundle(await bundle("1.0.0+rebuild"), { trust, running: "1.0.0" }))).code).toBe("downgrade");
    expect((await refusal(loadBundle(await bundle("1.0.0-rc.1"), { trust, running: "1.0.0" }))).code).toBe("downgrade");
    expect((await loadBundle(await bundle("1.0.1"), { trust, running: "1.0.0" })).metadata.version).toBe("1.0.1");
    // A running development module with a non-SemVer version sets no floor.
    expect((await loadBundle(await bundle("0.0.1"), { trust, running: "dev" })).metadata.version).toBe("0.0.1");
  });

  it("malformed files: not wasm, a signature section that is not last, two of them, bad envelopes", async () => {
    const keys = await keyPair();
    const trust = { keys: [keys.trusted] };
    const { bundle } = await signBundle(moduleBytes("1.0.0"), keys.signing);
    const envelope = splitBundle(bundle).envelope!;
    expect(await refusal(loadBundle(new TextEncoder().encode("{}"), { trust }))).toEqual({ code: "malformed", message: "not a WebAssembly module (the file does not start with `\\0asm`)" });
    expect(await refusal(loadBundle(appendSignature(bundle, envelope), { trust }))).toEqual({ code: "malformed", message: "the bundle has two `agp.signature` sections" });
    const notLast = new Uint8Array([...bundle, 0, 3, 2, 0x61, 0x62]);
    expect(await refusal(loadBundle(notLast, { trust }))).toEqual({ code: "malformed", message: "the `agp.signature` section must be the last section of the bundle" });
    expect(await refusal(loadBundle(bundle.subarray(0, bundle.length - 3), { trust }))).toMatchObject({ code: "malformed" });
    const module = moduleBytes("1.0.0");
    const cases: [string, string][] = [
      ["nope", "the signature section is not JSON"],
      ["[]", "the signature section must be a JSON object"],
      ['{"format":"agp-bundle/2"}', "unknown bundle format `agp-bundle/2`; this runtime reads agp-bundle/1"],
      [envelope.replace(/"keyId":"[0-9a-f]+"/, '"keyId":"../../etc"'), "`metadata.keyId` must be 16 hex digits"],
      [envelope.replace(/"signature":"[^"]+"/, '"signature":"AAAA"'), "`signature` must be the base64 of a 64-byte Ed25519 signature"],
    ];
    for (const [text, message] of cases) expect(await refusal(loadBundle(appendSignature(module, text), { trust }))).toEqual({ code: "malformed", message });
  });
});

describe("property: a signed bundle with any byte changed never verifies", () => {
  it("flips one byte anywhere (fixed seed)", async () => {
    const keys = await keyPair();
    const { bundle } = await signBundle(moduleBytes("1.0.0"), keys.signing);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bundle.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const changed = bundle.slice();
        changed[at]! ^= xor;
        await expect(loadBundle(changed, { trust: { keys: [keys.trusted] } })).rejects.toBeInstanceOf(BundleError);
      }),
      { seed: 12, numRuns: 120 },
    );
  });
});
