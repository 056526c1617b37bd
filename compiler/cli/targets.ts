/**
 * What a policy verb (check, test, compile, fmt) runs on: the paths the user
 * named, or the policy sets of the project file (agp.json), and the project
 * settings that apply.
 *
 * In: the verb's paths and `--set` names, the working directory. Out: the
 * targets (each a set name and its paths) and the project, or diagnostics
 * that stop the verb (a broken agp.json, a `.json` catalog named as a
 * policy, an unknown set) or a usage error. After a run, `emptyPaths` says
 * which named directories held no policy (AGP902).
 * Must not check or compile anything.
 */
import { basename, isAbsolute, relative, resolve, sep } from "node:path";
import { findProject, type Project } from "../config/index.js";
import { diagnostic, fileSpan, type Diagnostic } from "../diagnostics/index.js";
import type { CliIo } from "./io.js";

/** One policy set to run: its name (for `-o <dir>/<name>.wasm`) and paths relative to the working directory. */
export interface Target {
  readonly name: string;
  readonly paths: readonly string[];
  /** True when the name comes from agp.json. */
  readonly fromProject: boolean;
}

/** The targets, or why there are none. */
export type Targets =
  | { readonly kind: "ok"; readonly targets: readonly Target[]; readonly project?: Project; readonly diagnostics: readonly Diagnostic[]; readonly sources: Map<string, string> }
  | { readonly kind: "diagnostics"; readonly diagnostics: readonly Diagnostic[]; readonly sources: Map<string, string> }
  | { readonly kind: "usage"; readonly message: string };

/** How a verb takes its inputs. */
export interface TargetOptions {
  /** `--set` names given. */
  readonly sets?: readonly string[];
  /** The paths used when none are given and no project lists sets (`agp test`: `.`); none means a usage error. */
  readonly fallback?: readonly string[];
}

/**
 * Resolves what to run on. Paths given win (one target); otherwise the
 * `--set`s named, or every set of agp.json; otherwise `fallback`.
 */
export async function resolveTargets(verb: string, paths: readonly string[], io: CliIo, options: TargetOptions = {}): Promise<Targets> {
  const found = await findProject(io.cwd);
  if (found.project === undefined && found.diagnostics.length > 0) return { kind: "diagnostics", diagnostics: found.diagnostics, sources: found.sources };
  const project = found.project;
  const withProject = project === undefined ? {} : { project };
  const shown = (absolute: string): string => {
    const rel = relative(io.cwd, absolute);
    return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? absolute : rel;
  };
  const named = options.sets ?? [];
  if (paths.length > 0) {
    if (named.length > 0) return { kind: "usage", message: "give paths or --set, not both" };
    // A catalog named where policies are expected: say what to run instead of a page of syntax errors.
    const catalogs = paths.filter((p) => p.toLowerCase().endsWith(".json"));
    if (catalogs.length > 0) return { kind: "diagnostics", diagnostics: catalogs.map((p) => diagnostic("AGP903", fileSpan(p), { path: p })), sources: found.sources };
    const only = paths.length === 1 ? paths[0]! : undefined;
    const fromSet = project?.sets.find((s) => s.paths.length === paths.length && s.paths.every((p, i) => p === resolve(io.cwd, paths[i]!)));
    const name = fromSet?.name ?? (only === undefined ? "policy" : basename(resolve(io.cwd, only)).replace(/\.agp$/, ""));
    return { kind: "ok", targets: [{ name, paths, fromProject: fromSet !== undefined }], ...withProject, diagnostics: [], sources: found.sources };
  }
  const sets = project?.sets ?? [];
  if (named.length > 0) {
    if (sets.length === 0) return { kind: "usage", message: `--set names a policy set of agp.json, but ${project === undefined ? "there is no agp.json here or above" : "it lists no sets"}` };
    const unknown = named.filter((n) => !sets.some((s) => s.name === n));
    if (unknown.length > 0) return { kind: "usage", message: `no policy set \`${unknown[0]}\` in ${shown(project!.file)}; its sets are ${sets.map((s) => `\`${s.name}\``).join(", ")}` };
  }
  const chosen = named.length > 0 ? sets.filter((s) => named.includes(s.name)) : sets;
  if (chosen.length > 0) {
    return { kind: "ok", targets: chosen.map((s) => ({ name: s.name, paths: s.paths.map(shown), fromProject: true })), ...withProject, diagnostics: [], sources: found.sources };
  }
  if (options.fallback !== undefined) {
    return { kind: "ok", targets: [{ name: basename(io.cwd), paths: options.fallback, fromProject: false }], ...withProject, diagnostics: [], sources: found.sources };
  }
  return { kind: "usage", message: `${verb} needs paths: give .agp files or directories, or list policy sets in agp.json (\`agp init\` writes one)` };
}

/**
 * AGP902 for each path that is a directory in which nothing was found: a
 * path that does not exist already has AGP901, and a file named is read.
 */
export function emptyPaths(paths: readonly string[], files: readonly string[], diagnostics: readonly Diagnostic[], cwd: string): Diagnostic[] {
  const found = files.map((f) => resolve(cwd, f));
  const unreadable = new Set(diagnostics.filter((d) => d.code === "AGP901").map((d) => resolve(cwd, d.span.file)));
  return paths
    .filter((p) => {
      const absolute = resolve(cwd, p);
      return !unreadable.has(absolute) && !found.some((f) => f === absolute || f.startsWith(absolute.endsWith(sep) ? absolute : absolute + sep));
    })
    .map((p) => diagnostic("AGP902", fileSpan(p), { path: p }));
}
