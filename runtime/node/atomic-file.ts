/**
 * Writing a whole file atomically: the one way agp replaces a file
 * (`agp compile -o`, `agp fmt --write`, `agp test --output` and coverage
 * files, `agp schema import-mcp -o`; the state journal's compaction uses
 * `fsyncDirectory` for the same last step).
 *
 * In: a path and the new contents. Out: the file holding exactly the new
 * contents, or — if anything fails, or the machine crashes at any point —
 * exactly the old contents (or no file, when there was none): never a
 * mixture, never a truncated file. Steps: write a temporary file in the
 * same directory (so the rename stays on one file system), flush it
 * (fsync), give it the old file's permissions, rename it over the target
 * (atomic on POSIX), then flush the directory so the rename itself is
 * durable. A target that is a symbolic link is written through: the file
 * it points to is replaced and the link stays.
 * Must not leave its temporary file behind on failure.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Options for `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** Create missing parent directories first (default false). */
  readonly mkdir?: boolean;
}

/** Replaces `path` with `contents` atomically (see the file header). */
export async function writeFileAtomic(path: string, contents: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.mkdir === true) await mkdir(dirname(path), { recursive: true });
  const target = await resolveTarget(path);
  const mode = await modeOf(target);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx", mode ?? 0o666);
  let renamed = false;
  try {
    try {
      await handle.writeFile(contents);
      // The umask applied at creation; an existing file's exact mode is kept.
      if (mode !== undefined) await chmod(temporary, mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    renamed = true;
    await fsyncDirectory(dirname(target));
  } finally {
    if (!renamed) await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Flushes a directory, so a rename or a creation in it survives a crash.
 * Where directories cannot be opened for flushing (Windows), this does
 * nothing: there the rename is as durable as the OS makes it.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
  } catch (error) {
    if (["EISDIR", "EPERM", "EACCES"].includes((error as NodeJS.ErrnoException).code ?? "")) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!["EINVAL", "EPERM", "EBADF", "EISDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    await handle.close();
  }
}

/** The file a write to `path` must replace: `path` itself, or the file a symbolic link there points to. */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return path;
    throw error;
  }
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
