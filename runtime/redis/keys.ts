/**
 * Where each piece of governance state lives in Redis: the key layout of one
 * deployment, designed for Redis Cluster.
 *
 * In: a deployment prefix and the store keys the features use
 * (`reservation:r1`, `kill:global`, `counter:daily_spend:["a"]`, …).
 * Out: Redis key names. Every script touches keys of one hash slot:
 * - a value of a *spread* family (`run:`, `reservation:`, `trust:`,
 *   `approval-digest:`, `session:` …) is `<prefix>:v:<key>`, alone in its
 *   slot, so the busiest families spread over the cluster;
 * - a value of a *grouped* family (`kill:`, `approval:`: the families
 *   features `list`, and the three kill keys read on every check) is
 *   `<prefix>:g:{<prefix>:<family>}<key>`, next to its index
 *   `<prefix>:i:{<prefix>:<family>}` (a sorted set of keys by expiry);
 * - every limit counter is `<prefix>:c:{<prefix>:limits}<key>`, one slot,
 *   because one `charge` changes several counters all or nothing;
 * - the audit chain is `<prefix>:a:{<prefix>:audit}head` and `…log`.
 * Store keys are escaped injectively (`\` → `\\`, a lone surrogate →
 * `\uXXXX`), so two different keys never become one Redis key after UTF-8
 * encoding. Must not talk to Redis.
 */

/** Families whose values sit in one slot with an index, so `list` reads the index, not the whole keyspace. */
export const GROUPED_FAMILIES: ReadonlySet<string> = new Set(["kill", "approval"]);

const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a deployment prefix: letters, digits, `_`, `.`, `-` (no `:` or braces, which would blur the layout). */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new TypeError(`the Redis key prefix \`${String(prefix)}\` is not usable; use 1 to 64 letters, digits, \`_\`, \`.\` or \`-\``);
  }
  return prefix;
}

/** The Redis key names of one deployment. */
export class KeyLayout {
  constructor(readonly prefix: string) {
    checkPrefix(prefix);
  }

  /** The family of a store key: the text before its first `:` (the whole key when it has none). */
  family(key: string): string {
    const colon = key.indexOf(":");
    return colon < 0 ? key : key.slice(0, colon);
  }

  /** Whether a store key's family is grouped (one slot, indexed). */
  grouped(key: string): boolean {
    return GROUPED_FAMILIES.has(this.family(key));
  }

  /** The Redis key holding a store key's value. */
  value(key: string): string {
    return this.grouped(key) ? `${this.groupTag(this.family(key))}${escapeKey(key)}` : `${this.prefix}:v:${escapeKey(key)}`;
  }

  /** The index (sorted set of escaped keys, scored by expiry) of a grouped family. */
  index(family: string): string {
    return `${this.prefix}:i:{${this.prefix}:${family}}`;
  }

  /** What every value key of a grouped family starts with. */
  groupTag(family: string): string {
    return `${this.prefix}:g:{${this.prefix}:${family}}`;
  }

  /** The Redis key of a limit counter (a hash: `w` window, `u` used, `x` expiry). */
  counter(key: string): string {
    return `${this.prefix}:c:{${this.prefix}:limits}${escapeKey(key)}`;
  }

  /** The audit chain's head (a hash: `hash`, `line`). */
  get auditHead(): string {
    return `${this.prefix}:a:{${this.prefix}:audit}head`;
  }

  /** The audit chain's entries (a stream, one field `l` per entry). */
  get auditLog(): string {
    return `${this.prefix}:a:{${this.prefix}:audit}log`;
  }

  /** The SCAN pattern for spread values whose store key starts with `prefix`. */
  spreadPattern(prefix: string): string {
    return `${this.prefix}:v:${globEscape(escapeKey(prefix))}*`;
  }

  /** The store key of a spread value's Redis key, or undefined when it is not one. */
  spreadKey(redisKey: string): string | undefined {
    const head = `${this.prefix}:v:`;
    return redisKey.startsWith(head) ? unescapeKey(redisKey.slice(head.length)) : undefined;
  }
}

/**
 * An injective, readable escape: `\` doubles, a lone surrogate becomes
 * `\uXXXX`; every other character is kept. Well-formed text without `\` is
 * unchanged.
 */
export function escapeKey(text: string): string {
  if (wellFormed(text) && !text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) out += "\\\\";
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      out += text[i]! + text[i + 1]!;
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += text[i]!;
  }
  return out;
}

/** The inverse of `escapeKey`. */
export function unescapeKey(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(\\|u[0-9a-f]{4})/g, (_, escape: string) => (escape === "\\" ? "\\" : String.fromCharCode(Number.parseInt(escape.slice(1), 16))));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether text has no lone surrogate (so UTF-8 carries it unchanged). */
function wellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Escapes SCAN MATCH's special characters. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * A stored value: `<expiresAt>|<value>` for well-formed text, or
 * `<expiresAt>!<escaped value>` for text with a lone surrogate (which UTF-8
 * cannot carry). `expiresAt` is empty for "never". Scripts compare the part
 * from the marker on, so equal values compare equal and different ones never do.
 */
export function encodeValue(value: string): string {
  return wellFormed(value) ? `|${value}` : `!${escapeKey(value)}`;
}

/** A stored payload's value and expiry, or undefined when the payload is not one of ours. */
export function decodeStored(payload: string): { readonly value: string; readonly expiresAt: number | undefined } | undefined {
  const at = payload.search(/[|!]/);
  if (at < 0) return undefined;
  const head = payload.slice(0, at);
  const expiresAt = head === "" ? undefined : Number(head);
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) return undefined;
  const body = payload.slice(at + 1);
  return { value: payload[at] === "|" ? body : unescapeKey(body), expiresAt };
}
