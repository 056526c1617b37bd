/**
 * The IR's face: types (types.ts), the printer behind `agp inspect --ir`
 * (print.ts) and the validator tests run between stages (validate.ts).
 * Other stages import compiler/ir only through this file.
 */
export type * from "./types.js";
export { IR_VERSION } from "./types.js";
export { printIr } from "./print.js";
export { validateIr } from "./validate.js";
