/**
 * `--watch` (compiler/cli/watch.ts): a run, then another each time a file
 * the run read changes — a burst of changes gives one run, not several —
 * until stopped, when the last run's exit code is the answer and nothing
 * is left watching.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { watchAndRerun } from "../../compiler/cli/watch.js";

const dir = mkdtempSync(join(tmpdir(), "agp-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("runs again after a change to a file the run read, once per burst, and stops with the last exit code", async () => {
  const file = join(dir, "p.agp");
  writeFileSync(file, "ok");
  const io = captureIo(dir);
  const stop = new AbortController();
  const runs: number[] = [];
  let next: (() => void) | undefined;
  const ran = (): Promise<void> => new Promise((resolve) => (next = resolve));
  let first = ran();
  const done = watchAndRerun(
    io,
    async (watched) => {
      watched(["p.agp"]);
      return readFileSync(file, "utf8") === "ok" ? 0 : 1;
    },
    { signal: stop.signal, settleMs: 300, onRun: (_n, exit) => (runs.push(exit), next?.()) },
  );
  await first;
  expect(runs).toEqual([0]);
  first = ran();
  // An editor's save: several writes in a row.
  writeFileSync(file, "broken");
  writeFileSync(file, "broken!");
  await first;
  await new Promise((r) => setTimeout(r, 700));
  expect(runs).toEqual([0, 1]);
  expect(io.err).toContain("p.agp changed; running again");
  stop.abort();
  expect(await done).toBe(1);
});
