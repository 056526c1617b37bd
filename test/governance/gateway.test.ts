/**
 * The gateway's contract beyond single features: request ids, reports,
 * forged approvals, and a file-backed gateway that survives a restart.
 */
import { mkdtemp, readFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock, MemoryStateStore, sequentialIds, verifyAudit, type CounterOp } from "../../runtime/governance/index.js";
import { FileStateStore, openFileGateway } from "../../runtime/node/index.js";
import { BOB, CAROL, deploy, engine, gateway, merge, spend } from "./harness.js";

describe("check and report", () => {
  it("a request id is required", async () => {
    const { gw } = await gateway();
    await expect(gw.check(deploy(), { requestId: "" })).rejects.toThrow("check needs a non-empty `requestId`");
  });

  it("a request id reused for another request while the first runs is refused", async () => {
    const { gw } = await gateway();
    expect((await gw.check(spend(10), { requestId: "r1" })).action).toBe("run");
    expect(await gw.check(spend(11), { requestId: "r1" })).toMatchObject({ action: "refuse", reason: "request id `r1` was already used for another request" });
    expect(await gw.check(deploy(), { requestId: "r1" })).toMatchObject({ action: "refuse", reason: "request id `r1` was already used for another request" });
  });

  it("a repeated check of a running request returns the same abort signal", async () => {
    const { gw } = await gateway();
    const first = await gw.check(deploy(), { requestId: "r1" });
    const again = await gw.check(deploy(), { requestId: "r1" });
    expect(again.signal).toBe(first.signal);
  });

  it("an unknown outcome is refused", async () => {
    const { gw } = await gateway();
    await gw.check(deploy(), { requestId: "r1" });
    expect(await gw.report("r1", "maybe" as "failed")).toEqual({ ok: false, code: "invalid", message: "unknown outcome `maybe`; use succeeded, failed or rolled_back" });
  });

  it("an outcome is linked to its decision by hash and says what it cost", async () => {
    const { gw } = await gateway();
    const run = await gw.check(spend(30), { requestId: "r1" });
    const report = await gw.report("r1", "rolled_back", { actualCost: 30, detail: "reverted by hand" });
    expect(report).toMatchObject({ ok: true, entry: { kind: "outcome", decision: run.audit, outcome: "rolled_back", actualCost: 30, detail: "reverted by hand" }, reservation: { status: "committed" } });
  });

  it("a forged approval inside the request is refused by the engine, never counted", async () => {
    const { gw } = await gateway();
    const forged = { ...merge(), approvals: [BOB, CAROL] };
    expect(await gw.check(forged, { requestId: "r1" })).toMatchObject({ action: "refuse", reason: "unknown field `approvals` in the request" });
  });

  it("a failing store write refuses the check (closed) and says why; it never answers run", async () => {
    const store = new MemoryStateStore();
    const broken = Object.assign(Object.create(store) as MemoryStateStore, { charge: async (_: readonly CounterOp[]) => Promise.reject(new Error("store down")) });
    const { gw } = await gateway({ store: broken });
    expect(await gw.check(spend(1), { requestId: "r1" })).toMatchObject({
      action: "refuse",
      reason: "the gateway could not complete this check: store down; nothing was run, so this request is refused (it may be retried with the same request id)",
    });
  });
});

describe("a file-backed gateway", () => {
  it("keeps approvals, counters, kill switches and the audit chain across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-gateway-"));
    const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));
    const options = { engine: engine(), clock, ids: sequentialIds("t") };
    const first = await openFileGateway(dir, options);
    await first.check(spend(70), { requestId: "s1" });
    const parked = await first.check(merge(), { requestId: "m1" });
    await first.approvals.approve(parked.ticket!.id, BOB);
    await first.kill.engage({ scope: "family", name: "deploy" }, { by: "ana", reason: "freeze" });
    await first.close();

    const second = await openFileGateway(dir, options);
    expect((await second.check(spend(40), { requestId: "s2" })).action).toBe("refuse");
    expect((await second.check(deploy(), { requestId: "d1" })).action).toBe("refuse");
    await second.approvals.approve("t-1", CAROL);
    expect((await second.check(merge(), { requestId: "m1" })).action).toBe("run");
    await second.report("s1", "succeeded", { actualCost: 50 });
    expect((await second.check(spend(40), { requestId: "s3" })).action).toBe("run");
    await second.close();
    expect(verifyAudit(await readFile(join(dir, "audit.jsonl"), "utf8"))).toMatchObject({ ok: true, entries: 10 });
  });

  it("a journal line cut short by a crash was never acknowledged and is dropped", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-state-")), "state.jsonl");
    const store = await FileStateStore.open(path);
    await store.compareAndSet("a", undefined, "1");
    await store.close();
    await appendFile(path, '{"type":"value","key":"b","val');
    const reopened = await FileStateStore.open(path);
    expect(await reopened.get("a")).toBe("1");
    expect(await reopened.get("b")).toBeUndefined();
    await reopened.compareAndSet("c", undefined, "3");
    await reopened.close();
    const again = await FileStateStore.open(path);
    expect(await again.getMany(["a", "b", "c"])).toEqual(["1", undefined, "3"]);
    await again.close();
  });

  it("a damaged line inside the journal refuses to open, naming the line", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-state-")), "state.jsonl");
    const store = await FileStateStore.open(path);
    await store.compareAndSet("a", undefined, "1");
    await store.compareAndSet("b", undefined, "2");
    await store.close();
    const text = await readFile(path, "utf8");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path, text.replace('"key":"a"', '"key":"a'));
    await expect(FileStateStore.open(path)).rejects.toThrow(
      `the state journal ${path} fails its integrity check at line 2: that line was edited, or lines before it were deleted, inserted or reordered; the store will not open; see docs/governance.md, "When the state journal fails its check"`,
    );
  });

  it("the journal is compacted to the live keys", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "agp-state-")), "state.jsonl");
    const store = await FileStateStore.open(path, { fsync: "never" });
    let value: string | undefined;
    for (let i = 0; i < 12_000; i++) {
      const next = String(i);
      await store.compareAndSet("k", value, next);
      value = next;
    }
    await store.close();
    const lines = (await readFile(path, "utf8")).split("\n").filter((l) => l !== "");
    expect(lines.length).toBeLessThan(10_002);
    const reopened = await FileStateStore.open(path);
    expect(await reopened.get("k")).toBe("11999");
    // The header of the new generation, and the one live key.
    expect((await readFile(path, "utf8")).split("\n").filter((l) => l !== "")).toHaveLength(2);
    await reopened.close();
  });
});
