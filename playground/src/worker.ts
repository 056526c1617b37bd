/**
 * The playground's worker: the compiler runs here, off the page's thread
 * (binaryen's optimizer takes a moment, and browsers compile large wasm
 * modules synchronously only in workers).
 *
 * Out first: `{ phase: "ready" }` once the compiler is loaded (the page
 * sends nothing before). In: `{ id, state }` messages. Out: `{ id, phase: "checked", diagnostics }`
 * at once, then `{ id, phase: "done", outcome }`, or `{ id, phase: "failed",
 * message }` for an internal error. A newer message makes the page ignore
 * older answers; the worker itself answers every message in order.
 */
import { check, evaluate, type PlaygroundState } from "./evaluate.js";
import stdlibUrl from "../../stdlib/build/stdlib.wasm?url";

const stdlib = fetch(stdlibUrl).then(async (r) => new Uint8Array(await r.arrayBuffer()));

let latest = 0;

self.onmessage = async (event: MessageEvent<{ id: number; state: PlaygroundState }>) => {
  const { id, state } = event.data;
  latest = id;
  try {
    postMessage({ id, phase: "checked", diagnostics: await check(state) });
    // A newer edit arrived while checking: skip compiling this one.
    if (id !== latest) return;
    postMessage({ id, phase: "done", outcome: await evaluate(state, await stdlib) });
  } catch (error) {
    postMessage({ id, phase: "failed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
  }
};

postMessage({ phase: "ready" });
