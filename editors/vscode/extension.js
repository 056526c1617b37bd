// The agp extension for VS Code: the .agp language (grammar, brackets,
// comments) and a client that starts `agp lsp` over stdio. Everything else
// — diagnostics, hover, completion, definitions, formatting, quick fixes,
// the "Run tests" code lenses and their `agp.runTests` command — comes from
// the server (docs/editors.md). Not published; see README.md to run it.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** Starts the language client when a .agp file is opened. */
function activate(context) {
  const command = vscode.workspace.getConfiguration("agp").get("server.command") || "agp";
  const serverOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: { shell: process.platform === "win32" },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "agp" },
      { scheme: "untitled", language: "agp" },
    ],
    // Catalogs and policies changed outside the editor are checked again.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{agp,json}") },
  };
  client = new LanguageClient("agp", "agp language server", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client === undefined ? undefined : client.stop();
}

module.exports = { activate, deactivate };
