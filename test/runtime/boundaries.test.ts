/**
 * The runtime stays loadable in browsers, workers and edge runtimes: the
 * import graph of runtime/index.ts holds nothing but its own files (no compiler, no Node
 * built-ins, no packages), it generates no code at run time, and what a
 * gateway imports bundles small (goal: under 44 KB minified before the
 * one-pass intake and session rules; see the budget below).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/g;
/** Source without comments (headers may well say "no `new Function`"). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

/** Every file on runtime/index.ts's import path (other entry points, e.g. Node-only stores, may import more). */
function importPath(entry: string): { file: string; text: string; specifiers: string[] }[] {
  const seen = new Map<string, { file: string; text: string; specifiers: string[] }>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    const specifiers = [...code(text).matchAll(IMPORT)].map((m) => m[1]!);
    seen.set(file, { file, text, specifiers });
    for (const s of specifiers) if (s.startsWith(".") && s.endsWith(".js")) visit(join(dirname(file), s.replace(/\.js$/, ".ts")));
  };
  visit(entry);
  return [...seen.values()];
}

const sources = importPath("runtime/index.ts");

describe("runtime boundaries", () => {
  it("imports only its own files, by relative path with a .js suffix", () => {
    expect(sources.length).toBeGreaterThan(10);
    expect(sources.filter((s) => !s.file.startsWith("runtime/")).map((s) => s.file)).toEqual([]);
    const bad = sources.flatMap(({ file, specifiers }) =>
      specifiers
        .filter((specifier) => !(specifier.startsWith("./") || specifier.startsWith("../")) || !specifier.endsWith(".js"))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(bad).toEqual([]);
  });

  it("generates no code at run time and uses no Node globals", () => {
    const bad = sources.filter(({ text }) => /\bnew Function\b|\beval\(|\brequire\(|\bprocess\.|\bBuffer\b|\bimport\(/.test(code(text))).map((s) => s.file);
    expect(bad).toEqual([]);
  });

  // 30 KB until issue 11: reading the input once (encode/snapshot.ts, about 2 KB; ADR 0008), comparing approver
  // ids by identity key (ADR 0013, about 190 bytes) and enforcing every catalog keyword (minLength, pattern
  // automata, uniqueItems, property counts, dependentRequired, additionalProperties schemas, exclusive oneOf;
  // ADR 0010, about 5 KB). 44 KB with issue 15: matching approvers to quorums so that two groups mean two
  // people, and the requester's confirmation (runtime/approval-quorums.ts, about 1.8 KB; ADR 0030), kill
  // switches scoped to an env or an action pattern, compared by identity key (runtime/kill-scope.ts, about
  // 1.7 KB; ADR 0031), and `state.rates` (about 0.6 KB). 56 KB since issue 19 (measured 53.0 KB): the one-pass intake
  // (encode/intake.ts, readers.ts, needs.ts, view.ts; ADR 0036) reads, counts, validates, encodes and
  // captures each request value in one visit, about 9 KB more than the separate copy, checks and encoders
  // it replaced, for a decision on the 1 KB platform request 1.6x to 3.6x faster (provisional,
  // docs/performance.md "The decision path"). 64 KB since issue 14 joined them: the session rules' host side
  // (runtime/session.ts, the engine's `record`, `outcome` and session loading, the result's fault; ADR 0024)
  // adds about 9 KB (61.8 KB measured at the merge). They are methods of the engine, so a gateway without
  // session rules still carries them. 68 KB since the compact manifest (ABI 4, ADR 0044): unpacking the
  // rule table and a manifest check that builds no path strings unless a field is wrong add about 3 KB
  // (66.4 KB measured, 63.3 KB before), for a manifest 4-5x smaller at 1,000 rules and read 2-5x faster.
  // 72 KB since rules are decoded on first use (ADR 0050): the lazy rule table, the prepared-rule table and
  // the engine's frozen-on-first-read manifest (70.3 KB measured), for a fresh load that builds no rule.
  it("a gateway's bundle (loadPolicy, decide), minified, is under 72 KB with no imports left", async () => {
    let rolldown: { build(options: object): Promise<{ output: { code?: string }[] }> };
    try {
      rolldown = (await import("rolldown")) as unknown as typeof rolldown;
    } catch {
      return; // the bundler comes with vitest; without it there is nothing to measure
    }
    // What a gateway imports for the JS fast path; other faces (the JSON decider) are tree-shaken away.
    const entry = join(mkdtempSync(join(tmpdir(), "agp-runtime-")), "entry.ts");
    writeFileSync(entry, `export { loadPolicy, loadPolicySync, PolicyLoadError } from ${JSON.stringify(resolve("runtime/index.ts"))};\n`);
    const result = await rolldown.build({ input: entry, platform: "browser", write: false, output: { format: "esm", minify: true } });
    const bundle = result.output[0]?.code ?? "";
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/\bimport\s*[{*"']|\brequire\(/);
    expect(bundle.length).toBeLessThan(72 * 1024);
  });
});
