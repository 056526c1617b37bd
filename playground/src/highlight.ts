/**
 * Highlighting in the page: .agp with the TextMate grammar editors use
 * (editors/textmate/agp.tmLanguage.json, run by vscode-textmate and the
 * Oniguruma wasm, as in VS Code), JSON with a small tokenizer.
 *
 * In: a text. Out: one CSS class per character ("" for none), from the
 * innermost scope that has a colour. Must not touch the DOM.
 */
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";
import onigUrl from "vscode-oniguruma/release/onig.wasm?url";
import grammarJson from "../../editors/textmate/agp.tmLanguage.json?raw";

/** Scope prefixes → class, most specific first. */
const CLASSES: readonly (readonly [string, string])[] = [
  ["comment", "tok-comment"],
  ["constant.character.escape", "tok-escape"],
  ["invalid", "tok-invalid"],
  ["string", "tok-string"],
  ["constant.numeric", "tok-number"],
  ["constant.language", "tok-constant"],
  ["storage.type", "tok-storage"],
  ["keyword.control.effect", "tok-effect"],
  ["keyword.control", "tok-keyword"],
  ["keyword.operator", "tok-operator"],
  ["support.type.action", "tok-action"],
  ["entity.name", "tok-name"],
  ["variable.other.constant", "tok-name"],
  ["variable.language.request", "tok-request"],
  ["variable.other.property", "tok-property"],
  ["variable.parameter", "tok-placeholder"],
  ["punctuation", "tok-punctuation"],
];

function classOf(scopes: readonly string[]): string {
  for (let i = scopes.length - 1; i >= 0; i--) {
    for (const [prefix, cls] of CLASSES) if (scopes[i]!.startsWith(prefix)) return cls;
  }
  return "";
}

let grammar: Promise<textmate.IGrammar | null> | undefined;

/** Loads the grammar (once); resolves to null if the wasm cannot be loaded (the page then shows plain text). */
export function loadAgpGrammar(): Promise<textmate.IGrammar | null> {
  grammar ??= (async () => {
    try {
      await oniguruma.loadWASM(await (await fetch(onigUrl)).arrayBuffer());
      const registry = new textmate.Registry({
        onigLib: Promise.resolve({
          createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
          createOnigString: (text: string) => new oniguruma.OnigString(text),
        }),
        loadGrammar: async () => textmate.parseRawGrammar(grammarJson, "agp.tmLanguage.json"),
      });
      return await registry.loadGrammar("source.agp");
    } catch {
      return null;
    }
  })();
  return grammar;
}

/** Classes for each character of an .agp text (empty strings when the grammar is not loaded). */
export function agpClasses(text: string, loaded: textmate.IGrammar | null): string[] {
  if (loaded === null) return new Array<string>(text.length).fill("");
  const out: string[] = [];
  let stack = textmate.INITIAL;
  text.split("\n").forEach((line, index) => {
    if (index > 0) out.push("");
    const classes = new Array<string>(line.length).fill("");
    const result = loaded.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      const cls = classOf(token.scopes);
      for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++) classes[i] = cls;
    }
    out.push(...classes);
    stack = result.ruleStack;
  });
  return out;
}

/** Classes for each character of a JSON text: keys, strings, numbers, literals, punctuation. */
export function jsonClasses(text: string): string[] {
  const out = new Array<string>(text.length).fill("");
  const pattern = /("(?:[^"\\\n]|\\.)*"?)(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;
  for (const m of text.matchAll(pattern)) {
    const cls = m[1] !== undefined ? (m[2] !== undefined ? "tok-property" : "tok-string") : m[3] !== undefined ? "tok-number" : m[4] !== undefined ? "tok-constant" : "tok-punctuation";
    const length = m[1] !== undefined ? m[1].length : m[0].length;
    for (let i = m.index; i < m.index + length; i++) out[i] = cls;
  }
  return out;
}
