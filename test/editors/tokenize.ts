/**
 * The TextMate grammar (editors/textmate/agp.tmLanguage.json) run by the
 * engine VS Code uses: vscode-textmate with the Oniguruma regex library
 * (vscode-oniguruma's wasm), so the scopes tested are the scopes editors show.
 *
 * In: a file's text. Out: the scopes of every character (the innermost last).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
export const GRAMMAR_PATH = join(import.meta.dirname, "..", "..", "editors", "textmate", "agp.tmLanguage.json");

let grammar: Promise<textmate.IGrammar> | undefined;

function loadGrammar(): Promise<textmate.IGrammar> {
  grammar ??= (async () => {
    await oniguruma.loadWASM(readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer as ArrayBuffer);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (text: string) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (scope: string) => (scope === "source.agp" ? textmate.parseRawGrammar(readFileSync(GRAMMAR_PATH, "utf8"), GRAMMAR_PATH) : null),
    });
    const loaded = await registry.loadGrammar("source.agp");
    if (loaded === null) throw new Error("the agp grammar did not load");
    return loaded;
  })();
  return grammar;
}

/** The scopes of each character of `text` (line breaks get `[]`). */
export async function scopesOf(text: string): Promise<string[][]> {
  const g = await loadGrammar();
  const out: string[][] = [];
  let stack = textmate.INITIAL;
  for (const line of text.split("\n")) {
    const result = g.tokenizeLine(line, stack);
    const scopes: string[][] = new Array(line.length);
    for (const token of result.tokens) for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++) scopes[i] = token.scopes;
    out.push(...scopes, []);
    stack = result.ruleStack;
  }
  out.pop();
  return out;
}
