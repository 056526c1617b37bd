/**
 * The project file, agp.json: found by walking up from the working
 * directory, read, validated, its paths made absolute.
 *
 * In: a working directory (or a file's text) and the `ProjectFiles` seam.
 * Out: a `Project` — its policy sets, the settings the drivers take
 * (catalogs every policy sees, `ignore` globs, suppressed warnings), the
 * defaults of `--strict` and `--coverage-threshold` — or the diagnostics
 * (AGP904–AGP906, located in agp.json) that stop it. No project file is
 * not an error: `project` is absent. Unknown keys are errors, so a typo
 * never silently does nothing. The format is in docs/cli.md ("Project
 * file") and project.schema.json beside this file.
 * Must not read policies or catalogs: only agp.json, and whether the
 * catalogs it names exist. The located JSON parser (compiler/catalog, which
 * loads ajv) is loaded only to place a problem: every verb reads agp.json.
 */
import type { JsonValue } from "../catalog/index.js";
import { CODES, diagnostic, type Diagnostic } from "../diagnostics/index.js";
import { compileGlob, nodeFiles, type Glob, type ProjectFiles, type ProjectSettings } from "../project/index.js";

/** The name of the project file. */
export const PROJECT_FILE = "agp.json";

/** One policy set: a name (the compiled module's file name) and its paths (absolute). */
export interface PolicySetEntry {
  readonly name: string;
  readonly paths: readonly string[];
}

/** A project file, read and validated. */
export interface Project {
  /** agp.json, absolute. */
  readonly file: string;
  /** Its directory: every path in it is relative to this. */
  readonly root: string;
  /** The policy sets, in file order; empty when the file names none. */
  readonly sets: readonly PolicySetEntry[];
  /** What the drivers apply: project catalogs (absolute), ignore, suppress. */
  readonly settings: ProjectSettings;
  /** The default of `--strict` (check, test, compile). */
  readonly strict?: boolean;
  /** The default of `agp test --coverage-threshold`. */
  readonly coverageThreshold?: number;
}

/** A project, or why it cannot be used; `text` is agp.json's text for caret excerpts. */
export interface LoadedProject {
  readonly project?: Project;
  readonly diagnostics: readonly Diagnostic[];
  /** agp.json (as shown) → its text, when one was read. */
  readonly sources: Map<string, string>;
}

const KEYS = ["$schema", "sets", "catalogs", "ignore", "suppress", "strict", "coverage"];
const SET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Finds agp.json in `cwd` or the nearest directory above it, and loads it. */
export async function findProject(cwd: string, files: ProjectFiles = nodeFiles()): Promise<LoadedProject> {
  const path = files.path;
  for (let directory = path.resolve(cwd); ; ) {
    const candidate = path.join(directory, PROJECT_FILE);
    let text: string | undefined;
    try {
      if ((await files.kind(candidate)) === "file") text = await files.readText(candidate);
    } catch {
      // Absent or unreadable: keep walking up (an unreadable agp.json cannot configure anything).
    }
    if (text !== undefined) return loadProject(candidate, text, cwd, files);
    const parent = path.dirname(directory);
    if (parent === directory) return { diagnostics: [], sources: new Map() };
    directory = parent;
  }
}

/** A problem found, placed in the text once the located parser is loaded. */
interface Found {
  readonly code: "AGP905" | "AGP906";
  readonly pointer: string;
  readonly key: boolean;
  readonly values: Readonly<Record<string, string>>;
}

