/**
 * Reading what `agp eval` and `agp inspect` are given: a compiled policy
 * module (loaded with the runtime, exactly as a gateway loads it) and JSON
 * files (requests, state) with the position of a syntax error.
 *
 * In: file names relative to the CLI's working directory (`-` is stdin for
 * JSON). Out: the bytes and a `PolicyEngine`, or parsed JSON; or one
 * message saying what is wrong, for a usage error (exit 2).
 * Must not decide anything.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadPolicySync, PolicyLoadError, type PolicyEngine } from "../../runtime/index.js";
import { parseJsonSource } from "../catalog/index.js";
import { describeIoError } from "../project/index.js";
import type { CliIo } from "./io.js";

/** A loaded module, or why it could not be loaded. */
export type LoadedModule = { readonly bytes: Uint8Array; readonly engine: PolicyEngine } | { readonly error: string };

/** Reads and loads a policy module; errors name the file. */
export async function loadModuleFile(io: CliIo, file: string): Promise<LoadedModule> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(resolve(io.cwd, file)));
  } catch (error) {
    return { error: `cannot read \`${file}\`: ${describeIoError(error)}` };
  }
  try {
    return { bytes, engine: loadPolicySync(bytes) };
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    const message = error.message;
    // "not an agp policy module: …" / "not a WebAssembly module: …" read as a sentence about the file.
    return { error: /^not an? /.test(message) ? `\`${file}\` is ${message}` : `cannot load \`${file}\`: ${message}` };
  }
}

/** Parsed JSON, or why the text is not JSON (with line and column). */
export type ReadJson = { readonly value: unknown } | { readonly error: string };

/** Reads a JSON file (`-`: stdin) as a gateway would parse it (`JSON.parse`). */
export async function readJsonFile(io: CliIo, file: string, what: string, stdin: () => Promise<string> = readStdin): Promise<ReadJson> {
  let text: string;
  try {
    text = file === "-" ? await stdin() : await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    return { error: `cannot read the ${what} \`${file}\`: ${describeIoError(error)}` };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const name = file === "-" ? "<stdin>" : file;
    const source = parseJsonSource(name, text);
    const problem = source.problems.find((p) => p.duplicateKey === undefined);
    if (problem === undefined) return { error: `the ${what} \`${name}\` is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    const at = source.spanAt(problem.offset, problem.endOffset);
    return { error: `the ${what} \`${name}\` is not valid JSON: ${name}:${at.line}:${at.column}: ${problem.message}` };
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
