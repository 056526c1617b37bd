/**
 * One line of an audit file: how a sealed entry is written, and whether a
 * line read back is exactly that.
 *
 * In: a sealed entry (to write), or a line's text without its newline (to
 * check). Out: the line (`auditLineOf`: the RFC 8785 canonical JSON of the
 * whole entry, `hash` included), or the entry read from a line, the hash it
 * must carry, and — when the line is not byte for byte the canonical form —
 * what differs and where. A line that is not canonical is refused even when
 * its hash matches: JSON.parse keeps the last of two equal keys while
 * another reader may keep the first, so a duplicate key placed before the
 * real one would let two readers see two different entries under one hash;
 * the same holds, more mildly, for any second spelling of the same value.
 * Must not read files; must not accept a line a different reader could
 * read differently.
 */
import type { AuditEntry } from "./audit.js";
import { canonicalJson, CanonicalJsonError } from "./digest.js";
import { sha256Hex } from "./sha256.js";
import { firstNonCanonicalToken } from "./json-line-scan.js";
import { displayText } from "../display-text.js";
import { defineMember } from "./snapshot.js";

/** SHA-256 of a text's UTF-8 bytes, as 64 lowercase hex digits (injectable: Node passes node:crypto's). */
export type Sha256 = (text: string) => string;

/** The line an entry is written as: its canonical JSON, every field included. */
export function auditLineOf(entry: AuditEntry): string {
  return canonicalJson(entry);
}

/**
 * Seals an entry: its hash (SHA-256 of the canonical JSON of every field
 * but `hash`, exactly `entryHash`) and its line (exactly `auditLineOf`),
 * canonicalising each field once — the gateway's hot path. `fields` must
 * be JSON-safe (`toJsonSafe`); a `hash` field in it is replaced. `sha256`
 * must be a true SHA-256 (Node passes node:crypto's, about 4x faster than
 * the runtime's own TypeScript one).
 */
export function sealAuditEntry(fields: Readonly<Record<string, unknown>>, sha256: Sha256 = sha256Hex): { entry: AuditEntry; line: string } {
  // The members sort around `hash`: those before it and those after, each
  // written as one canonical object (one pass each, not one per field).
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  // Default sort compares UTF-16 code units, as canonicalJson does.
  for (const key of Object.keys(fields).sort()) {
    if (key === "hash" || fields[key] === undefined) continue;
    defineMember(key < "hash" ? before : after, key, fields[key]);
  }
  const head = canonicalJson(before).slice(1, -1);
  const tail = canonicalJson(after).slice(1, -1);
  const hash = `sha256:${sha256(`{${head}${head !== "" && tail !== "" ? "," : ""}${tail}}`)}`;
  const member = `"hash":${JSON.stringify(hash)}`;
  return { entry: { ...fields, hash } as AuditEntry, line: `{${head === "" ? "" : `${head},`}${member}${tail === "" ? "" : `,${tail}`}}` };
}

/** A line read back. */
export type AuditLineRead =
  | { readonly status: "entry"; readonly entry: AuditEntry; /** `sha256:<hex>` over every field but `hash`. */ readonly hash: string; readonly nonCanonical?: string }
  | { readonly status: "malformed"; readonly reason: string };

/**
 * Reads one line: an entry (with the hash it must carry, and `nonCanonical`
 * saying what differs when the line is not exactly `auditLineOf(entry)`),
 * or why it is not an entry at all.
 */
export function readAuditLine(text: string, sha256: Sha256 = sha256Hex): AuditLineRead {
  const shape = parseAuditShape(text);
  if (typeof shape === "string") return { status: "malformed", reason: shape };
  const fast = fastCanonical(shape, text);
  if (fast !== undefined) return { status: "entry", entry: shape, hash: `sha256:${sha256(fast)}` };
  let canonical: { line: string; hashed: string };
  try {
    canonical = canonicalParts(shape as unknown as Record<string, unknown>);
  } catch (error) {
    // A lone surrogate (JSON.parse accepts `"\udc00"`), or nesting too deep to write back: never written by agp.
    const why = error instanceof RangeError ? "nested too deeply to check" : error instanceof Error ? error.message : String(error);
    return { status: "entry", entry: shape, hash: "unhashable", nonCanonical: why };
  }
  const hash = `sha256:${sha256(canonical.hashed)}`;
  if (canonical.line === text) return { status: "entry", entry: shape, hash };
  return { status: "entry", entry: shape, hash, nonCanonical: describeDifference(text, canonical.line) };
}

