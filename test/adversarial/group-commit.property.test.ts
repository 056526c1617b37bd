/**
 * Group commit (runtime/node/append-log.ts, ADR 0041): nothing is reported
 * durable before an fdatasync that started after it was written has
 * returned without error — whatever the interleaving of writes, syncs,
 * fdatasync completions and fdatasync failures. fdatasync is replaced by a
 * fake whose completions the test schedules (and sometimes fails), and the
 * bytes it made durable are tracked per file: a sync that resolves while
 * its bytes are not covered is the bug these tests look for. The same
 * holds one level up: agp serve's file backend (deferred writes, one
 * barrier before each answer) under random concurrent checks.
 */
import { fstatSync, readlinkSync, statSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../runtime/governance/clock.js";
import { createGateway } from "../../runtime/governance/gateway.js";
import { AppendLog } from "../../runtime/node/index.js";
import { openState } from "../../runtime/serve/state.js";
import { engine, shell } from "../governance/harness.js";

const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
const realFdatasync = fs.fdatasync;

interface Call {
  readonly fd: number;
  readonly path: string;
  readonly size: number;
  readonly done: (error: NodeJS.ErrnoException | null) => void;
}

/** The fake fdatasync: calls wait in `calls` until the test completes them. */
const fake = {
  calls: [] as Call[],
  /** Bytes made durable, per file path. */
  durable: new Map<string, number>(),
  complete(index: number, ok: boolean): void {
    const [call] = this.calls.splice(index, 1);
    if (call === undefined) return;
    if (ok) this.durable.set(call.path, Math.max(this.durable.get(call.path) ?? 0, call.size));
    const error = ok ? null : Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    call.done(error);
  },
  reset(): void {
    for (const call of this.calls.splice(0)) call.done(null);
    this.durable.clear();
  },
};

beforeAll(() => {
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, done: Call["done"]) => {
    fake.calls.push({ fd, path: readlinkSync(`/proc/self/fd/${fd}`), size: fstatSync(fd).size, done });
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  fake.reset();
  (fs as { fdatasync: unknown }).fdatasync = realFdatasync;
  syncBuiltinESMExports();
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

const step = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), lines: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("sync" as const) }),
  fc.record({ kind: fc.constant("complete" as const), ok: fc.boolean() }),
  fc.record({ kind: fc.constant("append" as const), lines: fc.integer({ min: 1, max: 3 }) }),
);

describe.skipIf(process.platform !== "linux")("group commit", () => {
  it("a sync resolves only once an fdatasync begun after its lines were written has succeeded; every sync settles", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-group-commit-"));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        fake.reset();
        const path = join(dir, `log-${run++}.jsonl`);
        const log = await AppendLog.open(path, "always", { deferSync: true });
        const real = readlinkSync(`/proc/self/fd/${(log as unknown as { handle: { fd: number } }).handle.fd}`);
        const settled: Promise<void>[] = [];
        let failures = 0;
        /** Bytes appended so far: what a sync called now must make durable. */
        let appended = 0;
        const waitFor = (p: Promise<void>, at: number, failuresBefore: number): void => {
          settled.push(
            p.then(
              () => expect(fake.durable.get(real) ?? 0, "a sync resolved before its lines were durable").toBeGreaterThanOrEqual(at),
              () => expect(failures, "a sync rejected though no fdatasync failed").toBeGreaterThan(failuresBefore),
            ),
          );
        };
        let n = 0;
        const lines = (count: number): string[] => {
          const made = Array.from({ length: count }, () => `{"n":${n++}}`);
          appended += made.reduce((bytes, l) => bytes + Buffer.byteLength(l) + 1, 0);
          return made;
        };
        for (const s of steps) {
          if (s.kind === "write") settled.push(log.append(lines(s.lines)));
          else if (s.kind === "append") {
            const written = log.append(lines(s.lines));
            const at = appended;
            const before = failures;
            // An answer: its lines written, then the barrier.
            waitFor(written.then(() => log.sync()), at, before);
          } else if (s.kind === "sync") waitFor(log.sync(), appended, failures);
          else if (fake.calls.length > 0) {
            if (!s.ok) failures++;
            fake.complete(0, s.ok);
          }
          await turn();
        }
        // Drain: every remaining fdatasync succeeds, and every sync settles.
        let all = false;
        const everything = Promise.all(settled).finally(() => {
          all = true;
        });
        // Writes go through the thread pool: wait by the clock, not by turns (bounded: a hang fails the test).
        for (const end = Date.now() + 20_000; !all && Date.now() < end; ) {
          await pause();
          if (fake.calls.length > 0) fake.complete(0, true);
        }
        await everything;
        let closed = false;
        const closing = log.close().then(() => {
          closed = true;
        });
        for (const end = Date.now() + 20_000; !closed && Date.now() < end; ) {
          await pause();
          if (fake.calls.length > 0) fake.complete(0, true);
        }
        await closing;
        expect((await readFile(path, "utf8")).split("\n").length - 1).toBe(n);
      }),
      { numRuns: 60, seed: 41 },
    );
  });

  it("agp serve's file backend: under random concurrent checks and fdatasync failures, no check passes the barrier before its audit line and state are durable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-group-commit-serve-"));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ checks: fc.integer({ min: 1, max: 12 }), failEvery: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 4 }),
        async (waves) => {
          fake.reset();
          const state = join(dir, `state-${run++}`);
          const backend = await openState({ kind: "file", directory: state, fsync: "always" }, systemClock);
          const auditPath = join(state, "audit.jsonl");
          const statePath = join(state, "state.jsonl");
          // Opening compacts the journal with a real (synchronous) fdatasync: those bytes are durable.
          fake.durable.set(statePath, statSync(statePath).size);
          // The fake holds fdatasync: complete calls in the background, failing some.
          let completions = 0;
          let failEvery = 0;
          let stop = false;
          const pump = (async () => {
            while (!stop) {
              await turn();
              if (fake.calls.length > 0) {
                completions++;
                fake.complete(0, failEvery === 0 || completions % failEvery !== 0);
              }
            }
          })();
          try {
            const gw = await createGateway({ engine: engine(), store: backend.store, audit: backend.audit });
            let id = 0;
            let acknowledged = 0;
            for (const wave of waves) {
              failEvery = wave.failEvery;
              const answers = await Promise.allSettled(
                Array.from({ length: wave.checks }, async () => {
                  const result = await gw.check(shell("ls"), { requestId: `r-${id++}` });
                  // Everything this check wrote (and everything before it) is in the files by now.
                  const written = { audit: statSync(auditPath).size, state: statSync(statePath).size };
                  await backend.durable!();
                  // Acknowledged: its audit line and its state changes must be durable now.
                  expect(fake.durable.get(auditPath) ?? 0, "answered before its audit line was durable").toBeGreaterThanOrEqual(written.audit);
                  expect(fake.durable.get(statePath) ?? 0, "answered before its state changes were durable").toBeGreaterThanOrEqual(written.state);
                  expect(await readFile(auditPath, "utf8")).toContain(result.audit!);
                  return result;
                }),
              );
              for (const a of answers) {
                if (a.status === "rejected" && !String(a.reason).includes("EIO")) throw a.reason;
                if (a.status === "fulfilled") acknowledged++;
              }
            }
            failEvery = 0;
            await gw.close();
            await backend.close();
            // With no failures at all, every check is acknowledged.
            if (waves.every((w) => w.failEvery === 0)) expect(acknowledged).toBe(waves.reduce((n, w) => n + w.checks, 0));
          } finally {
            stop = true;
            await pump;
          }
        },
      ),
      { numRuns: 15, seed: 41 },
    );
  });
});
