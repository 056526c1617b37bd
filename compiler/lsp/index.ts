/**
 * Public face of compiler/lsp: the language server behind `agp lsp`, built
 * on the compiler's own stages (syntax, check, catalog, format, testing).
 *
 * - `startServer({ input, output, version })`: the server on a pair of
 *   streams (server.ts); `RUN_TESTS_COMMAND` is its test-running command.
 * - The features as plain functions over a `Snapshot` of a policy set
 *   (hover, definition, completion, outline, quick fixes), and the
 *   `Workspace` that makes snapshots with open documents over the disk,
 *   for tests and benchmarks that do not speak the protocol.
 * Other stages import compiler/lsp only through this file. Node only (it
 * reads the disk and speaks over streams); the features themselves import
 * no Node built-ins.
 */
export { startServer, RUN_TESTS_COMMAND, type ServerOptions } from "./server.js";
export { Workspace, type Analysis, type Disk, type OpenDocument } from "./workspace.js";
export { Snapshot } from "./snapshot.js";
export { hoverAt, type HoverResult } from "./hover.js";
export { definitionAt, type Place } from "./definition.js";
export { completeAt, type CompletionEntry, type Completions } from "./completion.js";
export { outline, type OutlineSymbol } from "./symbols.js";
export { quickFix, suggestionOf, type OffsetEdit } from "./quick-fix.js";
export { lspDiagnostics } from "./diagnostics.js";
export { runFileTests, type TestRun, type FailedCase } from "./run-tests.js";
