/**
 * docs/api.md's example is what `agp/compiler` does: the ```js block is run
 * by Node as a module inside this package (so `agp/compiler` resolves
 * through package.json's exports, as it does for a user), and what it prints
 * is compared with the ```text block after it. Needs `npm run build`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";

const dir = resolve("test/api", `.run-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("docs/api.md's example prints what the page shows", () => {
  const page = readFileSync("docs/api.md", "utf8");
  const example = /```js\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/.exec(page);
  expect(example, "docs/api.md has the example and its output").not.toBeNull();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "example.mjs"), example![1]!);
  const run = spawnSync(process.execPath, [join(dir, "example.mjs")], { encoding: "utf8", timeout: 120_000 });
  expect(run.stderr).toBe("");
  expect(run.stdout).toBe(example![2]);
  expect(run.status).toBe(0);
});
