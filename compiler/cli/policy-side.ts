/**
 * One side of `agp diff` / `agp replay`: a policy set named by a path (a
 * directory or `.agp` file), a compiled module (`.wasm`, whose sources are
 * found beside it and verified by content hash), or a git revision (its
 * tree read without a checkout; the policy paths are `--path`).
 *
 * In: the argument as typed, the policy paths for revisions, the working
 * directory, where module sources are. Out: a loaded policy set with a
 * label and a cleanup, or what is wrong (policy diagnostics, or a message
 * for a usage error). Must not analyze anything.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Diagnostic } from "../diagnostics/index.js";
import { findSources } from "./explain-decision.js";
import { isRevision, treeAt } from "./git-revision.js";
import type { CliIo } from "./io.js";
import { loadModuleFile } from "./policy-module.js";
import { loadPolicySet, locator, type LoadedPolicySet } from "./policy-set.js";

export type PolicySide =
  | { readonly kind: "loaded"; readonly label: string; readonly set: LoadedPolicySet; readonly cleanup: () => Promise<void> }
  | { readonly kind: "policy-errors"; readonly label: string; readonly diagnostics: readonly Diagnostic[]; readonly sources: Map<string, string>; readonly cleanup: () => Promise<void> }
  | { readonly kind: "usage"; readonly message: string };

const nothing = async (): Promise<void> => undefined;

/** Resolves `arg` to a policy set. */
export async function loadSide(io: CliIo, arg: string, revisionPaths: readonly string[], sourcesDir: string | undefined): Promise<PolicySide> {
  const path = resolve(io.cwd, arg);
  if (arg.endsWith(".wasm") && existsSync(path)) return fromModule(io, arg, sourcesDir);
  if (existsSync(path)) return fromPaths([arg], io.cwd, arg, nothing);
  if (await isRevision(arg, io.cwd)) {
    const tree = await treeAt(arg, io.cwd);
    if ("error" in tree) return { kind: "usage", message: tree.error };
    return fromPaths(revisionPaths, tree.dir, `${arg} (${revisionPaths.join(", ")})`, tree.cleanup);
  }
  return { kind: "usage", message: `\`${arg}\` is neither a file, a directory nor a git revision` };
}

async function fromPaths(paths: readonly string[], cwd: string, label: string, cleanup: () => Promise<void>): Promise<PolicySide> {
  const loaded = await loadPolicySet(paths, cwd);
  if (!("checked" in loaded)) return { kind: "policy-errors", label, diagnostics: loaded.diagnostics, sources: loaded.sources, cleanup };
  return { kind: "loaded", label, set: loaded, cleanup };
}

/**
 * A compiled module carries rule ids and locations but no conditions, so
 * it is compared through its sources: found under `--sources` (default the
 * working directory) and accepted only when their content hash is the
 * module's.
 */
async function fromModule(io: CliIo, file: string, sourcesDir: string | undefined): Promise<PolicySide> {
  const loaded = await loadModuleFile(io, file);
  if ("error" in loaded) return { kind: "usage", message: loaded.error };
  const base = resolve(io.cwd, sourcesDir ?? ".");
  const found = await findSources(loaded.engine.manifest, { base, label: sourcesDir ?? "." });
  if ("message" in found) {
    const why = found.message.replace(/; no explanation$/, "");
    return { kind: "usage", message: `\`${file}\` is a compiled module, which holds no conditions; it is compared through its sources, but ${why}` };
  }
  const sources = new Map(found.sources);
  const files = [...new Set(found.checked.packages.flatMap((p) => p.files))].sort();
  const set: LoadedPolicySet = { checked: found.checked, catalogs: found.catalogs, sources, files, diagnostics: [], locate: locator(sources) };
  return { kind: "loaded", label: `${file} (sources in ${sourcesDir ?? "."})`, set, cleanup: nothing };
}
