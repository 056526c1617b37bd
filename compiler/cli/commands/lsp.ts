/**
 * `agp lsp`: the language server, speaking the Language Server Protocol
 * over stdin and stdout (compiler/lsp), for editors (docs/editors.md).
 *
 * `--stdio` is accepted and changes nothing: it is what editors' language
 * clients pass. The command runs until the client sends `exit`; the protocol
 * library then ends the process (0 after a `shutdown`, else 1), which is the
 * one place agp's CLI leaves the process to a library.
 * Must not write anything but protocol messages to stdout.
 */
import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { agpVersion } from "../version.js";

export function registerLspCommand(program: Command, _io: CliIo, _setExit: (code: number) => void): void {
  program
    .command("lsp")
    .description("run the language server on stdin/stdout (for editors; see docs/editors.md)")
    .option("--stdio", "talk over stdin and stdout (the default and only transport)")
    .action(async () => {
      // Loaded here, not at the top: the other verbs should not pay for the protocol library.
      const { startServer } = await import("../../lsp/index.js");
      const connection = startServer({ input: process.stdin, output: process.stdout, version: agpVersion() });
      // Until the client says `exit` (the library ends the process then) or closes the pipe.
      await new Promise<void>((resolve) => connection.onExit(resolve));
    });
}
