/**
 * Secrets: request fields the catalogs mark `"x-agp-secret": true`, kept
 * out of everything the gateway writes down, yet still bound by approvals.
 *
 * In: the manifests of the engines a check uses (live and shadow), a request
 * snapshot (./snapshot.ts), and for sealing a key the gateway keeps in its
 * state store. Out: `redact` — a copy with every secret value replaced by
 * `REDACTED` and the paths it replaced (what audit entries and tickets
 * record); `seal` — a copy with every secret value replaced by an HMAC of
 * it under the gateway's key (what approval digests and the repeat check
 * hash, so an approval given for one password is not one for another,
 * while the digest, which audit entries and tickets show, cannot be
 * brute-forced back into a short secret without the key).
 * A property is secret when any manifest marks it (in any option of a
 * union). Args of an action no manifest knows cannot be told apart: they
 * are not recorded at all. Must not import Node built-ins (browser-safe);
 * must never let a secret value through `redact`.
 */
import type { Manifest, SchemaNode } from "../manifest.js";
import { canonicalJson } from "./digest.js";
import { sha256Hex } from "./sha256.js";
import { defineMember, ownMember } from "./snapshot.js";

/** What a secret value is replaced by in the audit log and in tickets. */
export const REDACTED = "[redacted]";

/** The parts of a manifest secrets are read from (a `PolicyEngine`'s manifest fits). */
export type SecretManifest = Pick<Manifest, "actions" | "request">;

/** A request as the gateway records it. */
export interface RedactedRequest {
  /** The snapshot with secrets replaced; `args` is null when no manifest knows the action. Null for a snapshot that is not an object. */
  readonly request: unknown;
  /** The paths whose values were replaced, e.g. `args.password`, `context.token`, in the order met. */
  readonly redacted: readonly string[];
  /** Whether a manifest knows the action (its args could be told apart). */
  readonly knownAction: boolean;
  /** The action's `readOnly` metadata from the first manifest that knows it; null when none does or none says. */
  readonly readOnly: boolean | null;
}

const PARTS = ["agent", "human", "env", "context"] as const;
const NO_NODES: readonly SchemaNode[] = [];

/** The secret marks of one or more manifests. */
export class Secrets {
  private readonly manifests: readonly SecretManifest[];

  constructor(manifests: readonly (SecretManifest | undefined)[]) {
    this.manifests = manifests.filter((m): m is SecretManifest => m !== undefined);
  }

  /** True when no manifest is known: nothing can be told apart, so nothing of the request should be recorded. */
  get blind(): boolean {
    return this.manifests.length === 0;
  }

  /** The snapshot with every secret value replaced by `REDACTED` (see the file header). */
  redact(snapshot: unknown): RedactedRequest {
    if (this.blind) return { request: null, redacted: [], knownAction: false, readOnly: null };
    const redacted: string[] = [];
    const result = this.replace(snapshot, (_value, path) => {
      redacted.push(path);
      return REDACTED;
    });
    return { ...result, redacted };
  }

  /**
   * The snapshot with every secret value replaced by `{ "sealed": HMAC-SHA256(key, canonical JSON of the value) }`,
   * and whether any was: what digests that must bind secrets are computed over.
   * Args of an unknown action are kept as they are (a digest needs them; the engine refuses the request anyway).
   */
  seal(snapshot: unknown, key: Uint8Array): { readonly value: unknown; readonly sealed: boolean } {
    let sealed = false;
    const { request } = this.replace(
      snapshot,
      (value) => {
        sealed = true;
        return { sealed: hmacSha256Hex(key, canonicalOrText(value)) };
      },
      true,
    );
    return { value: request, sealed };
  }

  /** Whether the snapshot holds any secret value (so sealing needs the key). */
  holdsSecrets(snapshot: unknown): boolean {
    let found = false;
    this.replace(snapshot, (value) => {
      found = true;
      return value;
    }, true);
    return found;
  }

