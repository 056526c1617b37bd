/**
 * The language server's memory: open documents over the disk, and caches
 * that keep re-checking after a keystroke cheap.
 *
 * In: the open documents (absolute path → text and version) and a view of
 * the disk. Out: `Snapshot`s of a policy set — the .agp files under a
 * directory, checked by the compiler's own driver (`checkPaths`), with
 * open documents taking the place of their files on disk.
 * Caches: a parse per file (reused while its text is unchanged), a loaded
 * catalog per file (reused while its text is unchanged), and disk reads per
 * path (reused while the file's stamp — modification time and size — is).
 * Must not talk to the protocol; the server does.
 */
import type { LoadedCatalog } from "../catalog/index.js";
import { loadCatalog } from "../catalog/index.js";
import { checkPaths } from "../check/index.js";
import type { DirectoryEntry, ProjectFiles } from "../project/index.js";
import { parse, type ParseResult } from "../syntax/index.js";
import { Snapshot } from "./snapshot.js";

/** An open document as the workspace sees it. */
export interface OpenDocument {
  readonly text: string;
  readonly version: number;
}

/** How the workspace reaches the disk. */
export interface Disk {
  readonly files: ProjectFiles;
  /** A value that changes whenever the file does (e.g. mtime and size); undefined when it cannot tell. */
  stamp?(absolute: string): Promise<string | undefined>;
}

/** A snapshot and the versions of the open documents it saw. */
export interface Analysis {
  readonly snapshot: Snapshot;
  /** Absolute path → version, for the open documents read. */
  readonly versions: ReadonlyMap<string, number>;
}

/** Caches and the policy-set analysis behind every feature of the server. */
export class Workspace {
  private readonly parses = new Map<string, { text: string; result: ParseResult }>();
  private readonly catalogs = new Map<string, { text: string; result: LoadedCatalog }>();
  private readonly reads = new Map<string, { stamp: string; text: string }>();

  constructor(
    private readonly disk: Disk,
    private readonly open: () => ReadonlyMap<string, OpenDocument>,
  ) {}

  /** Parses with the cache: an unchanged text is not parsed again. */
  readonly parse = (text: string, file: string): ParseResult => {
    const cached = this.parses.get(file);
    if (cached !== undefined && cached.text === text) return cached.result;
    const result = parse(text, file);
    this.parses.set(file, { text, result });
    return result;
  };

  /** Loads a catalog with the cache: an unchanged text is not validated again. */
  readonly loadCatalog = (file: string, text: string): LoadedCatalog => {
    const cached = this.catalogs.get(file);
    if (cached !== undefined && cached.text === text) return cached.result;
    const result = loadCatalog(file, text);
    this.catalogs.set(file, { text, result });
    return result;
  };

  /** Checks the policy set under `root` (a directory), open documents first. */
  async analyze(root: string): Promise<Analysis> {
    // One consistent view: texts that change while the check runs wait for the next one.
    const open = new Map(this.open());
    const versions = new Map<string, number>();
    const files = this.overlay(open, versions);
    const result = await checkPaths([root], { cwd: root, files, parse: this.parse, loadCatalog: this.loadCatalog });
    return { snapshot: new Snapshot(root, result, files.path), versions };
  }

  /** Forgets what is cached for a path (a file changed on disk behind an editor's back). */
  forget(absolute: string): void {
    this.reads.delete(absolute);
  }

  /** The disk with open documents in place of their files (and listed even before they are saved). */
  overlay(open: ReadonlyMap<string, OpenDocument>, versions: Map<string, number>): ProjectFiles {
    const disk = this.disk.files;
    const path = disk.path;
    return {
      path,
      readText: async (file) => {
        const document = open.get(file);
        if (document !== undefined) {
          versions.set(file, document.version);
          return document.text;
        }
        return this.read(file);
      },
      kind: async (file) => (open.has(file) ? "file" : disk.kind(file)),
      list: async (directory) => {
        let entries: readonly DirectoryEntry[] = [];
        try {
          entries = await disk.list(directory);
        } catch (error) {
          if (![...open.keys()].some((p) => path.dirname(p) === directory)) throw error;
        }
        const names = new Set(entries.map((e) => e.name));
        const unsaved = [...open.keys()]
          .filter((p) => path.dirname(p) === directory && !names.has(p.slice(directory.length + 1)))
          .map((p) => ({ name: p.slice(directory.length + 1), kind: "file" as const }));
        return [...entries, ...unsaved];
      },
    };
  }

  private async read(absolute: string): Promise<string> {
    const stamp = await this.disk.stamp?.(absolute).catch(() => undefined);
    const cached = this.reads.get(absolute);
    if (stamp !== undefined && cached !== undefined && cached.stamp === stamp) return cached.text;
    const text = await this.disk.files.readText(absolute);
    if (stamp !== undefined) this.reads.set(absolute, { stamp, text });
    return text;
  }
}
