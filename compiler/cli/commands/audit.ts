/**
 * `agp audit …`: read a governance audit log (JSONL, hash-chained), of any
 * size: both verbs stream the file line by line in bounded memory.
 *
 * - `verify <file> [--head HASH] [--no-head-file] [--format text|json]`:
 *   checks every entry's hash, that every line is exactly the canonical
 *   form that was hashed, every link, and the head file beside the log
 *   (`<file>.head`, kept by the file sink) or `--head`. Exit 0 intact; 1
 *   tampered, one line per problem ("entry N (line L): hash mismatch —
 *   edited", "line L: not the canonical form that was hashed — duplicate
 *   key `result` at column C", "chain broken between line X and Y — removed
 *   or reordered", "line L: truncated last line — …", "… — entries removed
 *   from the end"); 2 when the file cannot be read.
 * - `query <file> [--agent] [--human] [--action PATTERN] [--env] [--effect]
 *   [--kind] [--result] [--outcome] [--level] [--mutating | --read-only]
 *   [--since ISO|30d|yesterday] [--until …] [--format table|json]`: the matching
 *   entries in file order (a table is read twice: once for column widths,
 *   once to print). Exit 0 (also when none match), 2 on bad options.
 * - `export --redis URL [--prefix P]`: the audit chain gateways share on
 *   Redis, as the same JSONL, on stdout, a page at a time (bounded memory),
 *   up to the entry that was last when it started. Exit 0; 2 when Redis
 *   cannot be reached or the prefix is not usable.
 *
 * Everything printed from the file is escaped for the terminal
 * (runtime/display-text.ts). The work lives in runtime/governance and
 * runtime/node; this file only parses options, prints and sets the exit code.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { displayBlock, displayText } from "../../../runtime/display-text.js";
import { AUDIT_TABLE_HEADER, AuditTableWidths, auditMatcher, auditTableRow, parseAuditEntry, parseSince, type AuditQuery } from "../../../runtime/governance/index.js";
import { readLines, scanAuditEntries, verifyAuditFile, type AuditFileVerification } from "../../../runtime/node/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

interface QueryOptions {
  agent?: string;
  human?: string;
  action?: string;
  env?: string;
  effect?: string;
  kind?: string;
  result?: string;
  outcome?: string;
  level?: string;
  mutating?: boolean;
  readOnly?: boolean;
  since?: string;
  until?: string;
  format?: string;
}

/** Output is handed to the io in pieces of about this size, so a million rows never sit in one string. */
const FLUSH_AT = 64 * 1024;

