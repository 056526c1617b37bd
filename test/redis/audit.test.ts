/**
 * The shared audit chain on a real Redis: writers on separate connections
 * append concurrently and build one chain (lost races re-link), a damaged
 * head is never linked after, the export is paged and stops at the head it
 * started from, and `agp audit export --redis` writes what `agp audit
 * verify` reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { AuditLog, GENESIS, ManualClock, verifyAudit, type AuditEntry } from "../../runtime/governance/index.js";
import { KeyLayout, RedisAuditSink, connectRedis, exportAudit, type SharedConnection } from "../../runtime/redis/index.js";
import { freePort, hasRedis, startRedis, type TestRedis } from "../support/redis-server.js";

describe.runIf(hasRedis)("the shared audit chain", () => {
  let redis: TestRedis;
  const connections: SharedConnection[] = [];
  const releases: (() => Promise<void>)[] = [];
  const clock = new ManualClock(Date.parse("2026-03-10T12:00:00Z"));

  beforeAll(async () => {
    redis = await startRedis();
    for (let i = 0; i < 3; i++) {
      const connection = await connectRedis(redis.url);
      connections.push(connection);
      releases.push(connection.acquire());
    }
  });
  afterAll(async () => {
    for (const release of releases) await release();
    await redis?.destroy();
  });

  async function exported(prefix: string, pageSize = 1000): Promise<{ text: string; pages: number }> {
    let text = "";
    let pages = 0;
    await exportAudit(connections[0]!, new KeyLayout(prefix), (page) => {
      text += page;
      pages++;
    }, { pageSize });
    return { text, pages };
  }

  it("three writers appending at once build one chain: every entry once, in seq order, verified", async () => {
    const layout = new KeyLayout("writers");
    const logs = await Promise.all(connections.map((c) => AuditLog.open(new RedisAuditSink(c, layout), clock)));
    const written: AuditEntry[] = (await Promise.all(logs.map((log, w) => Promise.all(Array.from({ length: 200 }, (_, i) => log.append({ kind: "decision", writer: w, i })))))).flat();
    const { text } = await exported("writers");
    const verified = verifyAudit(text);
    expect(verified.problems).toEqual([]);
    expect(verified.entries).toBe(600);
    // What each append resolved with is exactly what the chain holds (re-linked entries report their final seq and prev).
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    expect(new Set(written.map((e) => e.hash))).toEqual(new Set(lines.map((e) => e.hash)));
    expect(written.map((e) => e.seq).sort((a, b) => a - b)).toEqual(lines.map((_, i) => i + 1));
    // Each writer's own entries keep the order it appended them in.
    for (let w = 0; w < 3; w++) expect(lines.filter((e) => e["writer"] === w).map((e) => e["i"])).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(logs[0]!.head === verified.head || logs.some((log) => log.head === verified.head)).toBe(true);
  });

  it("a writer opened before others appended links after them (the head is read, never assumed)", async () => {
    const layout = new KeyLayout("late");
    const early = await AuditLog.open(new RedisAuditSink(connections[0]!, layout), clock);
    const other = await AuditLog.open(new RedisAuditSink(connections[1]!, layout), clock);
    await other.append({ kind: "kill.engage", scope: "global", name: "global", by: "ana", reason: "drill" });
    const entry = await early.append({ kind: "kill.release", scope: "global", name: "global", by: "ana", reason: "done" });
    expect(entry.seq).toBe(2);
    expect(verifyAudit((await exported("late")).text)).toMatchObject({ ok: true, entries: 2, head: entry.hash });
  });

  it("a damaged head is never linked after: opening refuses, and an append that meets it rejects", async () => {
    const layout = new KeyLayout("damaged");
    const log = await AuditLog.open(new RedisAuditSink(connections[0]!, layout), clock);
    await log.append({ kind: "decision", n: 1 });
    await connections[1]!.client.hset(layout.auditHead, "hash", "sha256:forged", "line", '{"not":"an entry"}');
    const message = "the audit log's last entry is damaged; run `agp audit verify` on it before appending";
    await expect(AuditLog.open(new RedisAuditSink(connections[1]!, layout), clock)).rejects.toThrow(message);
    await expect(log.append({ kind: "decision", n: 2 })).rejects.toThrow(message);
  });

  it("a sink's plain append checks the link too: lines that do not continue the chain are refused", async () => {
    const sink = new RedisAuditSink(connections[2]!, new KeyLayout("plain"));
    await expect(sink.append([JSON.stringify({ prev: "sha256:elsewhere", hash: "sha256:x" })])).rejects.toThrow("these audit lines do not continue the shared chain: another writer appended first");
    await sink.append([JSON.stringify({ prev: GENESIS, hash: "sha256:x" })]);
    expect(await sink.lastLine()).toBe(JSON.stringify({ prev: GENESIS, hash: "sha256:x" }));
  });

  it("the export is paged and stops at the entry that was last when it started", async () => {
    const layout = new KeyLayout("paged");
    const log = await AuditLog.open(new RedisAuditSink(connections[0]!, layout), clock);
    for (let i = 0; i < 25; i++) await log.append({ kind: "decision", i });
    let text = "";
    let pages = 0;
    const result = await exportAudit(connections[1]!, layout, async (page) => {
      text += page;
      pages++;
      await log.append({ kind: "decision", during: pages }); // appended while exporting: left for the next export
    }, { pageSize: 10 });
    expect(pages).toBe(3);
    expect(result.entries).toBe(25);
    expect(verifyAudit(text)).toMatchObject({ ok: true, entries: 25 });
    expect(verifyAudit((await exported("paged")).text)).toMatchObject({ ok: true, entries: 28 });
  });

  it("`agp audit export --redis` writes JSONL that `agp audit verify` accepts", async () => {
    const layout = new KeyLayout("cli");
    const log = await AuditLog.open(new RedisAuditSink(connections[0]!, layout), clock);
    for (let i = 0; i < 3; i++) await log.append({ kind: "decision", i });
    const io = captureIo();
    expect(await main(["audit", "export", "--redis", redis.url, "--prefix", "cli"], io)).toBe(0);
    expect(io.err).toBe(`exported 3 entries from redis://127.0.0.1:${redis.port} (prefix \`cli\`)\n`);
    expect(verifyAudit(io.out)).toMatchObject({ ok: true, entries: 3, head: log.head });

    const bad = captureIo();
    expect(await main(["audit", "export", "--redis", redis.url, "--prefix", "a:b"], bad)).toBe(2);
    expect(bad.err).toBe("agp: the Redis key prefix `a:b` is not usable; use 1 to 64 letters, digits, `_`, `.` or `-`\n");
    const port = await freePort();
    const down = captureIo();
    expect(await main(["audit", "export", "--redis", `redis://user:secret@127.0.0.1:${port}`], down)).toBe(2);
    expect(down.err).toMatch(new RegExp(`^agp: cannot connect to the shared state at redis://127\\.0\\.0\\.1:${port}: .+\\n$`));
    expect(down.err).not.toContain("secret");
  });
});
