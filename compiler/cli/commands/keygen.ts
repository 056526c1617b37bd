/**
 * `agp keygen [--out <prefix>] [--force]`: a new Ed25519 key pair for
 * signing policy bundles.
 *
 * In: a path prefix. Out: `<prefix>.key` (PKCS#8 PEM, mode 0600: the
 * private key that `agp bundle sign --key` takes) and `<prefix>.pub` (SPKI
 * PEM: what `agp serve --trusted-key` and `agp bundle verify` take), and
 * the key id on stdout. Exit 0, or 2 when a file exists (without --force)
 * or cannot be written. The key generation is WebCrypto's
 * (runtime/bundle); this file only writes files.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { generateKeyPair } from "../../../runtime/bundle/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

/** Adds `agp keygen` to the program. */
export function registerKeygenCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("keygen")
    .description("make an Ed25519 key pair for signing policy bundles (<prefix>.key and <prefix>.pub)")
    .option("--out <prefix>", "where to write: <prefix>.key (private) and <prefix>.pub (public)", "agp-signing")
    .option("--force", "overwrite existing files")
    .action(async (flags: { out: string; force?: boolean }) => {
      const pair = await generateKeyPair();
      const privatePath = `${flags.out}.key`;
      const publicPath = `${flags.out}.pub`;
      const flag = flags.force === true ? "w" : "wx";
      for (const [path, text, mode] of [[privatePath, pair.privateKey, 0o600], [publicPath, pair.publicKey, 0o644]] as const) {
        try {
          await writeFile(resolve(io.cwd, path), text, { mode, flag });
        } catch (error) {
          const why = (error as { code?: string }).code === "EEXIST" ? "it exists; pass --force to overwrite it" : describeIoError(error);
          return setExit(usageError(io, `cannot write ${path}: ${why}`));
        }
      }
      io.stdout(`wrote ${privatePath} (private: keep it secret) and ${publicPath} (public); key id ${pair.id}\n`);
      setExit(EXIT.ok);
    });
}
