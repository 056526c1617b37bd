/**
 * Public face of compiler/project: finding and reading the policy files a
 * command names, through the file system seam (`ProjectFiles`: the disk, or
 * files held in memory as the browser playground does).
 */
export { describeIoError, discoverPolicyFiles, type Discovered } from "./discover.js";
export { readPolicyFiles, type ParsedSource, type ReadOptions, type ReadResult } from "./read.js";
export { memoryFiles, nodeFiles, posixPath, type DirectoryEntry, type EntryKind, type PathOps, type ProjectFiles } from "./files.js";
export { compileGlob, type Glob } from "./glob.js";
export { NO_PROJECT, type ProjectSettings } from "./settings.js";
