/**
 * The code table, its documentation and its use stay in step: every code
 * has a section in docs/errors.md and is emitted somewhere in the compiler.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../compiler/diagnostics/index.js";

const codes = Object.keys(CODES);
const errorsDoc = readFileSync("docs/errors.md", "utf8");

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return path.endsWith(join("diagnostics", "codes")) ? [] : sources(path);
    return path.endsWith(".ts") ? [readFileSync(path, "utf8")] : [];
  });
}
const compilerText = sources("compiler").join("\n");

describe("diagnostic codes", () => {
  it("are all of the form AGPnnn", () => {
    for (const code of codes) expect(code).toMatch(/^AGP\d{3}$/);
  });

  it.each(codes)("%s is documented in docs/errors.md", (code) => {
    expect(errorsDoc).toContain(code);
  });

  it.each(codes)("%s is emitted by the compiler", (code) => {
    expect(compilerText).toContain(`"${code}"`);
  });

  it.each(codes)("%s has a message in the author's terms (lowercase, no final period)", (code) => {
    const message = CODES[code as keyof typeof CODES].message;
    expect(message).not.toMatch(/\.$/);
    expect(message[0]).toBe(message[0]!.toLowerCase());
  });
});
