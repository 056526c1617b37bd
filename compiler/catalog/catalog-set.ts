/**
 * Every catalog a policy set names, merged into one CatalogSet.
 *
 * In: catalog paths (with the `actions` statement that named each, when
 * known), or already-loaded catalogs. Out: the CatalogSet the checker
 * resolves names against, every diagnostic of every catalog (AGP400–AGP412),
 * and the catalog texts for caret excerpts. A catalog named by several
 * policies is read once. Never throws for user input. Files are reached
 * through `ProjectFiles` (the disk by default, or texts held in memory).
 */
import { diagnostic, fileSpan, type Diagnostic, type Span } from "../diagnostics/index.js";
import { nodeFiles, type ProjectFiles } from "../project/index.js";
import { DEFAULT_REQUEST_SHAPE } from "./default-request.js";
import { parseJsonSource } from "./json-source.js";
import { loadCatalog, type LoadedCatalog } from "./load.js";
import type { ActionEntry, Catalog, CatalogSet, ObligationDecl } from "./types.js";

/** A catalog path, and the policy text that named it (the string of an `actions` statement). */
export interface CatalogRef {
  /** Relative to the working directory (callers join it with the .agp file's directory). */
  readonly path: string;
  /** Where the policy names it: unreadable catalogs are reported there. */
  readonly from?: Span;
}

export interface LoadedCatalogSet {
  readonly set: CatalogSet;
  /** Unsorted; pass through sortDiagnostics with the rest of the run's. */
  readonly diagnostics: readonly Diagnostic[];
  /** Catalog file name (as in spans) → text. */
  readonly sources: Map<string, string>;
}

export interface LoadOptions {
  /** The working directory paths are relative to; default process.cwd(). */
  readonly cwd?: string;
  /** Where catalog files are read; default the disk. */
  readonly files?: ProjectFiles;
  /**
   * Default: `loadCatalog`. Must return what `loadCatalog(file, text)` would:
   * the language server passes a memoized one, so an unchanged catalog is
   * not validated again after every keystroke.
   */
  readonly load?: (file: string, text: string) => LoadedCatalog;
}

/** Reads, validates and merges catalog files, in the order given. */
export async function loadCatalogFiles(
  refs: readonly (string | CatalogRef)[],
  options: LoadOptions = {},
): Promise<LoadedCatalogSet> {
  const cwd = options.cwd ?? process.cwd();
  const files = options.files ?? nodeFiles();
  const load = options.load ?? loadCatalog;
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const catalogs: Catalog[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const { path, from } = typeof ref === "string" ? { path: ref, from: undefined } : ref;
    const absolute = files.path.resolve(cwd, path);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const file = display(absolute, cwd, files);
    let text: string;
    try {
      text = await files.readText(absolute);
    } catch (error) {
      diagnostics.push(diagnostic("AGP400", from ?? fileSpan(file), { path: file, reason: describeReadError(error) }));
      continue;
    }
    sources.set(file, text);
    const loaded = load(file, text);
    for (const item of loaded.diagnostics) diagnostics.push(item);
    if (loaded.catalog !== undefined) catalogs.push(loaded.catalog);
  }
  const merged = mergeCatalogs(catalogs, sources);
  return { set: merged.set, diagnostics: [...diagnostics, ...merged.diagnostics], sources };
}

/**
 * Merges loaded catalogs: AGP410 for an action two catalogs declare, AGP411
 * for a second `request`. Without any `request`, DEFAULT_REQUEST_SHAPE applies.
 * `sources` (file → text) locates the related spans; without it they point at line 1.
 */
export function mergeCatalogs(
  catalogs: readonly Catalog[],
  sources: ReadonlyMap<string, string> = new Map(),
): { set: CatalogSet; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const actions = new Map<string, ActionEntry>();
  const spanOf = (file: string, pointer: string): Span => {
    const text = sources.get(file);
    return text === undefined ? fileSpan(file) : parseJsonSource(file, text).spanOf(pointer, { key: true });
  };
  for (const catalog of catalogs) {
    for (const action of catalog.actions) {
      const first = actions.get(action.name);
      if (first === undefined) {
        actions.set(action.name, action);
        continue;
      }
      diagnostics.push(
        diagnostic("AGP410", spanOf(action.location.file, action.location.pointer), { action: action.name }, {
          related: [{ span: spanOf(first.location.file, first.location.pointer), message: "first declared here" }],
        }),
      );
    }
  }
  const declaring = catalogs.filter((c) => c.request !== undefined);
  const first = declaring[0];
  for (const other of declaring.slice(1)) {
    diagnostics.push(
      diagnostic("AGP411", spanOf(other.file, "/request"), {}, {
        related: [{ span: spanOf(first!.file, "/request"), message: "first declared here" }],
      }),
    );
  }
  const sorted = new Map([...actions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const declared = catalogs.flatMap((c) => c.groups ?? []);
  const groups = catalogs.some((c) => c.groups !== undefined) ? [...new Set(declared)] : undefined;
  const obligations = mergeObligationDecls(catalogs, spanOf, diagnostics);
  const set: CatalogSet = {
    catalogs,
    actions: sorted,
    request: first?.request ?? DEFAULT_REQUEST_SHAPE,
    ...(groups === undefined ? {} : { groups }),
    ...(obligations === undefined ? {} : { obligations }),
  };
  return { set, diagnostics };
}

/**
 * Every catalog's obligations, by name. A name two catalogs declare must be
 * declared alike (type, merge, enum), else AGP402 at the second.
 */
function mergeObligationDecls(
  catalogs: readonly Catalog[],
  spanOf: (file: string, pointer: string) => Span,
  diagnostics: Diagnostic[],
): Map<string, ObligationDecl> | undefined {
  if (!catalogs.some((c) => c.obligations !== undefined)) return undefined;
  const merged = new Map<string, ObligationDecl>();
  for (const catalog of catalogs) {
    for (const decl of catalog.obligations?.values() ?? []) {
      const first = merged.get(decl.name);
      if (first === undefined) {
        merged.set(decl.name, decl);
        continue;
      }
      const same = (d: ObligationDecl) => JSON.stringify([d.type, d.merge, d.enum ?? null]);
      if (same(first) === same(decl)) continue;
      diagnostics.push(
        diagnostic("AGP402", spanOf(catalog.file, decl.location.pointer), {
          where: `\`${decl.location.pointer}\``,
          reason: `obligation \`${decl.name}\` is declared differently in \`${first.location.file}\``,
        }, { related: [{ span: spanOf(first.location.file, first.location.pointer), message: "first declared here" }] }),
      );
    }
  }
  return merged;
}

function display(absolute: string, cwd: string, files: ProjectFiles): string {
  const rel = files.path.relative(cwd, absolute);
  return rel === "" || rel.startsWith("..") || files.path.isAbsolute(rel) ? absolute : rel;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  return error instanceof Error ? error.message : String(error);
}
