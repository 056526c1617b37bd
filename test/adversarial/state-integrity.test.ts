/**
 * Class H, files: `state.jsonl` is checked at open. A deleted kill-switch or
 * approval line, an edited, inserted or reordered line, a truncated tail, a
 * deleted journal or head file — each is refused with an error naming the
 * line; the store never opens with a state other than the one it wrote.
 * A last line cut short by a crash (never acknowledged) is still dropped.
 *
 * Knobs: AGP_FUZZ_SEED (default 11), AGP_STATE_FUZZ_RUNS (generated mutations, default 120).
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../runtime/governance/index.js";
import { FileStateStore, StateJournalError, openFileGateway } from "../../runtime/node/index.js";
import { BOB, engine, merge, spend } from "../governance/harness.js";

const RUNS = Number(process.env["AGP_STATE_FUZZ_RUNS"] ?? 120);
const SEED = Number(process.env["AGP_FUZZ_SEED"] ?? 11);
const RECOVERY = 'the store will not open; see docs/governance.md, "When the state journal fails its check"';
const NOW = Date.parse("2026-03-10T12:00:00Z");

const linesOf = (text: string) => text.split("\n").filter((l) => l !== "");
const rejoin = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join("");

/** A directory whose gateway engaged a kill switch and holds an approval, plus the journal's lines. */
async function gatewayDir(): Promise<{ dir: string; path: string; lines: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "agp-state-"));
  const options = { engine: engine(), clock: new ManualClock(NOW) };
  const gw = await openFileGateway(dir, options);
  await gw.check(spend(10), { requestId: "s1" });
  const parked = await gw.check(merge(), { requestId: "m1" });
  await gw.approvals.approve(parked.ticket!.id, BOB);
  await gw.kill.engage({ scope: "agent", name: "ci-fixer" }, { by: "ana", reason: "incident" });
  await gw.close();
  const path = join(dir, "state.jsonl");
  return { dir, path, lines: linesOf(await readFile(path, "utf8")) };
}

const lineWith = (lines: readonly string[], text: string) => lines.findIndex((l) => l.includes(text));

