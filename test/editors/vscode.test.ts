/**
 * The VS Code extension folder (editors/vscode/): its manifest names the
 * language, the grammar and an entry point that exist; its grammar is the
 * tested one (editors/textmate/), byte for byte; its entry point is valid
 * JavaScript that starts `agp lsp`; and the root package does not depend on
 * the language client (only the extension's own package.json does).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const EXT = join(ROOT, "editors", "vscode");
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("editors/vscode", () => {
  const manifest = json(join(EXT, "package.json"));

  it("contributes the agp language and its grammar, and files it names exist", () => {
    expect(manifest.contributes.languages[0]).toMatchObject({ id: "agp", extensions: [".agp"] });
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: "agp", scopeName: "source.agp" });
    for (const path of [manifest.main, manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration]) {
      expect(existsSync(join(EXT, path)), path).toBe(true);
    }
    expect(json(join(EXT, "language-configuration.json")).comments.lineComment).toBe("#");
    expect(manifest.activationEvents).toEqual(["onLanguage:agp"]);
  });

  it("ships exactly the tested grammar (run npm run sync-grammar in editors/vscode after changing it)", () => {
    expect(readFileSync(join(EXT, manifest.contributes.grammars[0].path), "utf8")).toBe(readFileSync(join(ROOT, "editors", "textmate", "agp.tmLanguage.json"), "utf8"));
  });

  it("starts `agp lsp` through vscode-languageclient, a dependency of the extension only", () => {
    execFileSync(process.execPath, ["--check", join(EXT, "extension.js")]);
    const source = readFileSync(join(EXT, "extension.js"), "utf8");
    expect(source).toContain('require("vscode-languageclient/node")');
    expect(source).toContain('args: ["lsp"]');
    expect(manifest.dependencies["vscode-languageclient"]).toBeDefined();
    const root = json(join(ROOT, "package.json"));
    expect({ ...root.dependencies, ...root.devDependencies }["vscode-languageclient"]).toBeUndefined();
  });
});
