/**
 * Finds and reads the stdlib build (stdlib/build/stdlib.wasm).
 *
 * In: nothing, or an explicit path. Out: the bytes, read once per process.
 * Must not: build the stdlib (that is `npm run build:stdlib`) or search
 * beyond the two layouts we ship: the source tree (compiler/codegen/*.ts)
 * and the compiled tree (dist/compiler/codegen/*.js).
 * Must not import Node built-ins statically: codegen also runs in the
 * browser playground, which passes the stdlib bytes in (`stdlib` option of
 * `createModule`/`emit`/`compilePolicy`); there `readStdlib` says so.
 */

const CANDIDATES = ["../../stdlib/build/stdlib.wasm", "../../../stdlib/build/stdlib.wasm"];

let cached: Uint8Array | undefined;

type NodeFs = typeof import("node:fs");
type NodeUrl = typeof import("node:url");

/** `node:fs` and `node:url` where there is Node; undefined in a browser (ADR 0022). */
function nodeModules(): { fs: NodeFs; url: NodeUrl } | undefined {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (builtin === undefined) return undefined;
  return { fs: builtin("node:fs") as NodeFs, url: builtin("node:url") as NodeUrl };
}

/** Path of the stdlib build, or undefined when it has not been built (or there is no file system). */
export function findStdlibPath(): string | undefined {
  const node = nodeModules();
  if (node === undefined) return undefined;
  for (const candidate of CANDIDATES) {
    const path = node.url.fileURLToPath(new URL(candidate, import.meta.url));
    if (node.fs.existsSync(path)) return path;
  }
  return undefined;
}

/** The stdlib build's bytes; throws with the fix when it is missing. */
export function readStdlib(): Uint8Array {
  if (cached !== undefined) return cached;
  const node = nodeModules();
  if (node === undefined) {
    throw new Error("internal error: no file system here to read the agp stdlib from: pass its bytes (the `stdlib` option)");
  }
  const path = findStdlibPath();
  if (path === undefined) {
    throw new Error("the agp stdlib is not built (stdlib/build/stdlib.wasm is missing): run `npm run build:stdlib`");
  }
  cached = new Uint8Array(node.fs.readFileSync(path));
  return cached;
}
