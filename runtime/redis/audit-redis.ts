/**
 * The audit chain every gateway replica shares, kept in Redis.
 *
 * In: a connection and a key layout. Out: an `AuditSink` with
 * `appendAfter` — one script that appends a batch of sealed lines to a
 * stream only if the chain's head is still the one the writer linked to,
 * and moves the head — so replicas hashing in their own processes build
 * one chain (`AuditLog` re-links after a lost race); and `exportAudit`,
 * which writes the chain as the JSONL `agp audit verify` reads, page by page.
 * All chain keys share one hash slot (`{<prefix>:audit}`).
 * Must not hash, seal or reorder entries (that is `AuditLog`'s job), and
 * must never append without checking the head.
 */
import type { AppendAfterResult, AuditSink } from "../governance/store.js";
import { GENESIS } from "../governance/audit.js";
import type { SharedConnection } from "./connection.js";
import type { KeyLayout } from "./keys.js";

/** Audit lines in a Redis stream, with the chain's head beside it. */
export class RedisAuditSink implements AuditSink {
  private readonly release: () => Promise<void>;

  constructor(
    private readonly connection: SharedConnection,
    readonly layout: KeyLayout,
  ) {
    this.release = connection.acquire();
  }

  async lastLine(): Promise<string | undefined> {
    const line = await this.connection.run("read the audit head", (client) => client.hget(this.layout.auditHead, "line"));
    return line ?? undefined;
  }

  async appendAfter(head: string, lines: readonly string[], newHead: string): Promise<AppendAfterResult> {
    if (lines.length === 0) return { appended: true };
    const reply = await this.connection.script("append to the audit chain", "agpAuditAppend", [this.layout.auditHead, this.layout.auditLog], [head, GENESIS, newHead, ...lines]);
    if (Array.isArray(reply) && reply[0] === "1") return { appended: true };
    if (Array.isArray(reply) && reply[0] === "0" && typeof reply[1] === "string") return { appended: false, last: reply[1] === "" ? undefined : reply[1] };
    throw this.connection.failure("append to the audit chain", new Error(`unexpected reply ${JSON.stringify(reply)}`));
  }

  /**
   * Appends lines already sealed and linked by their writer: atomically,
   * and only if the first line's `prev` is still the chain's head; throws
   * otherwise (another writer appended meanwhile). `AuditLog` uses
   * `appendAfter`, which re-links instead.
   */
  async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const result = await this.appendAfter(field(lines[0]!, "prev"), lines, field(lines.at(-1)!, "hash"));
    if (!result.appended) throw new Error("these audit lines do not continue the shared chain: another writer appended first");
  }

  /** Lets go of the connection (the last user closes it). Every append was acknowledged when it resolved. */
  close(): Promise<void> {
    return this.release();
  }
}

/** A string field of a JSON line, or "" (which never matches a head). */
function field(line: string, name: "prev" | "hash"): string {
  try {
    const value = (JSON.parse(line) as Record<string, unknown>)[name];
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}

/** What `exportAudit` wrote. */
export interface AuditExport {
  readonly entries: number;
  /** The stream id of the last entry written (for a later export to continue after). */
  readonly lastId: string | undefined;
}

/**
 * Writes the shared chain as JSONL (one entry per line, in chain order) to
 * `write`, `pageSize` entries at a time, awaiting `write` between pages, so
 * memory stays bounded however long the chain is. It stops at the entry
 * that was last when it started: entries appended meanwhile belong to the
 * next export, and the file is a whole prefix of the chain, which verifies.
 */
export async function exportAudit(connection: SharedConnection, layout: KeyLayout, write: (text: string) => void | Promise<void>, options: { readonly pageSize?: number } = {}): Promise<AuditExport> {
  const pageSize = Math.max(1, options.pageSize ?? 1000);
  const newest = await connection.run("read the audit chain", (client) => client.xrevrange(layout.auditLog, "+", "-", "COUNT", 1));
  const end = newest[0]?.[0];
  if (end === undefined) return { entries: 0, lastId: undefined };
  let start = "-";
  let entries = 0;
  let lastId: string | undefined;
  for (;;) {
    const page = await connection.run("read the audit chain", (client) => client.xrange(layout.auditLog, start, end, "COUNT", pageSize));
    if (page.length === 0) break;
    let text = "";
    for (const [id, fields] of page) {
      const at = fields.indexOf("l");
      if (at < 0 || at + 1 >= fields.length) throw connection.failure("read the audit chain", new Error(`stream entry ${id} has no line`));
      text += `${fields[at + 1]}\n`;
      entries++;
      lastId = id;
    }
    await write(text);
    if (lastId === end || page.length < pageSize) break;
    start = `(${lastId}`;
  }
  return { entries, lastId };
}
