/**
 * Class H, processes: one file store directory, one process. Two gateways
 * on one directory used to overshoot caps, fork the audit chain and miss
 * each other's kill switches; now the second fails at open with an error
 * naming the holder. Run with real, separate `node` processes: a holder,
 * contenders racing for a lock, and a holder killed with SIGKILL whose
 * stale lock must be broken exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FileAuditSink, FileLock, FileLockedError, FileStateStore, openFileGateway } from "../../runtime/node/index.js";
import { engine } from "../governance/harness.js";
import { transpileTree, type TranspiledTree } from "../support/transpiled-tree.js";

const CONTENDERS = Number(process.env["AGP_LOCK_CONTENDERS"] ?? 4);

let tree: TranspiledTree;
const children: ChildProcess[] = [];

/** A separate process that opens a file gateway on `dir`, says `open` (or the error), and holds it until its stdin ends. */
const HOLDER = `
import { openFileGateway } from "./runtime/node/index.js";
const policy = { hash: "sha256:h", version: "1" };
const engine = { policy, decide: () => ({ effect: "allow", rules: [], reasons: [], obligations: {}, limits: [], audit: "none", policy }) };
try {
  const gateway = await openFileGateway(process.argv[2], { engine });
  process.stdout.write("open\\n");
  process.stdin.on("end", async () => { await gateway.close(); process.exit(0); });
  process.stdin.resume();
} catch (error) {
  process.stdout.write(\`\${error.name}: \${error.message}\\n\`);
  process.exit(3);
}
`;

beforeAll(() => {
  tree = transpileTree(["runtime/node/index.ts"]);
  writeFileSync(join(tree.dir, "holder.mjs"), HOLDER);
}, 60_000);
afterAll(() => tree?.remove());
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Starts a holder on `dir`; resolves with it and its first line (`open`, or the error it got). */
function holder(dir: string): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, [join(tree.dir, "holder.mjs"), dir], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) resolve({ child, said: out.slice(0, newline) });
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!out.includes("\n")) reject(new Error(`holder exited with ${code} before saying anything`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

const lockedBy = (path: string, pid: number) =>
  new RegExp(`^${escape(path)} is in use by process ${pid} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: one process per file — stop that process, or share state through a shared store; if that process no longer runs, delete ${escape(path)}\\.lock$`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("one process per file store directory", () => {
  it("a second gateway on the same directory fails at open, naming the process that holds it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const first = await holder(dir);
    expect(first.said).toBe("open");
    const pid = first.child.pid!;
    // In this process…
    const error = await openFileGateway(dir, { engine: engine() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLockedError);
    expect((error as Error).message).toMatch(lockedBy(join(dir, "state.jsonl"), pid));
    // …and in another one.
    const second = await holder(dir);
    expect(second.said).toMatch(new RegExp(`^FileLockedError: ${lockedBy(join(dir, "state.jsonl"), pid).source.slice(1)}`));
    // The audit file alone is locked too: nobody forks the chain by opening just the sink.
    await expect(FileAuditSink.open(join(dir, "audit.jsonl"))).rejects.toThrow(lockedBy(join(dir, "audit.jsonl"), pid));
    first.child.stdin!.end();
    await exited(first.child);
    // Released on close: the next one opens.
    const third = await holder(dir);
    expect(third.said).toBe("open");
    third.child.stdin!.end();
    await exited(third.child);
  });

  it(`of ${CONTENDERS} processes starting together, exactly one opens`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const all = await Promise.all(Array.from({ length: CONTENDERS }, () => holder(dir)));
    expect(all.filter((h) => h.said === "open")).toHaveLength(1);
    for (const h of all.filter((h) => h.said !== "open")) expect(h.said).toMatch(/^FileLockedError: .* is in use by process \d+ since /);
    for (const h of all) h.child.stdin!.end();
    await Promise.all(all.map((h) => exited(h.child)));
  });

  it("a holder killed with SIGKILL leaves a stale lock that the next open breaks — exactly one of several contenders wins", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const victim = await holder(dir);
    expect(victim.said).toBe("open");
    victim.child.kill("SIGKILL");
    await exited(victim.child);
    const stale = JSON.parse(readFileSync(join(dir, "state.jsonl.lock"), "utf8")) as { pid: number };
    expect(stale.pid).toBe(victim.child.pid);
    const all = await Promise.all(Array.from({ length: CONTENDERS }, () => holder(dir)));
    expect(all.filter((h) => h.said === "open")).toHaveLength(1);
    const winner = all.find((h) => h.said === "open")!;
    expect(JSON.parse(readFileSync(join(dir, "state.jsonl.lock"), "utf8"))).toMatchObject({ pid: winner.child.pid });
    for (const h of all) h.child.stdin!.end();
    await Promise.all(all.map((h) => exited(h.child)));
    expect(existsSync(join(dir, "state.jsonl.lock"))).toBe(false);
  });

  it("opening the same store twice in one process is refused too", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const store = await FileStateStore.open(join(dir, "state.jsonl"));
    await expect(FileStateStore.open(join(dir, "state.jsonl"))).rejects.toThrow(lockedBy(join(dir, "state.jsonl"), process.pid));
    await store.close();
    await (await FileStateStore.open(join(dir, "state.jsonl"))).close();
  });

  it("a lock held on another host is never broken (its owner cannot be checked)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const path = join(dir, "state.jsonl");
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 999_999, host: `not-${hostname()}`, started: null, since: "2026-03-10T12:00:00.000Z", token: "t" }));
    await expect(FileStateStore.open(path)).rejects.toThrow(
      `${path} is in use by process 999999 on host not-${hostname()} since 2026-03-10T12:00:00.000Z: one process per file — stop that process, or share state through a shared store; if that process no longer runs, delete ${path}.lock`,
    );
  });

  it("a lock file that says nothing readable is reported once it is old, never broken", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const path = join(dir, "state.jsonl");
    await writeFile(`${path}.lock`, "{garbage");
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await expect(FileStateStore.open(path)).rejects.toThrow(`${path} is locked (${path}.lock exists but does not say by whom); if no process uses ${path}, delete ${path}.lock`);
    expect(await readFile(`${path}.lock`, "utf8")).toBe("{garbage");
  });

  it.runIf(existsSync("/proc/self/stat"))("a lock whose pid now belongs to another process (pid reuse) is stale", async () => {
    const dir = await mkdtemp(join(tmpdir(), "agp-lock-"));
    const path = join(dir, "state.jsonl");
    const other = await holder(await mkdtemp(join(tmpdir(), "agp-lock-")));
    // Same pid, but the process with that pid started at another time than the lock says.
    await writeFile(`${path}.lock`, JSON.stringify({ pid: other.child.pid, host: hostname(), started: "1", since: "2026-03-10T12:00:00.000Z", token: "t" }));
    const lock = await FileLock.acquire(path);
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
    other.child.stdin!.end();
    await exited(other.child);
  });
});
