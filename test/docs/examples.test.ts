/**
 * The documented commands are what agp does: every `$ agp …` line of the
 * ```console blocks in README.md and docs/*.md is run, in document order, in
 * a scratch copy of examples/ (with the files the document shows written
 * first, see doc-examples.ts), and its output compared with the output the
 * document shows, placeholders (hashes, sizes, key ids) and `…` aside. A
 * command the test cannot run (a server, a shell pipeline, a git revision)
 * is listed in NOT_RUN with why; any other command, new ones included, is
 * run, so a drifted example fails CI.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { docSteps, matchesDocumented, shellWords, withoutSummary, type DocCommand, type DocStep } from "./doc-examples.js";

const DOCUMENTS = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Commands not run, by document and the command's start, and why. */
const NOT_RUN: readonly (readonly [string, string, string])[] = [
  ["README.md", "npx agp serve", "starts a server that runs until stopped (test/serve runs it)"],
  ["README.md", "npx agp keygen", "a shell `&&` chain writing random keys (test/bundle signs and verifies)"],
  ["README.md", "curl", "needs the server above"],
  ["docs/cli.md", "agp bundle sign", "needs a private key made by `agp keygen` (random; test/bundle)"],
  ["docs/cli.md", "agp serve", "starts a server that runs until stopped (test/serve)"],
  ["docs/cli.md", "agp diff main HEAD", "compares git revisions of a repository with a `policies` folder (test/analyze/diff)"],
  ["docs/catalogs.md", "agp schema import-mcp --command", "starts an MCP server from npm (test/catalog/mcp-servers.test.ts runs the official ones)"],
  ["docs/catalogs.md", "agp schema diff schemas/memory.json --command", "starts an MCP server from npm (test/catalog/mcp-servers.test.ts)"],
];

/** Documents whose examples stand alone: each section gets a fresh workspace. */
const SECTIONS_STAND_ALONE = new Set(["docs/errors.md"]);

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((w) => rmSync(w, { recursive: true, force: true })));

function notRun(document: string, command: string): string | undefined {
  return NOT_RUN.find(([doc, start]) => doc === document && command.startsWith(start))?.[2];
}

for (const document of DOCUMENTS) {
  const steps = docSteps(readFileSync(document, "utf8"));
  const commands = steps.filter((s): s is DocCommand => s.kind === "command");
  if (commands.length === 0) continue;

  describe(document, () => {
    /** One workspace per document, or per section where its examples stand alone. */
    const spaces = new Map<number, string>();
    const workspaceFor = (section: number): string => {
      let space = spaces.get(section);
      if (space === undefined) {
        space = mkdtempSync(join(tmpdir(), "agp-docs-"));
        workspaces.push(space);
        cpSync("examples", join(space, "examples"), { recursive: true });
        spaces.set(section, space);
      }
      return space;
    };
    let section = 0;
    const sectionOf = new Map<DocStep, number>();
    for (const step of steps) {
      if (step.kind === "heading" && SECTIONS_STAND_ALONE.has(document)) section++;
      sectionOf.set(step, section);
    }

    for (const [index, step] of steps.entries()) {
      if (step.kind !== "command") continue;
      const skip = notRun(document, step.text);
      it.skipIf(skip !== undefined)(`line ${step.line}: $ ${step.text}`, async () => {
        const workspace = workspaceFor(sectionOf.get(step)!);
        // The files the document showed before this command (in its section).
        for (const earlier of steps.slice(0, index)) {
          if (earlier.kind !== "file" || sectionOf.get(earlier) !== sectionOf.get(step)) continue;
          mkdirSync(dirname(join(workspace, earlier.path)), { recursive: true });
          writeFileSync(join(workspace, earlier.path), earlier.text);
        }
        const words = shellWords(step.text.replace(/^npx /, ""));
        expect(words, "a shell construct the test cannot run: list the command in NOT_RUN with why").toBeDefined();
        expect(words![0], "not an agp command: list it in NOT_RUN with why").toBe("agp");
        const io = captureIo(workspace);
        const code = await main(words!.slice(1), io);
        expect(code, io.err).toBeLessThanOrEqual(2);
        if (step.output === undefined) {
          // No output shown: the command succeeds (a chain of commands shows only the last one's output).
          expect(code, io.err).toBe(0);
          return;
        }
        const documented = step.output;
        const printed = [io.err + io.out, io.out + io.err].map((text) => (step.diagnosticsOnly === true ? withoutSummary(text) : text).replace(/\n+$/, "").split("\n"));
        const ok = printed.some((lines) => matchesDocumented(documented, lines));
        expect(ok ? documented.join("\n") : printed[0]!.join("\n"), `${document}:${step.line} shows other output than agp prints`).toBe(documented.join("\n"));
      });
    }
  });
}

describe("the comparison", () => {
  it("forgives only the declared placeholders and `…`, so a drifted example fails", () => {
    const documented = ["compiled 21 rules into a.wasm (65870 bytes, sha256 6ed0f7e9ed2d…, version 1.0.0)", "…", "2 findings on 9 actions"];
    expect(matchesDocumented(documented, ["compiled 21 rules into a.wasm (72998 bytes, sha256 7102afea1797…, version 1.0.0)", "x", "y", "2 findings on 9 actions"])).toBe(true);
    expect(matchesDocumented(documented, ["compiled 22 rules into a.wasm (72998 bytes, sha256 7102afea1797…, version 1.0.0)", "2 findings on 9 actions"])).toBe(false);
    expect(matchesDocumented(documented, ["compiled 21 rules into a.wasm (72998 bytes, sha256 7102afea1797…, version 1.0.1)", "2 findings on 9 actions"])).toBe(false);
    expect(matchesDocumented(documented, ["compiled 21 rules into a.wasm (72998 bytes, sha256 7102afea1797…, version 1.0.0)", "3 findings on 9 actions"])).toBe(false);
  });

  it("reads commands as a shell would, and refuses what only a shell can run", () => {
    expect(shellWords(`agp schema import-mcp --command "npx -y server" --family 'a b' x\\ y`)).toEqual(["agp", "schema", "import-mcp", "--command", "npx -y server", "--family", "a b", "x y"]);
    expect(shellWords("agp keygen && agp bundle sign")).toBeUndefined();
    expect(shellWords("agp fmt examples | head -1")).toBeUndefined();
    expect(shellWords('curl -d "$(cat x)"')).toBeUndefined();
  });
});
