/**
 * Test support: the stdlib build, made from source when missing or stale.
 *
 * In: stdlib/*.ts and asconfig.json. Out: stdlib/build/stdlib.wasm's bytes,
 * compiled with asc's JS API using the same asconfig.json as
 * `npm run build:stdlib`, so a fresh clone passes after `npm ci`.
 * Must not: leave a half-written build behind when test files run in
 * parallel: each writes to a temporary file and renames it into place.
 */
import asc from "assemblyscript/asc";
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STDLIB = join(ROOT, "stdlib");
const BUILD = join(STDLIB, "build");
const WASM = join(BUILD, "stdlib.wasm");

/** The stdlib build's bytes; builds it first if it is missing or older than its sources. */
export async function ensureStdlib(): Promise<Uint8Array> {
  if (isFresh()) return new Uint8Array(readFileSync(WASM));
  const outputs = await compileStdlib();
  mkdirSync(BUILD, { recursive: true });
  for (const [name, contents] of outputs) {
    const target = join(BUILD, name);
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, contents);
    renameSync(temporary, target);
  }
  const wasm = outputs.get("stdlib.wasm");
  if (!(wasm instanceof Uint8Array)) throw new Error("asc produced no stdlib.wasm");
  return wasm;
}

/** Runs asc on asconfig.json in memory; returns output file name → contents. */
export async function compileStdlib(extraArgs: readonly string[] = []): Promise<Map<string, Uint8Array | string>> {
  const outputs = new Map<string, Uint8Array | string>();
  let errors = "";
  const { error } = await asc.main(["--config", join(ROOT, "asconfig.json"), "--target", "release", ...extraArgs], {
    writeFile: (filename, contents) => void outputs.set(filename.split(/[\\/]/).at(-1)!, contents),
    stdout: { write: () => true } as never,
    stderr: { write: (text: string | Uint8Array) => ((errors += String(text)), true) } as never,
  });
  if (error) throw new Error(`asc failed to build the stdlib: ${error.message}\n${errors}`);
  return outputs;
}

function isFresh(): boolean {
  if (!existsSync(WASM)) return false;
  const built = statSync(WASM).mtimeMs;
  const sources = [join(ROOT, "asconfig.json"), ...readdirSync(STDLIB).filter((f) => f.endsWith(".ts")).map((f) => join(STDLIB, f))];
  return sources.every((source) => statSync(source).mtimeMs <= built);
}
