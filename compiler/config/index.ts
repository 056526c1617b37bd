/**
 * Public face of compiler/config: the project file, agp.json (its policy
 * sets, project catalogs, ignore globs, suppressed warnings and defaults),
 * found by walking up from the working directory. The CLI reads it; the
 * drivers take its `ProjectSettings` (compiler/project).
 */
export { findProject, loadProject, resolveNpm, PROJECT_FILE, type LoadedProject, type PolicySetEntry, type Project } from "./load.js";