describe("the state journal is checked at open", () => {
  it("a deleted kill-switch line is refused (the kill switch would silently be released)", async () => {
    const { dir, path, lines } = await gatewayDir();
    const kill = lineWith(lines, "kill");
    expect(kill).toBe(lines.length - 1); // the last write: its deletion leaves a valid, shorter chain — the head file catches it
    await writeFile(path, rejoin(lines.slice(0, -1)));
    await expect(openFileGateway(dir, { engine: engine(), clock: new ManualClock(NOW) })).rejects.toThrow(
      new StateJournalError(path, kill, `ends at line ${kill} (entry ${kill - 1}), but its head file records entry ${kill}: lines were removed from its end`).message,
    );
  });

  it("a deleted approval line is refused, naming the line after it", async () => {
    const { path, lines } = await gatewayDir();
    const approval = lineWith(lines, '"key":"approval:');
    expect(approval).toBeGreaterThan(0);
    expect(approval).toBeLessThan(lines.length - 1);
    await writeFile(path, rejoin(lines.filter((_, i) => i !== approval)));
    await expect(FileStateStore.open(path)).rejects.toThrow(
      `the state journal ${path} fails its integrity check at line ${approval + 1}: that line was edited, or lines before it were deleted, inserted or reordered; ${RECOVERY}`,
    );
  });

  it("an edited line, a reordered pair and an inserted line are refused at the first line that fails", async () => {
    const { path, lines } = await gatewayDir();
    const cases: [string[], number][] = [
      [lines.map((l, i) => (i === 2 ? l.replace(/"used":\d+/, '"used":0') : l)), 3],
      [lines.map((l, i) => (i === 1 ? lines[2]! : i === 2 ? lines[1]! : l)), 2],
      [[...lines.slice(0, 2), lines[1]!, ...lines.slice(2)], 3],
    ];
    for (const [changed, line] of cases) {
      expect(changed).not.toEqual(lines);
      await writeFile(path, rejoin(changed));
      await expect(FileStateStore.open(path)).rejects.toThrow(`fails its integrity check at line ${line}:`);
    }
  });

  it("a truncated tail is refused against the head file", async () => {
    const { path, lines } = await gatewayDir();
    await writeFile(path, rejoin(lines.slice(0, 3)));
    await expect(FileStateStore.open(path)).rejects.toThrow(
      `the state journal ${path} ends at line 3 (entry 2), but its head file records entry ${lines.length - 1}: lines were removed from its end; ${RECOVERY}`,
    );
  });

  it("a deleted journal, a deleted head file and a damaged head file are refused", async () => {
    const { path, lines } = await gatewayDir();
    await rm(path);
    await expect(FileStateStore.open(path)).rejects.toThrow(`the state journal ${path} is missing or empty, but its head file records entry ${lines.length - 1} of generation `);
    await writeFile(path, rejoin(lines));
    const head = await readFile(`${path}.head`);
    await rm(`${path}.head`);
    await expect(FileStateStore.open(path)).rejects.toThrow(`the state journal ${path} has ${lines.length - 1} entries but no head file, so it cannot show that none were removed from its end; ${RECOVERY}`);
    await writeFile(`${path}.head`, Buffer.alloc(head.length, 0x20));
    await expect(FileStateStore.open(path)).rejects.toThrow(`the state journal ${path} has a damaged head file (both records unreadable), so it cannot show that no line was removed from its end; ${RECOVERY}`);
  });

  it("an older copy of the journal put back is refused", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-state-"));
    const path = join(dir, "state.jsonl");
    const store = await FileStateStore.open(path);
    await store.compareAndSet("kill:agent:bot", undefined, "engaged");
    const old = await readFile(path, "utf8");
    await store.compareAndSet("kill:agent:bot", "engaged", undefined);
    await store.compareAndSet("kill:agent:bot", undefined, "engaged again");
    await store.close();
    await writeFile(path, old);
    await expect(FileStateStore.open(path)).rejects.toThrow("but its head file records entry 3: lines were removed from its end");
    // A copy from an earlier generation (before the last open's compaction) is refused as a replacement.
    const reopened = await FileStateStore.open(path).catch(() => undefined);
    expect(reopened).toBeUndefined();
  });

  it("a line cut short by a crash was never acknowledged: it is dropped and the store opens", async () => {
    const { path, lines } = await gatewayDir();
    await writeFile(path, `${rejoin(lines)}{"hash":"00`);
    const store = await FileStateStore.open(path);
    expect(await store.list("kill:")).toHaveLength(1);
    await store.close();
  });

  it("a crash after a compaction's rename but before its head was written still opens", async () => {
    const { path } = await gatewayDir();
    const before = await readFile(`${path}.head`);
    const store = await FileStateStore.open(path); // compacts: a new generation, its head written after
    await store.close();
    await writeFile(`${path}.head`, before); // as if the new head never reached the disk
    const again = await FileStateStore.open(path);
    expect(await again.list("kill:")).toHaveLength(1);
    await again.close();
  });

  it("a journal written before the check (no header) is read once, when it has no head file, and rewritten", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-state-"));
    const path = join(dir, "state.jsonl");
    await writeFile(path, '{"type":"value","key":"kill:agent:bot","value":"{}"}\n{"type":"counter","key":"c","counter":{"window":0,"used":3},"expiresAt":99999999999999}\n');
    const store = await FileStateStore.open(path);
    expect(await store.get("kill:agent:bot")).toBe("{}");
    expect(await store.counter("c")).toEqual({ window: 0, used: 3 });
    await store.close();
    expect(linesOf(await readFile(path, "utf8"))[0]).toMatch(/^\{"journal":"agp-state","version":2,"generation":"[0-9a-f]{16}","compacts":null\}$/);
    await writeFile(path, '{"type":"value","key":"x","value":"1"}\n');
    await expect(FileStateStore.open(path)).rejects.toThrow(`the state journal ${path} has no version 2 header on line 1, but its head file exists: the journal was replaced; ${RECOVERY}`);
  });
});