/**
 * The hashed text of a line that is canonical, found the fast way, or
 * undefined when the slow way must decide. JSON.parse keeps keys in text
 * order, so a canonical line is exactly `JSON.stringify` of its value,
 * every object's keys are in canonical order, and it escapes no surrogate
 * (JSON.stringify escapes only lone ones). Integer-like keys, which V8
 * orders first, and anything else unusual take the slow way.
 */
function fastCanonical(entry: AuditEntry, text: string): string | undefined {
  try {
    if (text.includes("\\ud") || JSON.stringify(entry) !== text || !keysInOrder(entry)) return undefined;
    // The hashed text is the line without its `hash` member. Should a nested member spell the same
    // text earlier (it cannot hold the entry's own hash but by collision), the hash fails: never a pass.
    const first = `{"hash":${JSON.stringify(entry.hash)},`;
    if (text.startsWith(first)) return `{${text.slice(first.length)}`;
    const member = `,"hash":${JSON.stringify(entry.hash)}`;
    const at = text.indexOf(member);
    return at === -1 ? undefined : text.slice(0, at) + text.slice(at + member.length);
  } catch {
    return undefined;
  }
}

/** Whether every object in `value` has its keys in canonical (UTF-16 code unit) order. */
function keysInOrder(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysInOrder(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key of Object.keys(value)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!keysInOrder((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
}

/**
 * A line parsed as an entry, without checking its hash or form (queries,
 * which do not verify), or why it is not entry-shaped.
 */
export function parseAuditShape(text: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const e = value as Record<string, unknown>;
  if (typeof e["hash"] !== "string" || typeof e["prev"] !== "string") return "no `hash` or `prev`";
  if (typeof e["seq"] !== "number" || typeof e["time"] !== "string" || typeof e["kind"] !== "string") return "no `seq`, `time` or `kind`";
  return e as unknown as AuditEntry;
}

/**
 * The canonical line of an entry and the canonical text of the entry
 * without `hash` (what is hashed), built in one pass over its members.
 */
function canonicalParts(entry: Record<string, unknown>): { line: string; hashed: string } {
  let line = "";
  let hashed = "";
  // Default sort compares UTF-16 code units, as RFC 8785 asks (and as canonicalJson does).
  for (const key of Object.keys(entry).sort()) {
    const member = `${canonicalOfParsed(key)}:${canonicalOfParsed(entry[key])}`;
    line += (line === "" ? "" : ",") + member;
    if (key !== "hash") hashed += (hashed === "" ? "" : ",") + member;
  }
  return { line: `{${line}}`, hashed: `{${hashed}}` };
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `canonicalJson` for a value JSON.parse returned (plain objects, arrays,
 * strings, finite numbers, booleans, null; no cycles, no undefined): the
 * same text, several times faster, since verify runs it on every line of
 * logs with millions of entries. Throws `CanonicalJsonError` on a lone
 * surrogate (JSON.parse accepts `"\udc00"`; canonical JSON has no spelling
 * for it) and RangeError on nesting deeper than the stack.
 */
function canonicalOfParsed(value: unknown): string {
  if (typeof value === "string") {
    if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) throw new CanonicalJsonError("a string is not well-formed Unicode (a lone surrogate)");
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = "";
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + canonicalOfParsed(value[i]);
    return `[${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = "";
  for (const key of Object.keys(record).sort()) text += (text === "" ? "" : ",") + canonicalOfParsed(key) + ":" + canonicalOfParsed(record[key]);
  return `{${text}}`;
}

/** What differs between a line and its canonical form, and at which column (1-based). */
function describeDifference(text: string, canonical: string): string {
  const token = firstNonCanonicalToken(text);
  if (token !== undefined) return `${token.what} at column ${token.column}`;
  let at = 0;
  while (at < text.length && at < canonical.length && text[at] === canonical[at]) at++;
  if (at === canonical.length) return `text after the entry at column ${at + 1}`;
  if (JSON.stringify(JSON.parse(text)) === text) return `keys out of canonical order at column ${at + 1}`;
  return `at column ${at + 1} expected \`${excerpt(canonical, at)}\`, found \`${excerpt(text, at)}\``;
}

function excerpt(text: string, at: number): string {
  const piece = text.slice(at, at + 24);
  return `${displayText(piece)}${at + 24 < text.length ? "…" : ""}`;
}
