/**
 * Public face of compiler/project: finding and reading the policy files a
 * command names.
 */
export { describeIoError, discoverPolicyFiles, type Discovered } from "./discover.js";
export { readPolicyFiles, type ParsedSource, type ReadResult } from "./read.js";
