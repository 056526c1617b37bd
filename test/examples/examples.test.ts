/**
 * Every example policy parses without errors and is already in canonical
 * format: the examples are what users copy, so they must be exemplary.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { format } from "../../compiler/format/index.js";
import { discoverPolicyFiles } from "../../compiler/project/index.js";
import { parse } from "../../compiler/syntax/index.js";

const { files } = await discoverPolicyFiles(["examples"], process.cwd());

describe("examples", () => {
  it("exist", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)("%s parses without errors", async (file) => {
    const result = parse(await readFile(file, "utf8"), file);
    expect(result.diagnostics).toEqual([]);
  });

  it.each(files)("%s is in canonical format", async (file) => {
    const text = await readFile(file, "utf8");
    expect(format(text, file).text).toBe(text);
  });
});
