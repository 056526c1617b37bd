/**
 * The README's tour shows real output: the broken-policy example is run
 * through the CLI and compared with the text the README prints.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";

it("README's `agp check broken.agp` example is what agp prints", async () => {
  const readme = await readFile("README.md", "utf8");
  const shown = /\$ npx agp check broken\.agp\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(shown).toBeDefined();
  const dir = await mkdtemp(join(tmpdir(), "agp-readme-"));
  await writeFile(join(dir, "broken.agp"), "rule never_merge:\n  merge github.pull_request.merge\n", "utf8");
  const io = captureIo(dir);
  expect(await main(["check", "broken.agp"], io)).toBe(1);
  expect(io.err).toBe(shown);
});

it("README names the two commands and .ci/run runs the test one", async () => {
  const readme = await readFile("README.md", "utf8");
  const ci = await readFile(".ci/run", "utf8");
  expect(readme).toContain("npm ci && npm run demo");
  expect(readme).toContain("npm ci && npm test");
  expect(ci).toMatch(/^npm test\b/m);
});
