/**
 * The language server: the protocol wired to the workspace and the features.
 *
 * In: a connection's input and output streams (stdio for `agp lsp`). Out:
 * protocol messages — diagnostics published after every change (every code
 * of every stage, for every file of the policy set, catalogs included),
 * hover, completion, definitions, symbols, formatting, quick fixes for
 * did-you-mean, code lenses and the `agp.runTests` command.
 * Every change schedules one check of the document's policy set (its
 * directory); changes that arrive while a check runs are folded into the
 * next one, so the editor is never more than one check behind. Requests
 * that read the analysis (hover, definition, quick fix) wait for a pending
 * check; completion answers at once from the latest analysis.
 * Must not write to stdout (it is the protocol's channel) or throw out of a
 * handler: an internal error is logged and shown, never a dead server.
 */
import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Readable, Writable } from "node:stream";
import {
  CodeActionKind,
  createConnection,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic as LspDiagnostic,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { format } from "../format/index.js";
import { nodeFiles } from "../project/index.js";
import { parse } from "../syntax/index.js";
import { completeAt } from "./completion.js";
import { definitionAt } from "./definition.js";
import { lspDiagnostics } from "./diagnostics.js";
import { hoverAt } from "./hover.js";
import { offsetAt, rangeBetween, rangeOf } from "./positions.js";
import { quickFix } from "./quick-fix.js";
import { runFileTests } from "./run-tests.js";
import type { Snapshot } from "./snapshot.js";
import { outline } from "./symbols.js";
import { Workspace, type OpenDocument } from "./workspace.js";

/** The command that runs a file's tests: arguments `[uri]` or `[uri, testName]`. */
export const RUN_TESTS_COMMAND = "agp.runTests";

/** How to start a server. */
export interface ServerOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Reported to the client as the server's version. */
  readonly version: string;
}

