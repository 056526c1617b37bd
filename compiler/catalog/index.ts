/**
 * Public face of compiler/catalog: action catalogs (JSON Schema 2020-12
 * documents) loaded, validated and reduced to the catalog model the checker
 * consumes; the built-in request shape; and the MCP tool-list importer.
 * Other stages import only from here. The format is in docs/catalogs.md.
 */
export type {
  ActionEntry,
  AnyType,
  ArrayType,
  BooleanType,
  Catalog,
  CompiledPattern,
  DependentRequired,
  CatalogSet,
  Field,
  FieldType,
  JsonValue,
  MetadataValue,
  NullType,
  NumberType,
  ObjectType,
  ObligationDecl,
  ObligationMerge,
  ObligationType,
  RequestShape,
  SchemaLocation,
  StringType,
  UnionType,
} from "./types.js";
export { loadCatalog, type LoadedCatalog } from "./load.js";
export { loadCatalogFiles, mergeCatalogs, type CatalogRef, type LoadedCatalogSet, type LoadOptions } from "./catalog-set.js";
export { BUILT_IN_FILE, DEFAULT_REQUEST_SCHEMA, DEFAULT_REQUEST_SHAPE } from "./default-request.js";
export { describeType, lookupField, matchActions, walkType, type FieldLookup } from "./query.js";
export { parseJsonSource, toPointer, parsePointer, type JsonSource } from "./json-source.js";
export { actionKeyFor, describeMissingBound, formatJson, importFlags, importMcp, recordedImportOptions, type ImportOptions, type McpImport, type MissingBound } from "./import-mcp.js";
export { adaptSchema, emptyCounts, type AdaptCounts, type AdaptOptions } from "./import-adapt.js";
export { summarizeCatalogSet } from "./summary.js";
export { patternMatches, compilePattern, MAX_PATTERN_STATES } from "./pattern-automata.js";
export { parsePattern, type PatternNode, type ParsedPattern } from "./pattern.js";
export { ANNOTATION_KEYWORDS, ENFORCED_KEYWORDS, REFUSED_KEYWORDS } from "./keywords.js";
export { MAX_SCHEMA_DEPTH, MAX_UNIQUE_ITEMS } from "./reduce.js";
export { MAX_ENUM_MEMBERS } from "./reduce-scalar.js";
export { DEFAULT_MERGE, MERGES_BY_TYPE } from "./obligations.js";
export { catalogDrift, type DriftChange } from "./drift.js";
export { unboundedDiagnostics, unboundedFields, type UnboundedField } from "./unbounded.js";