/** Adds `agp audit verify` and `agp audit query`; `now` (for `--since 30d`) is injectable for tests. */
export function registerAuditCommand(program: Command, io: CliIo, setExit: (code: number) => void, now: () => number = Date.now): void {
  const audit = program.command("audit").description("verify and query a governance audit log (JSONL, hash-chained)");
  audit
    .command("verify")
    .description("check that no entry was edited, removed, reordered or truncated, and that every line is the form that was hashed")
    .argument("<file>", "the audit log")
    .option("--head <hash>", "the hash the chain must end at (catches entries removed from the end)")
    .option("--no-head-file", "do not check the head file kept beside the log (<file>.head)")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (file: string, options: { head?: string; headFile?: boolean; format?: string }) => {
      if (options.format !== "text" && options.format !== "json") return setExit(usageError(io, `unknown format \`${options.format}\`; use text or json`));
      let result: AuditFileVerification;
      try {
        result = await verifyAuditFile(resolve(io.cwd, file), { ...(options.head === undefined ? {} : { head: options.head }), headFile: options.headFile !== false });
      } catch (error) {
        return setExit(usageError(io, `cannot read ${displayText(file)}: ${describeIoError(error)}`));
      }
      if (options.format === "json") io.stdout(`${displayBlock(JSON.stringify({ file, ...result }, null, 2))}\n`);
      else io.stdout(verifyText(displayText(file), result));
      setExit(result.ok ? EXIT.ok : EXIT.policyErrors);
    });
  registerExport(audit, io, setExit);
  audit
    .command("query")
    .description("list entries by agent, human, action, env, effect, result, outcome, level, mutating and time")
    .argument("<file>", "the audit log")
    .option("--agent <id>", "only this agent")
    .option("--human <id>", "only requests on behalf of this human")
    .option("--action <pattern>", "an action name, or a pattern with * (e.g. aws.*)")
    .option("--env <env>", "only this environment (e.g. production)")
    .option("--effect <effect>", "only decisions with this effect: allow, approve or deny")
    .option("--kind <kind>", "only entries of this kind: decision, outcome, kill.engage, …")
    .option("--result <result>", "only decisions with this result: run, refuse or wait")
    .option("--outcome <outcome>", "only reported outcomes: succeeded, failed or rolled_back")
    .option("--level <level>", "only entries at this audit level: info, notice or security")
    .option("--mutating", "only decisions and outcomes about actions that may change something (not readOnly in the catalog, or not known)")
    .option("--read-only", "only decisions and outcomes about actions the catalog marks readOnly")
    .option("--since <time>", "from this time: ISO 8601, a duration back from now (30d, 12h, 15m, 2w), today or yesterday")
    .option("--until <time>", "up to this time: ISO 8601, a duration back from now, today or yesterday")
    .option("--format <format>", "output format: table or json", "table")
    .action(async (file: string, options: QueryOptions) => {
      if (options.format !== "table" && options.format !== "json") return setExit(usageError(io, `unknown format \`${options.format}\`; use table or json`));
      if (options.effect !== undefined && !["allow", "approve", "deny"].includes(options.effect)) {
        return setExit(usageError(io, `unknown effect \`${displayText(options.effect)}\`; use allow, approve or deny`));
      }
      const choice = (flag: string, value: string | undefined, allowed: readonly string[]): string | undefined =>
        value === undefined || allowed.includes(value) ? undefined : `unknown ${flag} \`${displayText(value)}\`; use ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)!}`;
      const wrong =
        choice("result", options.result, ["run", "refuse", "wait"]) ??
        choice("outcome", options.outcome, ["succeeded", "failed", "rolled_back"]) ??
        choice("level", options.level, ["info", "notice", "security"]);
      if (wrong !== undefined) return setExit(usageError(io, wrong));
      if (options.mutating === true && options.readOnly === true) return setExit(usageError(io, "--mutating and --read-only exclude each other; give one"));
      const at = now();
      const since = options.since === undefined ? undefined : parseSince(options.since, at);
      const until = options.until === undefined ? undefined : parseSince(options.until, at);
      if (options.since !== undefined && since === undefined) return setExit(usageError(io, `cannot read --since \`${displayText(options.since)}\`; use an ISO 8601 time, a duration such as 30d, today or yesterday`));
      if (options.until !== undefined && until === undefined) return setExit(usageError(io, `cannot read --until \`${displayText(options.until)}\`; use an ISO 8601 time, a duration such as 1d, today or yesterday`));
      const query: AuditQuery = {
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.human === undefined ? {} : { human: options.human }),
        ...(options.action === undefined ? {} : { action: options.action }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.effect === undefined ? {} : { effect: options.effect }),
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.result === undefined ? {} : { result: options.result }),
        ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
        ...(options.level === undefined ? {} : { level: options.level }),
        ...(options.mutating === true ? { mutating: true } : options.readOnly === true ? { mutating: false } : {}),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      };
      const path = resolve(io.cwd, file);
      try {
        if (options.format === "json") await printJson(io, path, query);
        else await printTable(io, path, query);
      } catch (error) {
        return setExit(usageError(io, `cannot read ${displayText(file)}: ${describeIoError(error)}`));
      }
      setExit(EXIT.ok);
    });
}

