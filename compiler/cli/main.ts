/**
 * The `agp` command line: one commander program, one module per verb.
 *
 * In: argv (without node and script) and an io (streams, cwd).
 * Out: the exit code — 0 ok, 1 policy errors, 2 usage or I/O errors.
 * It never calls process.exit, so tests run it in-process; only bin/agp.js
 * touches the real process.
 */
import { Command, CommanderError } from "commander";
import { registerAnalyzeCommand } from "./commands/analyze.js";
import { registerAuditCommand } from "./commands/audit.js";
import { registerBundleCommand } from "./commands/bundle.js";
import { registerCheckCommand } from "./commands/check.js";
import { registerCompileCommand } from "./commands/compile.js";
import { registerDiffCommand } from "./commands/diff.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerFmtCommand } from "./commands/fmt.js";
import { registerInspectCommand } from "./commands/inspect.js";
import { registerKeygenCommand } from "./commands/keygen.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerLspCommand } from "./commands/lsp.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerTestCommand } from "./commands/test.js";
import { EXIT, processIo, terminalSafeIo, type CliIo } from "./io.js";
import { agpVersion } from "./version.js";

export async function main(argv: readonly string[], given: CliIo = processIo()): Promise<number> {
  // Every byte any verb (or commander) prints goes through the terminal guard.
  const io = terminalSafeIo(given);
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command("agp")
    .description("agp: a policy compiler for governing what AI agents may do")
    .version(agpVersion(), "-V, --version", "print agp's version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 policy errors, 2 usage or I/O errors.\nDocs: docs/language.md, docs/cli.md",
  );

  registerAnalyzeCommand(program, io, setExit);
  registerAuditCommand(program, io, setExit);
  registerBundleCommand(program, io, setExit);
  registerCheckCommand(program, io, setExit);
  registerCompileCommand(program, io, setExit);
  registerDiffCommand(program, io, setExit);
  registerEvalCommand(program, io, setExit);
  registerFmtCommand(program, io, setExit);
  registerInspectCommand(program, io, setExit);
  registerKeygenCommand(program, io, setExit);
  registerReplayCommand(program, io, setExit);
  registerLspCommand(program, io, setExit);
  registerSchemaCommand(program, io, setExit);
  registerServeCommand(program, io, setExit);
  registerTestCommand(program, io, setExit);

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr(`agp: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    io.stderr("agp: this is a bug in agp, not in your policy; please file an issue with the input that caused it\n");
    return EXIT.usage;
  }
  return exitCode;
}