/** Starts a language server on the streams; it runs until the client sends `exit`. */
export function startServer(options: ServerOptions): Connection {
  const connection = createConnection(ProposedFeatures.all, options.input, options.output);
  const documents = new TextDocuments(TextDocument);
  const disk = nodeFiles();
  const openFiles = (): Map<string, OpenDocument> => {
    const open = new Map<string, OpenDocument>();
    for (const document of documents.all()) {
      const file = filePath(document.uri);
      if (file !== undefined) open.set(file, { text: document.getText(), version: document.version });
    }
    return open;
  };
  const workspace = new Workspace(
    {
      files: disk,
      stamp: async (file) => {
        const info = await stat(file);
        return `${info.mtimeMs}:${info.size}`;
      },
    },
    openFiles,
  );

  const snapshots = new Map<string, Snapshot>();
  const published = new Map<string, Set<string>>();
  const testDiagnostics = new Map<string, LspDiagnostic[]>();
  const checkDiagnostics = new Map<string, LspDiagnostic[]>();
  const versions = new Map<string, number>();
  const pending = new Set<string>();
  let idle: Promise<void> = Promise.resolve();
  let running = false;

  // Notifications, not requests: nothing waits for the user to dismiss them.
  const show = (type: MessageType, message: string) => void connection.sendNotification(ShowMessageNotification.type, { type, message });
  const internal = (what: string, error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    connection.console.error(`agp: internal error while ${what}: ${detail}`);
    show(MessageType.Error, `agp: internal error while ${what} (this is a bug in agp; the log has details)`);
  };

  const publishFile = (file: string) => {
    const diagnostics = [...(checkDiagnostics.get(file) ?? []), ...(testDiagnostics.get(file) ?? [])];
    const version = versions.get(file);
    void connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics, ...(version === undefined ? {} : { version }) });
  };

  const analyze = async (root: string) => {
    const analysis = await workspace.analyze(root);
    const snapshot = analysis.snapshot;
    snapshots.set(root, snapshot);
    const byFile = lspDiagnostics(snapshot.diagnostics, (f) => snapshot.absolute(f), (f) => pathToFileURL(f).href);
    const files = new Set<string>([
      ...(published.get(root) ?? []),
      ...snapshot.result.parsed.map((p) => snapshot.absolute(p.file)),
      ...[...snapshot.result.sources.keys()].map((f) => snapshot.absolute(f)),
      ...byFile.keys(),
    ]);
    published.set(root, new Set([...byFile.keys(), ...snapshot.result.parsed.map((p) => snapshot.absolute(p.file))]));
    for (const [file, version] of analysis.versions) versions.set(file, version);
    for (const file of files) {
      checkDiagnostics.set(file, byFile.get(file) ?? []);
      publishFile(file);
    }
  };

  const drain = async () => {
    running = true;
    try {
      while (pending.size > 0) {
        const root = pending.values().next().value as string;
        pending.delete(root);
        try {
          await analyze(root);
        } catch (error) {
          internal(`checking ${root}`, error);
        }
      }
    } finally {
      running = false;
    }
  };

  const schedule = (root: string) => {
    pending.add(root);
    if (!running) idle = new Promise((resolve) => setImmediate(() => void drain().then(resolve)));
  };

  /** The snapshot of a document's policy set once every scheduled check of it is done. */
  const freshSnapshot = async (file: string): Promise<Snapshot | undefined> => {
    const root = dirname(file);
    if (!snapshots.has(root) && !pending.has(root)) schedule(root);
    while (pending.has(root) || running) await idle;
    return snapshots.get(root);
  };

  const changed = (uri: string) => {
    const file = filePath(uri);
    if (file === undefined) {
      const document = documents.get(uri);
      if (document === undefined) return;
      // Not a file on disk (an unsaved buffer): its syntax is all that can be checked.
      const byFile = lspDiagnostics(parse(document.getText(), uri).diagnostics, (f) => f, (f) => f);
      void connection.sendDiagnostics({ uri, diagnostics: byFile.get(uri) ?? [], version: document.version });
      return;
    }
    testDiagnostics.delete(file);
    if (file.endsWith(".json")) {
      workspace.forget(file);
      for (const [root, snapshot] of snapshots) if (snapshot.result.sources.has(snapshot.display(file))) schedule(root);
      return;
    }
    schedule(dirname(file));
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [".", "{"] },
      definitionProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      codeLensProvider: { resolveProvider: false },
      executeCommandProvider: { commands: [RUN_TESTS_COMMAND] },
    },
    serverInfo: { name: "agp", version: options.version },
  }));

  documents.onDidOpen((e) => changed(e.document.uri));
  documents.onDidChangeContent((e) => changed(e.document.uri));
  documents.onDidClose((e) => {
    const file = filePath(e.document.uri);
    if (file === undefined) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    else {
      versions.delete(file);
      schedule(dirname(file));
    }
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const change of e.changes) {
      const file = filePath(change.uri);
      if (file === undefined) continue;
      workspace.forget(file);
      if (file.endsWith(".json")) {
        for (const [root, snapshot] of snapshots) if (snapshot.result.sources.has(snapshot.display(file))) schedule(root);
      } else schedule(dirname(file));
    }
  });

  connection.onHover(async (params) => {
    try {
      const file = filePath(params.textDocument.uri);
      const snapshot = file === undefined ? undefined : await freshSnapshot(file);
      const text = file === undefined ? undefined : snapshot?.result.sources.get(snapshot.display(file));
      if (file === undefined || snapshot === undefined || text === undefined) return null;
      const hover = hoverAt(snapshot, file, offsetAt(text, params.position));
      return hover === undefined ? null : { contents: { kind: "markdown", value: hover.markdown }, range: rangeOf(hover.span) };
    } catch (error) {
      internal("hovering", error);
      return null;
    }
  });

  connection.onDefinition(async (params) => {
    try {
      const file = filePath(params.textDocument.uri);
      const snapshot = file === undefined ? undefined : await freshSnapshot(file);
      const text = file === undefined ? undefined : snapshot?.result.sources.get(snapshot.display(file));
      if (file === undefined || snapshot === undefined || text === undefined) return null;
      return definitionAt(snapshot, file, offsetAt(text, params.position)).map((p) => ({ uri: pathToFileURL(p.absolute).href, range: rangeOf(p.span) }));
    } catch (error) {
      internal("finding a definition", error);
      return null;
    }
  });

  connection.onCompletion((params) => {
    try {
      const document = documents.get(params.textDocument.uri);
      if (document === undefined) return [];
      const file = filePath(document.uri);
      const snapshot = file === undefined ? undefined : snapshots.get(dirname(file));
      const text = document.getText();
      const offset = document.offsetAt(params.position);
      const { entries, replaceFrom } = completeAt(text, offset, snapshot, file === undefined || snapshot === undefined ? undefined : snapshot.display(file));
      const range = rangeBetween(text, replaceFrom, offset);
      return entries.map((e, i) => ({
        label: e.label,
        kind: e.kind as 1,
        ...(e.detail === undefined ? {} : { detail: e.detail }),
        ...(e.documentation === undefined ? {} : { documentation: e.documentation }),
        sortText: `${e.rank}${String(i).padStart(5, "0")}`,
        textEdit: { range, newText: e.label },
      }));
    } catch (error) {
      internal("completing", error);
      return [];
    }
  });

  connection.onDocumentSymbol((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    const file = filePath(document.uri) ?? document.uri;
    return outline(workspace.parse(document.getText(), file).file).map((s) => ({
      name: s.name,
      detail: s.detail,
      kind: s.kind as 1,
      range: rangeOf(s.span),
      selectionRange: rangeOf(s.selection),
    }));
  });

  connection.onDocumentFormatting((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return null;
    try {
      const text = document.getText();
      const result = format(text, filePath(document.uri) ?? document.uri);
      if (!result.changed) return [];
      return [{ range: rangeBetween(text, 0, text.length), newText: result.text }];
    } catch (error) {
      internal("formatting", error);
      return null;
    }
  });

  connection.onCodeAction(async (params) => {
    try {
      const file = filePath(params.textDocument.uri);
      const snapshot = file === undefined ? undefined : await freshSnapshot(file);
      if (file === undefined || snapshot === undefined) return [];
      const display = snapshot.display(file);
      const text = snapshot.result.sources.get(display);
      if (text === undefined) return [];
      const start = offsetAt(text, params.range.start);
      const end = offsetAt(text, params.range.end);
      const actions: CodeAction[] = [];
      for (const d of snapshot.diagnostics) {
        if (d.span.file !== display || d.span.endOffset < start || d.span.offset > end) continue;
        const fix = quickFix(d, text);
        if (fix === undefined) continue;
        const lsp = lspDiagnostics([d], (f) => snapshot.absolute(f), (f) => pathToFileURL(f).href).get(file)?.[0];
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          isPreferred: true,
          ...(lsp === undefined ? {} : { diagnostics: [lsp] }),
          edit: { changes: { [params.textDocument.uri]: [{ range: rangeBetween(text, fix.start, fix.end), newText: fix.newText }] } },
        });
      }
      return actions;
    } catch (error) {
      internal("finding quick fixes", error);
      return [];
    }
  });

  connection.onCodeLens((params) => {
    const document = documents.get(params.textDocument.uri);
    const file = filePath(params.textDocument.uri);
    if (document === undefined || file === undefined) return [];
    const tests = workspace.parse(document.getText(), file).file.statements.filter((s) => s.kind === "Test");
    const lenses: CodeLens[] = [];
    tests.forEach((test, i) => {
      const range = rangeOf(test.span);
      const line = { start: range.start, end: range.start };
      if (i === 0) lenses.push({ range: line, command: { title: "▶ Run the tests of this file", command: RUN_TESTS_COMMAND, arguments: [params.textDocument.uri] } });
      lenses.push({ range: line, command: { title: "▶ Run test", command: RUN_TESTS_COMMAND, arguments: [params.textDocument.uri, test.kind === "Test" ? test.name.value : ""] } });
    });
    return lenses;
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command !== RUN_TESTS_COMMAND) return null;
    const [uri, test] = (params.arguments ?? []) as [unknown, unknown];
    const file = typeof uri === "string" ? filePath(uri) : undefined;
    if (file === undefined) {
      show(MessageType.Error, "agp: run tests needs the URI of a file on disk");
      return null;
    }
    try {
      const root = dirname(file);
      await freshSnapshot(file);
      const snapshot = snapshots.get(root);
      const display = snapshot?.display(file) ?? file;
      const run = await runFileTests(root, workspace.overlay(openFiles(), new Map()), display, typeof test === "string" ? test : undefined);
      const failures = run.failures.map((f) => ({
        range: { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.line - 1, character: f.column - 1 + 4 } },
        severity: 1 as const,
        source: "agp test",
        message: `test failed: ${f.name}\n${f.lines.map((l) => l.trim()).join("\n")}`,
      }));
      testDiagnostics.set(file, failures);
      publishFile(file);
      const summary = run.errors.length > 0 ? `agp test: the tests cannot run: ${run.errors.length} error${run.errors.length === 1 ? "" : "s"} in the policy set (see Problems)` : `agp test: ${run.passed} passed, ${run.failed} failed`;
      show(run.failed > 0 || run.errors.length > 0 ? MessageType.Error : MessageType.Info, summary);
      return { passed: run.passed, failed: run.failed, failures: run.failures.map((f) => f.name), errors: run.errors.length };
    } catch (error) {
      internal("running tests", error);
      return null;
    }
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

/** The absolute path of a `file:` URI; undefined for other schemes. */
function filePath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
