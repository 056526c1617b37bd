/**
 * The `agp` command line: one commander program, one module per verb,
 * loaded only when its verb runs (compiler/cli/verbs.ts).
 *
 * In: argv (without node and script) and an io (streams, cwd).
 * Out: the exit code — 0 ok, 1 policy errors, 2 usage or I/O errors.
 * It never calls process.exit, so tests run it in-process; only bin/agp.js
 * touches the real process.
 */
import { Command, CommanderError, Help } from "commander";
import { EXIT, processIo, terminalSafeIo, type CliIo } from "./io.js";
import { VERBS, verbOf } from "./verbs.js";
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

  // Only the verb being run is loaded (binaryen, Z3 and the rest cost seconds);
  // the others are listed from the table, so help and suggestions still know them.
  const running = verbOf(argv);
  const terms = new Map<Command, string>();
  for (const verb of VERBS) {
    if (verb === running) (await verb.load())(program, io, setExit);
    else terms.set(program.command(verb.name).description(verb.summary), verb.term);
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (command) => terms.get(command) ?? help.subcommandTerm(command) });

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
