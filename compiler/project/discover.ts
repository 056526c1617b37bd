/**
 * Finds the .agp files a command should read.
 *
 * In: paths the user named (files or directories), relative to a working
 * directory. Out: the .agp files, sorted, each once, plus a diagnostic for
 * every path that cannot be read. Directories are walked recursively;
 * `node_modules` and hidden directories are skipped. A file named
 * explicitly is taken whatever its extension: the user asked for it.
 * A project file's `ignore` globs (ProjectSettings) prune what a walk finds;
 * a path named explicitly is read even when it is ignored.
 * Files are reached through `ProjectFiles` (the disk by default).
 */
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";
import { nodeFiles, type ProjectFiles } from "./files.js";
import { NO_PROJECT, type ProjectSettings } from "./settings.js";

export interface Discovered {
  /** Paths as shown to the user: relative to the working directory when inside it. */
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Finds the .agp files under `paths` (relative to `cwd`), through `files` (default: the disk). */
export async function discoverPolicyFiles(
  paths: readonly string[],
  cwd: string,
  files: ProjectFiles = nodeFiles(),
  settings: ProjectSettings = NO_PROJECT,
): Promise<Discovered> {
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    const absolute = files.path.resolve(cwd, path);
    let kind;
    try {
      kind = await files.kind(absolute);
    } catch (error) {
      diagnostics.push(diagnostic("AGP901", fileSpan(path), { path, reason: describeIoError(error) }));
      continue;
    }
    if (kind === "directory") {
      // Naming an ignored directory reads it all: the user asked for it.
      const ignored = settings.ignored(absolute) ? () => false : (path: string) => settings.ignored(path);
      for (const file of await walk(absolute, files, ignored)) found.add(display(file, cwd, files));
    } else {
      found.add(display(absolute, cwd, files));
    }
  }
  return { files: [...found].sort(), diagnostics };
}

async function walk(directory: string, files: ProjectFiles, ignored: (path: string) => boolean): Promise<string[]> {
  const entries = [...(await files.list(directory))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = files.path.join(directory, entry.name);
    if (ignored(path)) continue;
    if (entry.kind === "directory") for (const item of await walk(path, files, ignored)) found.push(item);
    else if (entry.kind === "file" && entry.name.endsWith(".agp")) found.push(path);
  }
  return found;
}

function display(absolute: string, cwd: string, files: ProjectFiles): string {
  const rel = files.path.relative(cwd, absolute);
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
    case "EEXIST":
      // `mkdir -p` of an output folder whose name is taken by a file: the same mistake as ENOTDIR.
      if ((error as { syscall?: string }).syscall === "mkdir") return "a part of the path is not a directory";
      return error instanceof Error ? error.message : String(error);
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
