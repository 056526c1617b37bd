/**
 * Compiled policy modules for bundle and serve tests: the governance
 * harness's policy (allow, approve, deny, limits) compiled to wasm at a
 * chosen version, plus key pairs.
 */
import { compilePolicy } from "../../compiler/compile/index.js";
import { generateKeyPair, importPrivateKey, importPublicKey, type SigningKey, type TrustedKey } from "../../runtime/bundle/index.js";
import { checkText } from "../compile/harness.js";
import { POLICY } from "../governance/harness.js";
import { CATALOGS } from "../interpret/harness.js";

const cache = new Map<string, Uint8Array>();

/** The policy compiled with this bundle version (and optionally another policy text). */
export function moduleBytes(version: string, source: string = POLICY): Uint8Array {
  const key = `${version}\n${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const { checked, catalogs } = checkText({ "policy.agp": source }, CATALOGS);
  const compiled = compilePolicy(checked, catalogs, { version }).compiled;
  if (compiled === undefined) throw new Error("the test policy does not compile");
  cache.set(key, compiled.wasm);
  return compiled.wasm;
}

/** A fresh key pair: PEM texts and imported keys. */
export async function keyPair(): Promise<{ id: string; privatePem: string; publicPem: string; signing: SigningKey; trusted: TrustedKey }> {
  const pem = await generateKeyPair();
  return { id: pem.id, privatePem: pem.privateKey, publicPem: pem.publicKey, signing: await importPrivateKey(pem.privateKey), trusted: await importPublicKey(pem.publicKey) };
}
