/**
 * docs/errors.md's "AGP1xx — syntax errors" section is generated from the
 * golden fixtures (test/fixtures/syntax/_error_/), so every example in it is
 * one a test runs: the input, the exact rendered message, and the fix.
 * UPDATE_GOLDEN=1 rewrites the section (only the text between its markers).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../compiler/diagnostics/index.js";
import { fixtureDirs, read, UPDATE } from "./golden.js";

const DOC = "docs/errors.md";
const ROOT = "test/fixtures/syntax/_error_";
const START = "<!-- AGP1xx: generated from test/fixtures/syntax/_error_ by test/syntax/docs.test.ts -->";
const END = "<!-- AGP1xx: end -->";

function section(): string {
  const lines = [
    START,
    "## AGP1xx — syntax errors",
    "",
    "Reported by the parser (compiler/syntax) for every command that reads policies. One run reports",
    "every broken statement of a file, the first problem of each (see",
    "`docs/decisions/0001-syntax-error-recovery.md`). Every example below is a golden test in",
    "`test/fixtures/syntax/_error_/<code>-*/`.",
    "",
  ];
  const byCode = new Map<string, string[]>();
  for (const name of fixtureDirs(ROOT)) byCode.set(name.slice(0, 6), [...(byCode.get(name.slice(0, 6)) ?? []), name]);
  for (const [code, names] of [...byCode].sort()) {
    const entry = CODES[code as keyof typeof CODES];
    lines.push(`### ${code}: ${entry.title}`, "");
    for (const name of names) {
      const dir = join(ROOT, name);
      lines.push("```agp", shorten(read(dir, "input.agp").trimEnd()), "```", "");
      lines.push("```text", read(dir, "expected.diag.txt").trimEnd(), "```", "");
      lines.push(`Fix: ${read(dir, "fix.txt").trim()}`, "");
    }
  }
  lines.push(
    "### AGP199: syntax error",
    "",
    "The fallback for a grammar position that has no message of its own. No known input produces it",
    "(the fuzz tests in `test/syntax/fuzz.test.ts` check that); if you see it, please file an issue",
    "with the input.",
    "",
    END,
  );
  return lines.join("\n");
}

/** Very long example lines (AGP155 needs thousands of `not`s) are cut for the page. */
function shorten(text: string): string {
  return text
    .split("\n")
    .map((line) => (line.length > 200 ? `${line.slice(0, 100)} … (${String(line.length - 100)} more characters)` : line))
    .join("\n");
}

describe("docs/errors.md", () => {
  it("has the AGP1xx section generated from the golden fixtures (UPDATE_GOLDEN=1 rewrites it)", () => {
    const doc = readFileSync(DOC, "utf8");
    const fresh = section();
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    if (UPDATE) {
      const updated =
        start >= 0 && end > start
          ? doc.slice(0, start) + fresh + doc.slice(end + END.length)
          : doc.replace(/\n## /, `\n${fresh}\n\n## `);
      writeFileSync(DOC, updated);
    }
    const current = readFileSync(DOC, "utf8");
    expect(current.indexOf(START), "the AGP1xx section is missing: run with UPDATE_GOLDEN=1").toBeGreaterThanOrEqual(0);
    expect(current.slice(current.indexOf(START), current.indexOf(END) + END.length)).toBe(fresh);
  });
});
