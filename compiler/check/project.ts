/**
 * The checking driver behind `agp check`: files and directories in, every
 * diagnostic of every stage out.
 *
 * In: paths (files or directories, searched recursively for `.agp`, sorted,
 * `node_modules` and hidden directories skipped) relative to `cwd`.
 * Out: all diagnostics — unreadable paths (AGP901), syntax (AGP1xx), catalog
 * (AGP4xx), type and name errors (AGP2xx), warnings (AGP3xx) — in one sorted
 * list; the texts of every .agp and catalog file read (for caret excerpts);
 * the checked policy set when there are no errors. A file with syntax errors
 * does not stop the others: the statements that parsed are checked.
 * `actions "…"` paths are relative to the .agp file that names them.
 * Files are reached through `ProjectFiles` (the disk by default; texts in
 * memory for the playground; open editor buffers over the disk for the
 * language server, which also passes memoizing `parse` and `loadCatalog`).
 * An absolute `actions` path is used as given.
 * A project file (`project`, ProjectSettings from compiler/config) adds
 * catalogs every package sees, prunes directory walks and drops the
 * warnings it suppresses (before `strict` promotes the rest).
 * Must not print anything (the CLI renders).
 */
import { loadCatalogFiles, parseJsonSource, type CatalogRef, type CatalogSet, type LoadedCatalog, type SchemaLocation } from "../catalog/index.js";
import { CODES, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { discoverPolicyFiles, nodeFiles, NO_PROJECT, readPolicyFiles, type ParsedSource, type ProjectFiles, type ProjectSettings } from "../project/index.js";
import type { ParseResult, Span } from "../syntax/index.js";
import type { CheckedPolicySet } from "./checked.js";
import { check, REPORTED_ONLY } from "./check.js";

export interface CheckPathsOptions {
  /** Warnings become errors (except AGP305, reported only). */
  readonly strict?: boolean;
  /** The directory paths are relative to, and file names in diagnostics are shown from. Default: process.cwd(). */
  readonly cwd?: string;
  /** Approver groups known besides those the catalogs declare (`"groups"`); with neither, any group name is accepted. */
  readonly groups?: readonly string[];
  /** Where files are read; default the disk. */
  readonly files?: ProjectFiles;
  /** Default: compiler/syntax `parse`; a memoized one must return what it would. */
  readonly parse?: (text: string, file: string) => ParseResult;
  /** Default: compiler/catalog `loadCatalog`; a memoized one must return what it would. */
  readonly loadCatalog?: (file: string, text: string) => LoadedCatalog;
  /** The project file's settings (agp.json); default none. */
  readonly project?: ProjectSettings;
}

export interface CheckPathsResult {
  /** Every diagnostic of every stage, sorted; warnings already promoted under `strict`. */
  readonly diagnostics: Diagnostic[];
  /** File name (as in spans) → text, for .agp files and catalogs alike. */
  readonly sources: Map<string, string>;
  /** The .agp files checked, sorted. */
  readonly files: readonly string[];
  /** Present when no diagnostic is an error. */
  readonly checked?: CheckedPolicySet;
  /**
   * For editors: the checker's view of whatever it could check, even when
   * there are errors (resolutions and types for hover, definitions,
   * completion). Never compile or decide with it; use `checked`.
   */
  readonly analysis: CheckedPolicySet;
  /** Every .agp file read, with its AST and comments. */
  readonly parsed: readonly ParsedSource[];
  /** The catalogs that loaded, merged (those with errors are left out, as for checking). */
  readonly catalogs: CatalogSet;
}

export async function checkPaths(paths: readonly string[], options: CheckPathsOptions = {}): Promise<CheckPathsResult> {
  const cwd = options.cwd ?? process.cwd();
  const host = options.files ?? nodeFiles();
  const path = host.path;
  const project = options.project ?? NO_PROJECT;
  const discovered = await discoverPolicyFiles(paths, cwd, host, project);
  const read = await readPolicyFiles(discovered.files, cwd, { files: host, ...(options.parse === undefined ? {} : { parse: options.parse }) });
  const refs: CatalogRef[] = [];
  const packageCatalogs = new Map<string, string[]>();
  for (const source of read.parsed) {
    const packageDecl = source.ast.statements.find((s) => s.kind === "Package");
    const name = packageDecl?.kind === "Package" ? packageDecl.name.parts.join(".") : "";
    const files = packageCatalogs.get(name) ?? [];
    packageCatalogs.set(name, files);
    for (const statement of source.ast.statements) {
      if (statement.kind !== "Actions") continue;
      // An absolute path is used as given; a relative one is relative to the .agp file's folder.
      const given = statement.path.value;
      const catalogPath = path.isAbsolute(given) ? given : path.join(path.dirname(source.file), given);
      refs.push({ path: catalogPath, from: statement.path.span });
      files.push(display(path.resolve(cwd, catalogPath), cwd, host));
    }
  }
  // The project's catalogs: seen by every package, as if each named them.
  for (const catalog of project.catalogs) {
    refs.push({ path: catalog });
    for (const files of packageCatalogs.values()) files.push(display(catalog, cwd, host));
  }
  const loaded = await loadCatalogFiles(refs, { cwd, files: host, ...(options.loadCatalog === undefined ? {} : { load: options.loadCatalog }) });
  const sources = new Map([...read.sources, ...loaded.sources]);
  const located = new Map<string, ReturnType<typeof parseJsonSource>>();
  const locate = (location: SchemaLocation): Span | undefined => {
    const text = loaded.sources.get(location.file);
    if (text === undefined) return undefined;
    let json = located.get(location.file);
    if (json === undefined) {
      json = parseJsonSource(location.file, text);
      located.set(location.file, json);
    }
    return json.spanOf(location.pointer, { key: true });
  };
  const loadedFiles = new Set(loaded.set.catalogs.map((c) => c.file));
  const incomplete = new Set([...packageCatalogs].filter(([, files]) => files.some((f) => !loadedFiles.has(f))).map(([name]) => name));
  const result = check(
    {
      files: read.parsed.map((p) => p.ast),
      catalogs: loaded.set,
      packageCatalogs,
      incomplete,
      earlierErrors: hasErrors([...discovered.diagnostics, ...read.diagnostics, ...loaded.diagnostics]),
      locate,
      ...(options.groups === undefined ? {} : { groups: options.groups }),
    },
    options.strict === true ? { strict: true } : {},
  );
  let diagnostics = sortDiagnostics([...discovered.diagnostics, ...read.diagnostics, ...loaded.diagnostics, ...result.diagnostics]);
  // By the code's own severity: under --strict the checker has already made warnings errors, and a
  // suppressed warning must stay suppressed (agp.json refuses to suppress a code that is an error).
  diagnostics = diagnostics.filter((d) => (CODES as Record<string, { severity: string } | undefined>)[d.code]?.severity !== "warning" || !project.suppressed(d.code, path.resolve(cwd, d.span.file)));
  if (options.strict === true) {
    diagnostics = diagnostics.map((d) => (d.severity === "warning" && !REPORTED_ONLY.has(d.code) ? { ...d, severity: "error" } : d));
  }
  return {
    diagnostics,
    sources,
    files: discovered.files,
    ...(hasErrors(diagnostics) ? {} : { checked: result.checked }),
    analysis: result.checked,
    parsed: read.parsed,
    catalogs: loaded.set,
  };
}

function display(absolute: string, cwd: string, files: ProjectFiles): string {
  const rel = files.path.relative(cwd, absolute);
  return rel === "" || rel.startsWith("..") || files.path.isAbsolute(rel) ? absolute : rel;
}
