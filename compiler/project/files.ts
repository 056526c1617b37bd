/**
 * The file system seam: how every driver (`agp check`, `compile`, `test`,
 * the language server, the playground) reaches the files a policy set names.
 *
 * In: nothing. Out: the `ProjectFiles` interface and two implementations —
 * `nodeFiles()`, the disk through Node's `fs` and `path` (the default of
 * every driver), and `memoryFiles(texts)`, an in-memory file system with
 * POSIX paths (the browser playground, tests). Errors for missing files
 * carry Node's codes (`ENOENT`, `EISDIR`, `ENOTDIR`) so `describeIoError`
 * words them the same way whichever implementation raised them.
 *
 * Must not import Node built-ins statically: this module is loaded in
 * browsers too. The Node implementation takes `fs` and `path` from
 * `process.getBuiltinModule` when it is asked for, so a browser bundle
 * holds no `node:` import at all (docs/decisions/0022-browser-seams.md).
 */

/** The path functions a driver needs; Node's `path` module is one. */
export interface PathOps {
  resolve(...paths: string[]): string;
  join(...paths: string[]): string;
  dirname(path: string): string;
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
}

/** What a directory entry is. */
export type EntryKind = "file" | "directory" | "other";

/** A directory entry. */
export interface DirectoryEntry {
  readonly name: string;
  readonly kind: EntryKind;
}

/** Files as the drivers see them. Paths given to these functions are absolute. */
export interface ProjectFiles {
  readonly path: PathOps;
  /** The text of a file (UTF-8); rejects with a coded error (`ENOENT`, `EISDIR`, …) when it cannot be read. */
  readText(path: string): Promise<string>;
  /** Whether the path is a file or a directory; rejects with a coded error when it does not exist. */
  kind(path: string): Promise<EntryKind>;
  /** The entries of a directory, in any order. */
  list(directory: string): Promise<readonly DirectoryEntry[]>;
}

type NodeFs = typeof import("node:fs/promises");
type NodePath = typeof import("node:path");

let nodeCache: ProjectFiles | undefined;

/**
 * The disk, through Node's `fs/promises` and `path`. Throws (a clear error,
 * not a crash later) where there is no Node, e.g. in a browser: pass
 * `memoryFiles(…)` there.
 */
export function nodeFiles(): ProjectFiles {
  if (nodeCache !== undefined) return nodeCache;
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (builtin === undefined) {
    throw new Error("internal error: no file system here (not Node): pass the files in (memoryFiles) instead of reading the disk");
  }
  const fs = builtin("node:fs/promises") as NodeFs;
  const path = builtin("node:path") as NodePath;
  nodeCache = {
    path,
    readText: (file) => fs.readFile(file, "utf8"),
    kind: async (file) => {
      const info = await fs.stat(file);
      return info.isDirectory() ? "directory" : info.isFile() ? "file" : "other";
    },
    list: async (directory) =>
      (await fs.readdir(directory, { withFileTypes: true })).map((entry) => ({
        name: entry.name,
        kind: entry.isDirectory() ? "directory" : entry.isFile() ? "file" : "other",
      })),
  };
  return nodeCache;
}

/** An error shaped like Node's file errors, so `describeIoError` words it. */
function coded(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

/**
 * An in-memory file system: absolute POSIX path → text. Directories are
 * implied by the files under them. The map is read live, so a caller may
 * change it between runs (the playground does, on every keystroke).
 */
export function memoryFiles(texts: ReadonlyMap<string, string>): ProjectFiles {
  const path = posixPath;
  const directoryHas = (directory: string): boolean => {
    const prefix = directory.endsWith("/") ? directory : `${directory}/`;
    for (const file of texts.keys()) if (file.startsWith(prefix)) return true;
    return false;
  };
  return {
    path,
    readText: async (file) => {
      const normal = path.resolve(file);
      const text = texts.get(normal);
      if (text !== undefined) return text;
      throw coded(directoryHas(normal) ? "EISDIR" : "ENOENT", normal);
    },
    kind: async (file) => {
      const normal = path.resolve(file);
      if (texts.has(normal)) return "file";
      if (normal === "/" || directoryHas(normal)) return "directory";
      throw coded("ENOENT", normal);
    },
    list: async (directory) => {
      const normal = path.resolve(directory);
      const prefix = normal === "/" ? "/" : `${normal}/`;
      const entries = new Map<string, EntryKind>();
      for (const file of texts.keys()) {
        if (!file.startsWith(prefix)) continue;
        const rest = file.slice(prefix.length);
        const slash = rest.indexOf("/");
        if (slash === -1) entries.set(rest, "file");
        else entries.set(rest.slice(0, slash), "directory");
      }
      if (entries.size === 0 && !texts.has(normal) && normal !== "/") throw coded("ENOENT", normal);
      return [...entries].map(([name, kind]) => ({ name, kind }));
    },
  };
}

/** POSIX paths without Node: what `memoryFiles` uses (the working directory is `/`). */
export const posixPath: PathOps = {
  resolve: (...paths) => {
    let out = "";
    for (const p of paths) {
      if (p === "") continue;
      out = p.startsWith("/") ? p : `${out}/${p}`;
    }
    return normalize(out.startsWith("/") ? out : `/${out}`).replace(/(.)\/$/, "$1");
  },
  join: (...paths) => {
    const joined = paths.filter((p) => p !== "").join("/");
    return joined === "" ? "." : normalize(joined);
  },
  dirname: (path) => {
    if (path === "") return ".";
    const trimmed = path.replace(/(.)\/+$/, "$1");
    if (trimmed === "/") return "/";
    const cut = trimmed.replace(/\/+[^/]*$/, "");
    if (cut === trimmed) return ".";
    return cut === "" ? "/" : cut;
  },
  relative: (from, to) => {
    const a = posixPath.resolve(from).split("/").filter((s) => s !== "");
    const b = posixPath.resolve(to).split("/").filter((s) => s !== "");
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
  },
  isAbsolute: (path) => path.startsWith("/"),
};

/** `/a/./b/../c` → `/a/c`, `a/../../b` → `../b`: no `.` segments, no trailing slash, as Node's `path.normalize`. */
function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (segment !== ".." || !absolute) parts.push(segment);
  }
  const trailing = path.endsWith("/") && parts.length > 0 ? "/" : "";
  if (absolute) return `/${parts.join("/")}${trailing}`;
  if (parts.length === 0) return path.endsWith("/") ? "./" : ".";
  return `${parts.join("/")}${trailing}`;
}
