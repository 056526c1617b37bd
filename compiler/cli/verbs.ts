/**
 * The table of `agp`'s verbs: each verb's name, the line `agp --help` shows
 * for it, and how to load the module that registers it.
 *
 * In: nothing. Out: `VERBS`, in help order. `main` loads only the module of
 * the verb being run (so `agp --version` and `agp fmt` never load binaryen,
 * Z3 or the language server library) and shows the others from this table.
 * Must not import any command module statically: that is the point of it.
 * test/cli/verbs.test.ts registers every real module and fails when this
 * table's `summary` or `term` drifts from what the module declares, or when a
 * module under commands/ is missing here.
 */
import type { Command } from "commander";
import type { CliIo } from "./io.js";

/** Adds one verb (and its subcommands) to the program. */
export type RegisterVerb = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** One verb of the CLI. */
export interface Verb {
  readonly name: string;
  /** The description the verb registers (`agp --help` shows it). */
  readonly summary: string;
  /** What `agp --help` shows before the summary: commander's `subcommandTerm` of the real command. */
  readonly term: string;
  /** The module that registers the verb, loaded only when the verb runs. */
  readonly load: () => Promise<RegisterVerb>;
}

/** Every verb, in the order `agp --help` lists them. */
export const VERBS: readonly Verb[] = [
  {
    name: "analyze",
    summary: "prove what a policy set can never do: dead, shadowed and redundant rules, actions always denied, limits never charged",
    term: "analyze [options] <paths...>",
    load: async () => (await import("./commands/analyze.js")).registerAnalyzeCommand,
  },
  {
    name: "audit",
    summary: "verify and query a governance audit log (JSONL, hash-chained)",
    term: "audit",
    load: async () => (await import("./commands/audit.js")).registerAuditCommand,
  },
  {
    name: "bundle",
    summary: "sign and verify policy bundles (Ed25519)",
    term: "bundle",
    load: async () => (await import("./commands/bundle.js")).registerBundleCommand,
  },
  {
    name: "check",
    summary: "parse and type-check policies against their action catalogs",
    term: "check [options] [paths...]",
    load: async () => (await import("./commands/check.js")).registerCheckCommand,
  },
  {
    name: "compile",
    summary: "compile policies into a .wasm policy module",
    term: "compile [options] [paths...]",
    load: async () => (await import("./commands/compile.js")).registerCompileCommand,
  },
  {
    name: "diff",
    summary: "compare two policy sets: per action, does the change widen, narrow, or keep what agents may do?",
    term: "diff [options] [sides...]",
    load: async () => (await import("./commands/diff.js")).registerDiffCommand,
  },
  {
    name: "eval",
    summary: "decide requests with a compiled policy module (.wasm), optionally explaining why from the sources",
    term: "eval [options]",
    load: async () => (await import("./commands/eval.js")).registerEvalCommand,
  },
  {
    name: "fmt",
    summary: "format policies in the canonical layout (prints to stdout unless --check, --diff or --write)",
    term: "fmt [options] [paths...]",
    load: async () => (await import("./commands/fmt.js")).registerFmtCommand,
  },
  {
    name: "init",
    summary: "start a policy project here: agp.json, an example policy, its catalog and its tests",
    term: "init [options] [directory]",
    load: async () => (await import("./commands/init.js")).registerInitCommand,
  },
  {
    name: "inspect",
    summary: "show what a compiled policy module holds, or (--ir) the IR policies lower to",
    term: "inspect [options] <paths...>",
    load: async () => (await import("./commands/inspect.js")).registerInspectCommand,
  },
  {
    name: "keygen",
    summary: "make an Ed25519 key pair for signing policy bundles (<prefix>.key and <prefix>.pub)",
    term: "keygen [options]",
    load: async () => (await import("./commands/keygen.js")).registerKeygenCommand,
  },
  {
    name: "replay",
    summary: "decide recorded requests with a candidate policy and list every decision that changes",
    term: "replay [options]",
    load: async () => (await import("./commands/replay.js")).registerReplayCommand,
  },
  {
    name: "lsp",
    summary: "run the language server on stdin/stdout (for editors; see docs/editors.md)",
    term: "lsp [options]",
    load: async () => (await import("./commands/lsp.js")).registerLspCommand,
  },
  {
    name: "schema",
    summary: "work with action catalogs (JSON Schema)",
    term: "schema",
    load: async () => (await import("./commands/schema.js")).registerSchemaCommand,
  },
  {
    name: "serve",
    summary: "run the governance gateway as an HTTP decision service (agp's API and OpenID AuthZEN 1.0)",
    term: "serve [options]",
    load: async () => (await import("./commands/serve.js")).registerServeCommand,
  },
  {
    name: "test",
    summary: "run the test cases of policies (test files next to them) and report coverage",
    term: "test [options] [paths...]",
    load: async () => (await import("./commands/test.js")).registerTestCommand,
  },
];

/**
 * The verb argv runs, if any: the first word that is not an option
 * (`agp help <verb>` runs `<verb> --help`). Undefined for `agp`,
 * `agp --help`, `agp --version` and words that are not verbs. The program
 * itself has no option that takes a value, so the first word is the verb.
 */
export function verbOf(argv: readonly string[]): Verb | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return VERBS.find((v) => v.name === name);
}