/** A random change to a journal's text. */
type Mutation =
  | { kind: "dropLine"; line: number }
  | { kind: "duplicateLine"; line: number; to: number }
  | { kind: "swapLines"; a: number; b: number }
  | { kind: "truncateLines"; keep: number }
  | { kind: "editChar"; at: number; text: string }
  | { kind: "deleteChars"; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("dropLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateLine" as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("truncateLines" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("editChar" as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom("0", "1", "9", '"', ",", "}", "\n", " ", "a", "f", "e", "-"), minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("deleteChars" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
);

function apply(text: string, m: Mutation): string {
  const lines = linesOf(text);
  const at = (n: number, max: number) => (max <= 0 ? 0 : n % max);
  switch (m.kind) {
    case "dropLine":
      return rejoin(lines.filter((_, i) => i !== at(m.line, lines.length)));
    case "duplicateLine": {
      const copy = [...lines];
      copy.splice(at(m.to, copy.length + 1), 0, lines[at(m.line, lines.length)]!);
      return rejoin(copy);
    }
    case "swapLines": {
      const copy = [...lines];
      const a = at(m.a, copy.length);
      const b = at(m.b, copy.length);
      [copy[a], copy[b]] = [copy[b]!, copy[a]!];
      return rejoin(copy);
    }
    case "truncateLines":
      return rejoin(lines.slice(0, at(m.keep, lines.length)));
    case "editChar": {
      const i = at(m.at, text.length);
      return text.slice(0, i) + m.text + text.slice(i + 1);
    }
    case "deleteChars": {
      const i = at(m.at, text.length);
      return text.slice(0, i) + text.slice(i + m.length);
    }
  }
}

/** Every value and the known counters of a store: what "the same state" means here. */
async function stateOf(store: FileStateStore, counters: readonly string[]): Promise<unknown> {
  return { values: await store.list(""), counters: await Promise.all(counters.map((k) => store.counter(k))) };
}

describe("no change to a journal opens with a different state", () => {
  let source: { dir: string; path: string; lines: string[] };
  let original: string;
  let expected: unknown;
  let counters: string[];
  beforeAll(async () => {
    source = await gatewayDir();
    original = rejoin(source.lines);
    counters = source.lines.flatMap((l) => (l.includes('"type":"counter"') ? [(JSON.parse(l) as { change: { key: string } }).change.key] : []));
    const dir = await mkdtemp(join(tmpdir(), "agp-state-"));
    await copyFile(source.path, join(dir, "state.jsonl"));
    await copyFile(`${source.path}.head`, join(dir, "state.jsonl.head"));
    const store = await FileStateStore.open(join(dir, "state.jsonl"), { fsync: "never", clock: new ManualClock(NOW) });
    expected = await stateOf(store, counters);
    await store.close();
  });

  it(`random deletions, duplications, reorderings, truncations and edits (${RUNS} runs): refused, or the very same state`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const changed = mutations.reduce(apply, original);
        fc.pre(changed !== original);
        const dir = await mkdtemp(join(tmpdir(), "agp-state-fuzz-"));
        try {
          await writeFile(join(dir, "state.jsonl"), changed);
          await copyFile(`${source.path}.head`, join(dir, "state.jsonl.head"));
          const opened = await FileStateStore.open(join(dir, "state.jsonl"), { fsync: "never", clock: new ManualClock(NOW) }).catch((e: unknown) => e);
          if (opened instanceof FileStateStore) {
            const state = await stateOf(opened, counters);
            await opened.close();
            expect(state, JSON.stringify(mutations)).toEqual(expected);
          } else expect(opened, JSON.stringify(mutations)).toBeInstanceOf(StateJournalError);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
