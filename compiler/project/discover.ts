/**
 * Finds the .agp files a command should read.
 *
 * In: paths the user named (files or directories), relative to a working
 * directory. Out: the .agp files, sorted, each once, plus a diagnostic for
 * every path that cannot be read. Directories are walked recursively;
 * `node_modules` and hidden directories are skipped. A file named
 * explicitly is taken whatever its extension: the user asked for it.
 */
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";

export interface Discovered {
  /** Paths as shown to the user: relative to the working directory when inside it. */
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export async function discoverPolicyFiles(paths: readonly string[], cwd: string): Promise<Discovered> {
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      diagnostics.push(diagnostic("AGP901", fileSpan(path), { path, reason: describeIoError(error) }));
      continue;
    }
    if (info.isDirectory()) {
      for (const file of await walk(absolute)) found.add(display(file, cwd));
    } else {
      found.add(display(absolute, cwd));
    }
  }
  return { files: [...found].sort(), diagnostics };
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) for (const item of (await walk(path))) files.push(item);
    else if (entry.isFile() && entry.name.endsWith(".agp")) files.push(path);
  }
  return files;
}

function display(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel === "" || rel.startsWith("..") ? absolute : rel;
}

/** "no such file or directory" rather than a Node error code. */
export function describeIoError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