/** Validates the text of the project file at `file` (absolute); `cwd` is where its name is shown from. */
export async function loadProject(file: string, text: string, cwd: string, files: ProjectFiles = nodeFiles()): Promise<LoadedProject> {
  const path = files.path;
  const shown = displayPath(file, cwd, files);
  const sources = new Map([[shown, text]]);
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    const { parseJsonSource } = await import("../catalog/index.js");
    const json = parseJsonSource(shown, text);
    const syntax = json.problems.find((p) => p.duplicateKey === undefined);
    const at = syntax === undefined ? json.spanAt(0, 0) : json.spanAt(syntax.offset, syntax.endOffset);
    return { diagnostics: [diagnostic("AGP904", at, { problem: syntax?.message ?? "no value" })], sources };
  }
  const found: Found[] = [];
  const problem: Problem = (pointer, message, help, key = false) => found.push({ code: "AGP905", pointer, key, values: { problem: message, help } });
  if (!isObject(value)) problem("", "the project file must be a JSON object", "see docs/cli.md, \"Project file\"");
  const root = path.dirname(file);
  const object = isObject(value) ? value : {};
  for (const key of Object.keys(object)) {
    if (!KEYS.includes(key)) problem(`/${escape(key)}`, `unknown setting \`${key}\``, `the settings are ${KEYS.slice(1).map((k) => `\`${k}\``).join(", ")}`, true);
  }
  const sets = readSets(object.sets, problem, (p) => path.resolve(root, p));
  const ignore = readStrings(object.ignore, "/ignore", "`ignore` must be a list of globs", problem).map(({ text: glob }) => compileGlob(glob));
  const suppress = readSuppress(object.suppress, problem);
  const catalogs = await readCatalogs(object.catalogs, problem, found, root, files);
  if (object.strict !== undefined && typeof object.strict !== "boolean") problem("/strict", "`strict` must be true or false", "it is the default of `--strict`");
  let coverageThreshold: number | undefined;
  if (object.coverage !== undefined) {
    const coverage = object.coverage;
    const threshold = isObject(coverage) ? coverage.threshold : undefined;
    if (!isObject(coverage) || Object.keys(coverage).some((k) => k !== "threshold")) {
      problem("/coverage", "`coverage` must be an object with one setting, `threshold`", "for example `\"coverage\": { \"threshold\": 100 }`");
    } else if (threshold !== undefined && (typeof threshold !== "number" || threshold < 0 || threshold > 100)) {
      problem("/coverage/threshold", "`coverage.threshold` must be a number from 0 to 100", "it is the default of `agp test --coverage-threshold`");
    } else if (typeof threshold === "number") coverageThreshold = threshold;
  }
  if (found.length > 0) {
    const { parseJsonSource } = await import("../catalog/index.js");
    const json = parseJsonSource(shown, text);
    return { diagnostics: found.map((f) => diagnostic(f.code, json.spanOf(f.pointer, { key: f.key }), f.values)), sources };
  }
  const relative = (absolute: string): string => files.path.relative(root, absolute).split("\\").join("/");
  const settings: ProjectSettings = {
    catalogs,
    ignored: (p) => {
      const rel = relative(p);
      return !rel.startsWith("..") && ignore.some((g) => g.matches(rel));
    },
    suppressed: (code, p) => {
      const where = suppress.get(code);
      if (where === undefined) return false;
      if (where === "everywhere") return true;
      const rel = relative(p);
      return !rel.startsWith("..") && where.some((g) => g.matches(rel));
    },
  };
  return {
    diagnostics: [],
    sources,
    project: {
      file,
      root,
      sets,
      settings,
      ...(typeof object.strict === "boolean" ? { strict: object.strict } : {}),
      ...(coverageThreshold === undefined ? {} : { coverageThreshold }),
    },
  };
}

type Problem = (pointer: string, message: string, help: string, key?: boolean) => void;

function readSets(value: JsonValue | undefined, problem: Problem, absolute: (p: string) => string): PolicySetEntry[] {
  if (value === undefined) return [];
  if (!isObject(value)) {
    problem("/sets", "`sets` must be an object: set name → a path or a list of paths", "for example `\"sets\": { \"platform\": \"policies/platform\" }`");
    return [];
  }
  const sets: PolicySetEntry[] = [];
  for (const [name, given] of Object.entries(value)) {
    const pointer = `/sets/${escape(name)}`;
    if (!SET_NAME.test(name)) {
      problem(pointer, `\`${name}\` is not a usable set name`, "a set's name is its module's file name (`<name>.wasm`): letters, digits, `.`, `_` and `-`", true);
      continue;
    }
    const list = typeof given === "string" ? [given] : given;
    if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === "string" && p !== "")) {
      problem(pointer, `set \`${name}\` must be a path or a non-empty list of paths`, "paths are .agp files or directories, relative to agp.json");
      continue;
    }
    sets.push({ name, paths: (list as string[]).map(absolute) });
  }
  return sets;
}

