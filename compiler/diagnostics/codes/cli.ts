/**
 * AGP9xx: problems reading inputs (files that do not exist, unreadable
 * directories, paths that hold no policy, the project file agp.json).
 * These are I/O and usage errors: the CLI exits with 2 when only these occur.
 */
import type { CodeEntry } from "./entry.js";

export const IO_CODES = {
  AGP901: {
    title: "file not found",
    severity: "error",
    message: "cannot read `{path}`: {reason}",
  },
  AGP902: {
    title: "no policies under a path",
    severity: "error",
    message: "no .agp files under `{path}`",
    help: "policies are files ending in .agp; check the path (hidden directories, node_modules and the project's `ignore` globs are skipped)",
  },
  AGP903: {
    title: "a catalog given where policies are expected",
    severity: "error",
    message: "`{path}` is a JSON file, not a policy",
    help: "to validate an action catalog, run `agp schema check {path}`",
  },
  AGP904: {
    title: "project file is not JSON",
    severity: "error",
    message: "the project file is not valid JSON: {problem}",
  },
  AGP905: {
    title: "invalid project file setting",
    severity: "error",
    message: "{problem}",
    help: "{help}",
  },
  AGP906: {
    title: "project catalog not found",
    severity: "error",
    message: "cannot find the catalog `{spec}`: {reason}",
    help: "paths are relative to agp.json; `npm:<package>/<file>` is looked up in node_modules from the project's directory upwards",
  },
} as const satisfies Record<string, CodeEntry>;
