/**
 * What a project file (agp.json, read by compiler/config) changes for the
 * drivers that find, read and check files: catalogs every policy sees,
 * paths a directory walk leaves out, warnings that are dropped.
 *
 * In: nothing. Out: the `ProjectSettings` interface the drivers take, and
 * `NO_PROJECT`, the settings when there is no project file. Paths given to
 * the functions are absolute, in the `ProjectFiles` flavour in use.
 * Must not read anything: compiler/config builds settings from agp.json.
 */

/** Settings from a project file. */
export interface ProjectSettings {
  /** Catalogs (absolute paths) every policy is checked against, besides those its `actions` statements name. */
  readonly catalogs: readonly string[];
  /** Whether a directory walk leaves this file or directory (absolute path) out. */
  ignored(path: string): boolean;
  /** Whether a warning with this code about this file (absolute path) is dropped. */
  suppressed(code: string, path: string): boolean;
}

/** No project file: nothing added, nothing left out. */
export const NO_PROJECT: ProjectSettings = {
  catalogs: [],
  ignored: () => false,
  suppressed: () => false,
};