function readStrings(value: JsonValue | undefined, pointer: string, message: string, problem: Problem): { text: string; pointer: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problem(pointer, message, "write it as a JSON array of strings");
    return [];
  }
  const out: { text: string; pointer: string }[] = [];
  value.forEach((item, index) => {
    if (typeof item === "string" && item !== "") out.push({ text: item, pointer: `${pointer}/${index}` });
    else problem(`${pointer}/${index}`, message, "each item is a non-empty string");
  });
  return out;
}

function readSuppress(value: JsonValue | undefined, problem: Problem): Map<string, "everywhere" | Glob[]> {
  const out = new Map<string, "everywhere" | Glob[]>();
  if (value === undefined) return out;
  if (!isObject(value)) {
    problem("/suppress", "`suppress` must be an object: warning code → true, or a list of file globs", "for example `\"suppress\": { \"AGP305\": [\"policies/legacy/**\"] }`");
    return out;
  }
  for (const [code, where] of Object.entries(value)) {
    const pointer = `/suppress/${escape(code)}`;
    const entry = (CODES as Record<string, { severity: string }>)[code];
    if (entry === undefined) {
      problem(pointer, `\`${code}\` is not an agp diagnostic code`, "codes are listed in docs/errors.md", true);
      continue;
    }
    if (entry.severity !== "warning") {
      problem(pointer, `\`${code}\` is an error; only warnings can be suppressed`, "fix the error instead: agp never lets an error through", true);
      continue;
    }
    if (where === true) out.set(code, "everywhere");
    else if (Array.isArray(where) && where.length > 0 && where.every((g) => typeof g === "string" && g !== "")) out.set(code, (where as string[]).map(compileGlob));
    else problem(pointer, `\`${code}\` must be true (everywhere) or a non-empty list of file globs`, "globs are relative to agp.json, e.g. `policies/legacy/**`");
  }
  return out;
}

async function readCatalogs(value: JsonValue | undefined, problem: Problem, found: Found[], root: string, files: ProjectFiles): Promise<string[]> {
  const out: string[] = [];
  const missing = (pointer: string, spec: string, reason: string): void => {
    found.push({ code: "AGP906", pointer, key: false, values: { spec, reason } });
  };
  for (const { text, pointer } of readStrings(value, "/catalogs", "`catalogs` must be a list of catalog files", problem)) {
    const resolved = text.startsWith("npm:") ? await resolveNpm(text.slice(4), root, files) : { path: files.path.resolve(root, text) };
    if ("reason" in resolved) {
      missing(pointer, text, resolved.reason);
      continue;
    }
    let kind: string;
    try {
      kind = await files.kind(resolved.path);
    } catch {
      kind = "missing";
    }
    if (kind !== "file") {
      missing(pointer, text, kind === "missing" ? "no such file" : "it is not a file");
      continue;
    }
    out.push(resolved.path);
  }
  return out;
}

/**
 * `npm:<package>/<file>`: the file inside a package installed in
 * node_modules, looked up from `from` upwards as Node looks packages up.
 * The package's `exports` map is not consulted: a catalog is data read from
 * the package's folder, not a module imported from it.
 */
export async function resolveNpm(spec: string, from: string, files: ProjectFiles): Promise<{ path: string } | { reason: string }> {
  const match = /^((?:@[^/@]+\/)?[^/@]+)\/(.+)$/.exec(spec);
  if (match === null || match[2]!.split("/").some((s) => s === ".." || s === "")) {
    return { reason: "write `npm:<package>/<file inside it>`, e.g. `npm:@acme/agp-catalogs/github.json`" };
  }
  const [, name, inside] = match as unknown as [string, string, string];
  for (let directory = from; ; ) {
    const packageDir = files.path.join(directory, "node_modules", name);
    let found = false;
    try {
      found = (await files.kind(packageDir)) === "directory";
    } catch {
      found = false;
    }
    if (found) return { path: files.path.join(packageDir, inside) };
    const parent = files.path.dirname(directory);
    if (parent === directory) return { reason: `the package \`${name}\` is not installed (no node_modules/${name} here or above); add it to your devDependencies` };
    directory = parent;
  }
}

function displayPath(absolute: string, cwd: string, files: ProjectFiles): string {
  const rel = files.path.relative(cwd, absolute);
  return rel === "" || rel.startsWith("..") || files.path.isAbsolute(rel) ? absolute : rel;
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
