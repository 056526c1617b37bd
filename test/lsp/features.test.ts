/**
 * The language server's features as plain functions (compiler/lsp), on the
 * examples and on arbitrary text: quick fixes land on the suggested name
 * whatever the diagnostic's span covers, and no text an editor can hold
 * makes completion, hover, definitions or the outline throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diagnostic } from "../../compiler/diagnostics/index.js";
import { completeAt, definitionAt, hoverAt, outline, quickFix, Workspace } from "../../compiler/lsp/index.js";
import { nodeFiles } from "../../compiler/project/index.js";
import { expectedAt, parse } from "../../compiler/syntax/index.js";

const span = (text: string, from: number, to: number) => ({ file: "f.agp", line: 1, column: from + 1, endLine: 1, endColumn: to + 1, offset: from, endOffset: to });

describe("quickFix", () => {
  const fix = (text: string, word: string, help: string) => {
    const from = text.indexOf(word);
    const d = diagnostic("AGP201", span(text, from, from + word.length), { path: word, owner: "x" }, { help });
    const edit = quickFix(d, text);
    return edit === undefined ? undefined : text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
  };

  it("writes the suggestion whether the span covers the whole path or its last field", () => {
    expect(fix("when args.repoo == 1", "args.repoo", "did you mean `args.repo`?")).toBe("when args.repo == 1");
    expect(fix("when args.repoo == 1", "repoo", "did you mean `args.repo`?")).toBe("when args.repo == 1");
    expect(fix("when args.repoo == 1", "args.repoo", "did you mean `repo`?")).toBe("when args.repo == 1");
    expect(fix("  alow github.*", "alow", "did you mean `allow`?")).toBe("  allow github.*");
    expect(fix('by 1 of group "infra-reviwers"', '"infra-reviwers"', "did you mean `infra-reviewers`?")).toBe('by 1 of group "infra-reviewers"');
  });

  it("offers nothing it cannot place", () => {
    expect(fix("when args.repoo == 1", "repoo", "did you mean `context.repo`?")).toBeUndefined();
    expect(fix("when args.x == (1)", "(1)", "did you mean `2`?")).toBeUndefined();
    expect(fix("when args.repoo == 1", "repoo", "the members are `a`, `b`")).toBeUndefined();
  });
});

describe("features on the examples", async () => {
  const workspace = new Workspace({ files: nodeFiles() }, () => new Map());
  const root = `${process.cwd()}/examples/platform`;
  const { snapshot } = await workspace.analyze(root);

  it("answer at every offset of every file without throwing", () => {
    for (const parsed of snapshot.result.parsed) {
      const absolute = snapshot.absolute(parsed.file);
      for (let offset = 0; offset <= parsed.text.length; offset += 3) {
        hoverAt(snapshot, absolute, offset);
        definitionAt(snapshot, absolute, offset);
      }
      for (let offset = 0; offset <= parsed.text.length; offset += 17) completeAt(parsed.text, offset, snapshot, parsed.file);
      expect(outline(parsed.ast).length).toBeGreaterThan(0);
    }
  });

  it("hover on a metadata read shows each action's value", () => {
    const parsed = snapshot.result.parsed.find((p) => p.file === "aws.agp")!;
    const offset = parsed.text.indexOf("action.costClass") + "action.cost".length;
    const hover = hoverAt(snapshot, snapshot.absolute(parsed.file), offset);
    expect(hover?.markdown).toMatch(/action\.costClass: one of low, medium, high/);
    expect(hover?.markdown).toMatch(/- `aws\.[a-z0-9_.]+`: "(low|medium|high)"/);
  });
});

describe("arbitrary text", () => {
  const alphabet = fc.constantFrom(..."rule allow deny when args.x == { } , \" # \n : . * $ and in all p 1 -".split(" "), " ", "\n", "é", "\u2028", "\"\\");
  const text = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(""));

  it("never makes completion, the grammar's assist or the outline throw", () => {
    fc.assert(
      fc.property(text, fc.nat(), (source, at) => {
        const offset = at % (source.length + 1);
        const expected = expectedAt(source, offset);
        expect(expected.wordStart).toBeLessThanOrEqual(offset);
        completeAt(source, offset, undefined, undefined);
        outline(parse(source, "f.agp").file);
      }),
      { seed: 1717, numRuns: 300 },
    );
  });
});