/** The text report of a verification: one line per problem, then the verdict, then what the head file showed. */
function verifyText(file: string, result: AuditFileVerification): string {
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const lines: string[] = [];
  for (const problem of result.problems) lines.push(`${file}: ${displayText(problem.message)}`);
  if (result.omitted > 0) lines.push(`${file}: … and ${count(result.omitted, "more problem", "more problems")} not listed`);
  const total = result.problems.length + result.omitted;
  lines.push(
    result.ok
      ? `${file}: intact, ${count(result.entries, "entry", "entries")}, head ${result.head ?? "(empty)"}`
      : `${file}: tampered — ${count(total, "problem", "problems")} in ${count(result.entries, "entry", "entries")}`,
  );
  const headFile = result.headFile;
  if (headFile.status === "checked") lines.push(`${file}: checked against its head file ${file}.head (entry ${headFile.seq})`);
  if (headFile.status === "absent") lines.push(`${file}: no head file ${file}.head: entries removed from the end are found only with --head`);
  return lines.map((l) => `${l}\n`).join("");
}

/** Buffers output and hands it to the io in pieces. */
function printer(io: CliIo): { write(text: string): void; flush(): void } {
  let buffer = "";
  return {
    write(text) {
      buffer += text;
      if (buffer.length >= FLUSH_AT) this.flush();
    },
    flush() {
      if (buffer !== "") io.stdout(buffer);
      buffer = "";
    },
  };
}

/** The matches as a JSON array (the same text `JSON.stringify(entries, null, 2)` gives), written as they are found. */
async function printJson(io: CliIo, path: string, query: AuditQuery): Promise<void> {
  const matches = auditMatcher(query);
  const out = printer(io);
  let first = true;
  await scanAuditEntries(path, (entry) => {
    if (!matches(entry)) return;
    const text = JSON.stringify(entry, null, 2).replace(/\n/g, "\n  ");
    out.write(`${first ? "[\n" : ",\n"}  ${displayBlock(text)}`);
    first = false;
  });
  out.write(first ? "[]\n" : "\n]\n");
  out.flush();
}

/**
 * The matches as an aligned table, in two passes over the file: widths
 * first, then rows — so memory does not grow with the number of rows. The
 * second pass stops where the first did, even if the log grew meanwhile.
 */
async function printTable(io: CliIo, path: string, query: AuditQuery): Promise<void> {
  const matches = auditMatcher(query);
  const widths = new AuditTableWidths();
  const visit = (onRow: (row: string[]) => void) => ({
    push(text: string) {
      const entry = parseAuditEntry(text);
      if (entry !== undefined && matches(entry)) onRow(auditTableRow(entry));
    },
    unreadable() {},
    truncated() {},
  });
  const end = await readLines(path, visit((row) => widths.add(row)));
  const out = printer(io);
  out.write(widths.line(AUDIT_TABLE_HEADER));
  await readLines(path, visit((row) => out.write(widths.line(row))), { endAt: end });
  out.flush();
}

/** Adds `agp audit export --redis <url> [--prefix p]`: the shared chain as JSONL on stdout, page by page. */
function registerExport(audit: Command, io: CliIo, setExit: (code: number) => void): void {
  audit
    .command("export")
    .description("write the audit chain gateways share on Redis as JSONL (for verify and query)")
    .requiredOption("--redis <url>", "the Redis the gateways share (redis://host:port)")
    .option("--prefix <prefix>", "the deployment's key prefix", "agp")
    .action(async (options: { redis: string; prefix: string }) => {
      // Loaded here so other commands never load the Redis client.
      const { KeyLayout, connectRedis, exportAudit, describeUrl } = await import("../../../runtime/redis/index.js");
      let layout: InstanceType<typeof KeyLayout>;
      try {
        layout = new KeyLayout(options.prefix);
      } catch (error) {
        return setExit(usageError(io, (error as Error).message));
      }
      let connection: Awaited<ReturnType<typeof connectRedis>>;
      try {
        connection = await connectRedis(options.redis);
      } catch (error) {
        return setExit(usageError(io, (error as Error).message));
      }
      const release = connection.acquire();
      try {
        const result = await exportAudit(connection, layout, (text) => io.stdout(text));
        io.stderr(`exported ${result.entries} ${result.entries === 1 ? "entry" : "entries"} from ${describeUrl(options.redis)} (prefix \`${options.prefix}\`)\n`);
        setExit(EXIT.ok);
      } catch (error) {
        setExit(usageError(io, (error as Error).message));
      } finally {
        await release();
      }
    });
}
