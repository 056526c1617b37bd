/**
 * `agp fmt examples | head -1`: when the reader of agp's output goes away,
 * agp ends quietly — no EPIPE stack trace, no crash exit. Run as a real
 * process (bin/agp.js on dist/, so `npm run build` first) whose stdout is
 * closed after the first chunk, as `head` does.
 */
import { spawn } from "node:child_process";
import { expect, it } from "vitest";

it("a closed output pipe ends agp without a stack trace", async () => {
  const child = spawn(process.execPath, ["bin/agp.js", "fmt", "examples"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (err += chunk));
  let first = "";
  child.stdout.once("data", (chunk: Buffer) => {
    first = chunk.toString("utf8");
    child.stdout.destroy();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(killer);
  expect(first).toMatch(/^==> examples\//);
  expect(err).not.toMatch(/EPIPE|Error|at /);
  expect(code).not.toBeNull();
  expect(code).toBeLessThanOrEqual(1);
});
