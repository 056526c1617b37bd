/**
 * The shareable link: the playground's state in the URL fragment,
 * compressed (deflate-raw, the browser's CompressionStream) and base64url
 * encoded, so a link carries the policy, tests, catalog, request and state
 * and no server is needed.
 *
 * In: a state object. Out: `#s=…`, and back. A fragment that does not
 * decode to a state gives undefined (the page then opens the example).
 */
import type { PlaygroundState } from "./evaluate.js";

const KEYS = ["policy", "tests", "catalog", "request", "state"] as const;

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** `#s=<compressed state>` */
export async function encodeState(state: PlaygroundState): Promise<string> {
  const json = JSON.stringify(KEYS.map((k) => state[k]));
  return `#s=${base64url(await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw")))}`;
}

/** The state a fragment carries, or undefined when it carries none (or garbage). */
export async function decodeState(fragment: string): Promise<PlaygroundState | undefined> {
  const match = /^#s=([A-Za-z0-9_-]+)$/.exec(fragment);
  if (match === null) return undefined;
  try {
    const json = new TextDecoder().decode(await pipe(fromBase64url(match[1]!), new DecompressionStream("deflate-raw")));
    const values = JSON.parse(json) as unknown;
    if (!Array.isArray(values) || values.length !== KEYS.length || !values.every((v) => typeof v === "string")) return undefined;
    return Object.fromEntries(KEYS.map((k, i) => [k, values[i] as string])) as unknown as PlaygroundState;
  } catch {
    return undefined;
  }
}
