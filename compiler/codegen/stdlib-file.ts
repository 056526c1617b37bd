/**
 * Finds and reads the stdlib build (stdlib/build/stdlib.wasm).
 *
 * In: nothing, or an explicit path. Out: the bytes, read once per process.
 * Must not: build the stdlib (that is `npm run build:stdlib`) or search
 * beyond the two layouts we ship: the source tree (compiler/codegen/*.ts)
 * and the compiled tree (dist/compiler/codegen/*.js).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CANDIDATES = ["../../stdlib/build/stdlib.wasm", "../../../stdlib/build/stdlib.wasm"];

let cached: Uint8Array | undefined;

/** Path of the stdlib build, or undefined when it has not been built. */
export function findStdlibPath(): string | undefined {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The stdlib build's bytes; throws with the fix when it is missing. */
export function readStdlib(): Uint8Array {
  if (cached !== undefined) return cached;
  const path = findStdlibPath();
  if (path === undefined) {
    throw new Error("the agp stdlib is not built (stdlib/build/stdlib.wasm is missing): run `npm run build:stdlib`");
  }
  cached = new Uint8Array(readFileSync(path));
  return cached;
}
