/**
 * An exclusive lock on a file, held by one process at a time (ADR 0014).
 *
 * In: the path of the file to guard. Out: a `FileLock` (release it on
 * close), or a `FileLockedError` naming the process that holds it.
 * The lock is a file `<path>.lock` created with O_CREAT|O_EXCL (atomic on
 * local POSIX file systems: exactly one creator wins), holding the owner's
 * pid, host, process start time and a random token. A lock whose owner is
 * gone (killed with SIGKILL, crashed, or exited without closing) is stale:
 * it is broken only when its owner is on this host and provably dead —
 * `kill(pid, 0)` says no such process, or a process with that pid started
 * at another time (the pid was reused). Breaking is itself serialised by a
 * second O_EXCL file (`<path>.lock.break`), and re-reads the lock under it,
 * so two processes racing to break one stale lock cannot both win, and
 * neither can remove a live lock that replaced it. A lock held on another
 * host is never broken (its liveness cannot be known): the error says so.
 * Must not use native modules; must not break a lock it cannot prove dead.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";

/** What a lock file records about its owner. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The owner's start time as the OS reports it (Linux: /proc/<pid>/stat field 22), or null where unknown. */
  readonly started: string | null;
  /** When the lock was taken (ISO 8601). */
  readonly since: string;
  readonly token: string;
}

/** The file is locked by another live process (or one on another host). */
export class FileLockedError extends Error {
  override readonly name = "FileLockedError";
  constructor(
    readonly path: string,
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(lockedMessage(path, lockPath, owner));
  }
}

/** A held lock. */
export class FileLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly lockPath: string,
    readonly owner: LockOwner,
  ) {}

  /**
   * Takes the lock on `path`, breaking a stale one; throws `FileLockedError`
   * when a live process (or one on another host) holds it.
   */
  static async acquire(path: string): Promise<FileLock> {
    const lockPath = `${path}.lock`;
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid), since: new Date().toISOString(), token: randomBytes(12).toString("hex") };
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await create(lockPath, `${JSON.stringify(owner)}\n`)) return new FileLock(path, lockPath, owner);
      const held = await readOwner(lockPath);
      if (held === "absent") continue; // released between our create and our read: try again
      if (held === "unreadable") {
        // Its owner may be writing it right now; a lock that stays unreadable is reported, never broken.
        if (await youngerThan(lockPath, 2_000)) {
          await sleep(20);
          continue;
        }
        throw new FileLockedError(path, lockPath, undefined);
      }
      if (isAlive(held)) throw new FileLockedError(path, lockPath, held);
      await breakStale(lockPath, held);
    }
    throw new FileLockedError(path, lockPath, undefined);
  }

  /** Releases the lock (only if the lock file is still this lock). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const held = await readOwner(this.lockPath);
    if (typeof held === "object" && held.token === this.owner.token) await unlink(this.lockPath).catch(() => undefined);
  }
}

/** Creates `path` exclusively with `text` (flushed); false when it exists. */
async function create(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(lockPath: string): Promise<LockOwner | "absent" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== "number" || typeof value.host !== "string" || typeof value.token !== "string" || typeof value.since !== "string") return "unreadable";
    return { pid: value.pid, host: value.host, started: typeof value.started === "string" ? value.started : null, since: value.since, token: value.token };
  } catch {
    return "unreadable";
  }
}

/**
 * Whether the lock's owner may still run. Only a process on this host can
 * be checked; any doubt counts as alive (the lock stays).
 */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true; // this process already holds it (a second open in one process is a mistake too)
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    return true; // EPERM: a process of another user has this pid
  }
  // The pid exists; it is the owner unless we can see it started at another time (pid reuse).
  const started = startTimeOf(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** Removes a stale lock, unless it changed since we read it (another breaker, then a new owner). */
async function breakStale(lockPath: string, stale: LockOwner): Promise<void> {
  const breaker = `${lockPath}.break`;
  if (!(await create(breaker, `${process.pid}\n`))) {
    // Another process is breaking it; a breaker file left by a process killed mid-break is removed after 10 s.
    if (!(await youngerThan(breaker, 10_000))) await unlink(breaker).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const now = await readOwner(lockPath);
    if (typeof now === "object" && now.token === stale.token) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function youngerThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs < ms;
  } catch {
    return true;
  }
}

/** A process's start time (Linux: clock ticks since boot, /proc/<pid>/stat field 22), or null where unknown. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lockedMessage(path: string, lockPath: string, owner: LockOwner | undefined): string {
  if (owner === undefined) {
    return `${path} is locked (${lockPath} exists but does not say by whom); if no process uses ${path}, delete ${lockPath}`;
  }
  const where = owner.host === hostname() ? `process ${owner.pid}` : `process ${owner.pid} on host ${owner.host}`;
  return `${path} is in use by ${where} since ${owner.since}: one process per file — stop that process, or share state through a shared store; if that process no longer runs, delete ${lockPath}`;
}