  private replace(snapshot: unknown, secret: (value: unknown, path: string) => unknown, keepUnknownArgs = false): Omit<RedactedRequest, "redacted"> {
    if (typeof snapshot !== "object" || snapshot === null || Array.isArray(snapshot)) return { request: null, knownAction: false, readOnly: null };
    const action = ownMember(snapshot, "action");
    const actions = typeof action === "string" ? this.manifests.flatMap((m) => m.actions.filter((a) => a.name === action)) : [];
    const readOnly = actions.find((a) => typeof a.readOnly === "boolean")?.readOnly ?? null;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(snapshot)) {
      let copy: unknown = value;
      if (key === "args") {
        copy = actions.length > 0 ? walk(value, actions.map((a) => a.args), "args", secret) : keepUnknownArgs ? value : null;
      } else if ((PARTS as readonly string[]).includes(key)) {
        copy = walk(value, this.manifests.map((m) => m.request[key as (typeof PARTS)[number]]), key, secret);
      }
      defineMember(out, key, copy);
    }
    return { request: out, knownAction: actions.length > 0, readOnly };
  }
}

/** A copy of `value` with every member some schema of `nodes` marks secret replaced by `secret(value, path)`. */
function walk(value: unknown, nodes: readonly SchemaNode[], path: string, secret: (value: unknown, path: string) => unknown): unknown {
  if (nodes.length === 0 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const items = itemsOf(nodes);
    return items.length === 0 ? value : value.map((item, i) => walk(item, items, `${path}[${i}]`, secret));
  }
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const child = childOf(nodes, key);
    const at = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    defineMember(out, key, child.secret ? secret(member, at) : walk(member, child.nodes, at, secret));
  }
  return out;
}

/** The schemas of an object member, and whether any marks it secret (unions: every object option counts). */
function childOf(nodes: readonly SchemaNode[], key: string): { nodes: readonly SchemaNode[]; secret: boolean } {
  const found: SchemaNode[] = [];
  let secret = false;
  const visit = (node: SchemaNode, depth: number): void => {
    if (depth > 64) return;
    if (node.type === "union") {
      for (const option of node.options) visit(option, depth + 1);
      return;
    }
    if (node.type !== "object") return;
    const property = node.properties.find((p) => p.name === key);
    if (property !== undefined) {
      if (property.secret === true) secret = true;
      found.push(property.schema);
    } else if (node.additional !== undefined) found.push(node.additional);
  };
  for (const node of nodes) visit(node, 0);
  return { nodes: found.length === 0 ? NO_NODES : found, secret };
}

function itemsOf(nodes: readonly SchemaNode[]): readonly SchemaNode[] {
  const found: SchemaNode[] = [];
  const visit = (node: SchemaNode, depth: number): void => {
    if (depth > 64) return;
    if (node.type === "union") for (const option of node.options) visit(option, depth + 1);
    else if (node.type === "array") found.push(node.items);
  };
  for (const node of nodes) visit(node, 0);
  return found;
}

function canonicalOrText(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch {
    return String(value); // a snapshot is JSON; never reached
  }
}

const encoder = new TextEncoder();

/** HMAC-SHA256 (RFC 2104) of `message` (UTF-8) under `key`, as hex. */
export function hmacSha256Hex(key: Uint8Array, message: string): string {
  let block = key.length > 64 ? hexBytes(sha256Hex(key)) : key;
  const padded = new Uint8Array(64);
  padded.set(block);
  block = padded;
  const data = encoder.encode(message);
  const inner = new Uint8Array(64 + data.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(data, 64);
  outer.set(hexBytes(sha256Hex(inner)), 64);
  return sha256Hex(outer);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The store key of the gateway's sealing key. */
export const SEAL_KEY = "secret-key:seal";

/** 32 random bytes as hex, from the platform's `crypto.getRandomValues` (browsers, workers, Node ≥ 19). */
export function newSealKey(): string {
  const bytes = new Uint8Array(32);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
  if (typeof crypto?.getRandomValues !== "function") throw new Error("no `crypto.getRandomValues` on this platform: the gateway cannot make a key to seal secret fields with");
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A stored key read back: 64 hex digits, else undefined (then the gateway refuses rather than seal with a guessable key). */
export function sealKeyBytes(text: string | undefined): Uint8Array | undefined {
  return text !== undefined && /^[0-9a-f]{64}$/.test(text) ? hexBytes(text) : undefined;
}
