/**
 * `agp bundle sign` and `agp bundle verify`: Ed25519-signed policy bundles.
 *
 * - `sign <module> --key <private.pem> [-o <out>]`: writes the bundle (the
 *   module with an `agp.signature` section; in place by default, through a
 *   temporary file and a rename so a watching `agp serve` never reads half
 *   a file). Exit 0, or 2 (unreadable files, a bad key, a module that does
 *   not load or whose version is not SemVer).
 * - `verify <bundle> --trusted-key <public.pem>… [--revoked <key id>…]
 *   [--running <version>] [--format text|json]`: exit 0 verified and
 *   loaded, 1 refused (one line saying why), 2 usage.
 * The work is runtime/bundle's (signBundle, loadBundle); this file reads
 * files, prints and sets the exit code. Format: docs/decisions/0016.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { BundleError, importPrivateKey, importPublicKey, loadBundle, signBundle, type TrustedKey } from "../../../runtime/bundle/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds `agp bundle sign` and `agp bundle verify`. */
export function registerBundleCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const bundle = program.command("bundle").description("sign and verify policy bundles (Ed25519)");
  bundle
    .command("sign")
    .description("sign a compiled policy module: its bytes, version, content hash, signing time and key id")
    .argument("<module>", "the compiled policy module (.wasm), or a bundle to sign again")
    .requiredOption("--key <file>", "the Ed25519 private key (PEM, from `agp keygen`)")
    .option("-o, --output <file>", "where to write the bundle (default: in place)")
    .action(async (module: string, flags: { key: string; output?: string }) => {
      const bytes = await readBytes(io, module);
      const keyText = bytes === undefined ? undefined : await readText(io, flags.key);
      if (bytes === undefined || keyText === undefined) return setExit(EXIT.usage);
      try {
        const key = await importPrivateKey(keyText);
        const { bundle: signed, metadata } = await signBundle(bytes, key);
        const output = resolve(io.cwd, flags.output ?? module);
        const temporary = `${output}.${process.pid}.tmp`;
        await writeFile(temporary, signed);
        await rename(temporary, output);
        io.stdout(`signed ${flags.output ?? module}: version ${metadata.version}, key ${metadata.keyId}, module ${metadata.module.slice(0, 19)}…\n`);
        setExit(EXIT.ok);
      } catch (error) {
        setExit(usageError(io, `cannot sign ${module}: ${error instanceof Error ? error.message : describeIoError(error)}`));
      }
    });
  bundle
    .command("verify")
    .description("check a bundle's signature, key, version and module; exit 1 when refused")
    .argument("<bundle>", "the signed bundle")
    .option("--trusted-key <file>", "a trusted public key (PEM); repeat for several", collect, [])
    .option("--revoked <keyId>", "a revoked key id; repeat for several", collect, [])
    .option("--running <version>", "the version running now: the bundle must be newer")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (file: string, flags: { trustedKey: string[]; revoked: string[]; running?: string; format: string }) => {
      if (flags.format !== "text" && flags.format !== "json") return setExit(usageError(io, `unknown format \`${flags.format}\`; use text or json`));
      if (flags.trustedKey.length === 0) return setExit(usageError(io, "name at least one --trusted-key"));
      const keys: TrustedKey[] = [];
      for (const path of flags.trustedKey) {
        const text = await readText(io, path);
        if (text === undefined) return setExit(EXIT.usage);
        try {
          keys.push(await importPublicKey(text));
        } catch (error) {
          return setExit(usageError(io, `${path}: ${error instanceof Error ? error.message : String(error)}`));
        }
      }
      const bytes = await readBytes(io, file);
      if (bytes === undefined) return setExit(EXIT.usage);
      try {
        const loaded = await loadBundle(bytes, { trust: { keys, revoked: flags.revoked }, ...(flags.running === undefined ? {} : { running: flags.running }) });
        const m = loaded.metadata;
        if (flags.format === "json") io.stdout(`${JSON.stringify({ file, ok: true, metadata: m }, null, 2)}\n`);
        else io.stdout(`${file}: verified: version ${m.version}, key ${m.keyId}, signed ${m.created}, module ${m.module}, policy ${m.policy}\n`);
        setExit(EXIT.ok);
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        if (flags.format === "json") io.stdout(`${JSON.stringify({ file, ok: false, code: error.code, message: error.message }, null, 2)}\n`);
        else io.stdout(`${file}: refused (${error.code}): ${error.message}\n`);
        setExit(EXIT.policyErrors);
      }
    });
}

async function readBytes(io: CliIo, path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(resolve(io.cwd, path)));
  } catch (error) {
    usageError(io, `cannot read ${path}: ${describeIoError(error)}`);
    return undefined;
  }
}

async function readText(io: CliIo, path: string): Promise<string | undefined> {
  const bytes = await readBytes(io, path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}
