/**
 * The codegen stage's face: `emit(ir, header) → { wasm, manifest }`
 * (emit.ts), the binaryen wrapper and helpers to place the lowering's tables.
 *
 * Must not: re-export binaryen or anything typed by it; only module.ts
 * imports binaryen.
 */
export { emit, type EmitOptions, type Emitted } from "./emit.js";
export { JSON_LIMITS } from "./json-entry.js";
export { combineTable } from "./combine-table.js";
export {
  createModule,
  PolicyModule,
  Code,
  type Expr,
  type FunctionSpec,
  type CreateModuleOptions,
  type SealOptions,
  type LoadKind,
  type StoreKind,
  type I32Op,
  type I64Op,
  type F64Op,
  type Conversion,
} from "./module.js";
export { STDLIB_VERSION, STDLIB_FUNCTIONS, type StdlibFunction, type StdlibSignature, type ValueType } from "./stdlib-abi.js";
export { DEFAULT_DATA_BASE, PAGE_SIZE, type PlaceOptions } from "./data-layout.js";
export { placeDfa, placeHashSet } from "./static-tables.js";
export { listSections, countImports, assertNoImports, type WasmSection } from "./wasm-sections.js";
