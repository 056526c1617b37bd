/** docs/testing.md shows real output: its failure and coverage examples are the goldens' text. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const doc = readFileSync("docs/testing.md", "utf8");
const golden = (name: string) => readFileSync(`test/fixtures/testing/expected/${name}`, "utf8");

describe("docs/testing.md", () => {
  it("shows a failure block exactly as agp test prints it", () => {
    const block = golden("failing.pretty.txt").split("\n\n")[1]!;
    expect(doc).toContain(`\`\`\`text\n${block}\n\`\`\``);
  });

  it("shows the not-covered list exactly as agp test --coverage prints it", () => {
    const tail = golden("passing.coverage.txt").split("\n\n").slice(1).join("\n\n").trimEnd();
    expect(doc).toContain(tail);
  });

  it("documents every option of agp test", () => {
    const source = readFileSync("compiler/cli/commands/test.ts", "utf8");
    const options = [...source.matchAll(/\.option\("(--[a-z-]+)/g)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(8);
    const cli = readFileSync("docs/cli.md", "utf8");
    for (const option of options) {
      expect(doc).toContain(`\`${option}`);
      expect(cli).toContain(`\`${option}`);
    }
  });
});
