/**
 * Audit files read from disk in bounded memory (Node only): what
 * `agp audit verify` and `agp audit query` run.
 *
 * In: the path of an audit JSONL file (and, beside it, the head file the
 * file sink keeps, `<path>.head`). Out: `verifyAuditFile` — the verdict of
 * `AuditVerifier` over every line, with the head file's record checked as
 * an anchor (the log must still contain the entry it names) and a note of
 * whether there was one; `scanAuditEntries` — each entry-shaped line, in
 * order, to a callback (queries do not verify).
 * Must not hold the file in memory: lines stream through `readLines`.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { AuditVerifier, type AuditAnchor, type AuditVerification } from "../governance/audit-verify.js";
import { parseAuditEntry } from "../governance/audit-verify.js";
import type { AuditEntry } from "../governance/audit.js";
import { headPathOf, readHead } from "./head-file.js";
import { readLines, type ReadLinesOptions } from "./line-reader.js";

/** What `verifyAuditFile` checks besides the chain. */
export interface VerifyAuditFileOptions extends ReadLinesOptions {
  /** The hash the chain must end at (`--head`). */
  readonly head?: string;
  /** Check the head file beside the log (default true). */
  readonly headFile?: boolean;
}

/** How the head file beside the log was used. */
export type HeadFileUse =
  | { readonly status: "checked"; readonly path: string; readonly seq: number; readonly hash: string }
  | { readonly status: "absent"; readonly path: string }
  | { readonly status: "damaged"; readonly path: string }
  | { readonly status: "skipped" };

/** A verification of a file, with how its head file was used. */
export interface AuditFileVerification extends AuditVerification {
  readonly headFile: HeadFileUse;
}

/** SHA-256 as hex, from node:crypto (the verifier's hot path on big logs). */
export function nodeSha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Verifies the audit file at `path`, streaming it. Throws only when the file cannot be read. */
export async function verifyAuditFile(path: string, options: VerifyAuditFileOptions = {}): Promise<AuditFileVerification> {
  const headPath = headPathOf(path);
  let headFile: HeadFileUse = { status: "skipped" };
  const anchors: AuditAnchor[] = [];
  if (options.headFile !== false) {
    const read = await readHead(headPath);
    if (read.status === "ok" && typeof read.record["seq"] === "number" && typeof read.record["hash"] === "string") {
      headFile = { status: "checked", path: headPath, seq: read.record["seq"], hash: read.record["hash"] };
      anchors.push({ seq: read.record["seq"], hash: read.record["hash"], source: `the head file ${basename(headPath)}` });
    } else headFile = { status: read.status === "absent" ? "absent" : "damaged", path: headPath };
  }
  const verifier = new AuditVerifier({ ...(options.head === undefined ? {} : { head: options.head }), anchors, sha256: nodeSha256 });
  await readLines(path, verifier, options);
  const verdict = verifier.finish();
  if (headFile.status !== "damaged") return { ...verdict, headFile };
  // Both slots unreadable: never written whole (a crash on the very first write) or overwritten on purpose.
  const problem = { kind: "head" as const, line: 0, message: `the head file ${basename(headPath)} is damaged — it cannot say whether entries were removed from the end` };
  return { ...verdict, ok: false, problems: [...verdict.problems, problem], headFile };
}

/** Calls `onEntry` with each entry-shaped line of the file, in order (other lines are skipped). */
export async function scanAuditEntries(path: string, onEntry: (entry: AuditEntry) => void, options: ReadLinesOptions = {}): Promise<void> {
  await readLines(
    path,
    {
      push(text) {
        const entry = parseAuditEntry(text);
        if (entry !== undefined) onEntry(entry);
      },
      unreadable() {},
      truncated() {},
    },
    options,
  );
}
