/**
 * Write-behind appends (runtime/node/append-log.ts `writeBehind`, agp serve,
 * ADR 0041): an append resolves once queued, `sync()` is the only
 * durability point. The property: whatever the interleaving of appends,
 * syncs, compactions (`replace`) and a failing write(2), a sync that
 * resolves finds every line appended before it in the file, in order; once
 * a write has failed, nothing after it reaches the file and every later
 * append and sync rejects with that failure, so no line after a gap is ever
 * reported kept.
 */
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppendLog } from "../../runtime/node/index.js";

const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
const realWriteSync = fs.writeSync;
/** Countdown to the write(2) that fails (synchronous writes only); negative: none fails. */
let failAt = -1;

beforeAll(() => {
  (fs as { writeSync: unknown }).writeSync = (...args: Parameters<typeof realWriteSync>) => {
    if (failAt === 0) {
      failAt = -1;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    if (failAt > 0) failAt--;
    return (realWriteSync as (...a: unknown[]) => number)(...args);
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  (fs as { writeSync: unknown }).writeSync = realWriteSync;
  syncBuiltinESMExports();
});

const step = fc.oneof(
  fc.record({ kind: fc.constant("append" as const), lines: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("sync" as const) }),
  fc.record({ kind: fc.constant("replace" as const) }),
  fc.record({ kind: fc.constant("turn" as const) }),
);

describe("write-behind appends", () => {
  it("a resolved sync covers every earlier line; after a failed write nothing more is written or reported kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-write-behind-"));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: -1, max: 12 }), async (steps, fail) => {
        const path = join(dir, `log-${run++}.jsonl`);
        const log = await AppendLog.open(path, "never", { writeBehind: true });
        failAt = fail;
        let n = 0;
        /** The file's expected lines: what was appended since the last replace (a replace keeps the lines it is given). */
        let failed = false;
        const checks: Promise<void>[] = [];
        for (const s of steps) {
          if (s.kind === "append") {
            const lines = Array.from({ length: s.lines }, () => `{"n":${n++}}`);
            checks.push(log.append(lines).then(() => undefined, () => void (failed = true)));
          } else if (s.kind === "sync") {
            const upTo = n;
            checks.push(
              log.sync().then(
                () => {
                  // Every line appended before this sync is in the file, in order, with no gap.
                  const numbers = readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
                  expect(numbers.slice(-1)[0] ?? -1, "a sync resolved before its lines were written").toBeGreaterThanOrEqual(upTo - 1);
                  numbers.forEach((x, i) => i > 0 && expect(x, "lines out of order or with a gap").toBe(numbers[i - 1]! + 1));
                },
                (error: unknown) => {
                  expect(String(error)).toContain("ENOSPC");
                  failed = true;
                },
              ),
            );
          } else if (s.kind === "replace") {
            // A compaction keeps the newest line, as the state journal's does.
            checks.push(log.replace([`{"n":${n++}}`]).then(() => undefined, () => void (failed = true)));
          } else await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(checks);
        const after = await log.sync().then(() => "ok", (error: unknown) => String(error));
        if (failed) expect(after, "a sync after a failed write resolved").toContain("ENOSPC");
        else expect(after).toBe("ok");
        failAt = -1;
        await log.close().catch(() => undefined);
        const numbers = readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
        numbers.forEach((x, i) => i > 0 && expect(x, "lines out of order or with a gap").toBe(numbers[i - 1]! + 1));
        if (!failed) expect(numbers.at(-1) ?? -1).toBe(n - 1);
      }),
      { numRuns: 150, seed: 4141 },
    );
  });
});
