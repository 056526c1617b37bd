/**
 * `agp audit …`: read a governance audit log (JSONL, hash-chained).
 *
 * - `verify <file> [--head HASH] [--format text|json]`: checks every entry's
 *   hash and every link. Exit 0 intact; 1 tampered, one line per problem
 *   ("entry N (line L): hash mismatch — edited", "chain broken between line
 *   X and Y — removed or reordered", "line L: truncated last line — …");
 *   2 when the file cannot be read.
 * - `query <file> [--agent] [--human] [--action PATTERN] [--env] [--effect]
 *   [--since ISO|30d] [--until ISO|1d] [--format table|json]`: the matching
 *   entries in file order. Exit 0 (also when none match), 2 on bad options.
 * - `export --redis URL [--prefix P]`: the audit chain gateways share on
 *   Redis, as the same JSONL, on stdout, a page at a time (bounded memory),
 *   up to the entry that was last when it started. Exit 0; 2 when Redis
 *   cannot be reached or the prefix is not usable.
 *
 * The work lives in runtime/governance (verifyAudit, queryAudit) and
 * runtime/redis (exportAudit); this file
 * only reads, prints and sets the exit code.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseSince, queryAudit, readAuditEntries, renderAuditTable, verifyAudit } from "../../../runtime/governance/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { usageError } from "../usage.js";

interface QueryOptions {
  agent?: string;
  human?: string;
  action?: string;
  env?: string;
  effect?: string;
  since?: string;
  until?: string;
  format?: string;
}

/** Adds `agp audit verify` and `agp audit query`; `now` (for `--since 30d`) is injectable for tests. */
export function registerAuditCommand(program: Command, io: CliIo, setExit: (code: number) => void, now: () => number = Date.now): void {
  const audit = program.command("audit").description("verify and query a governance audit log (JSONL, hash-chained)");
  audit
    .command("verify")
    .description("check that no entry was edited, removed, reordered or truncated")
    .argument("<file>", "the audit log")
    .option("--head <hash>", "the hash the chain must end at (catches entries removed from the end)")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (file: string, options: { head?: string; format?: string }) => {
      if (options.format !== "text" && options.format !== "json") return setExit(usageError(io, `unknown format \`${options.format}\`; use text or json`));
      const text = await read(io, file);
      if (text === undefined) return setExit(EXIT.usage);
      const result = verifyAudit(text, options.head === undefined ? {} : { head: options.head });
      if (options.format === "json") io.stdout(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
      else if (result.ok) io.stdout(`${file}: intact, ${result.entries} ${result.entries === 1 ? "entry" : "entries"}, head ${result.head ?? "(empty)"}\n`);
      else {
        for (const problem of result.problems) io.stdout(`${file}: ${problem.message}\n`);
        io.stdout(`${file}: tampered — ${result.problems.length} ${result.problems.length === 1 ? "problem" : "problems"} in ${result.entries} ${result.entries === 1 ? "entry" : "entries"}\n`);
      }
      setExit(result.ok ? EXIT.ok : EXIT.policyErrors);
    });
  registerExport(audit, io, setExit);
  audit
    .command("query")
    .description("list entries by agent, human, action, env, effect and time")
    .argument("<file>", "the audit log")
    .option("--agent <id>", "only this agent")
    .option("--human <id>", "only requests on behalf of this human")
    .option("--action <pattern>", "an action name, or a pattern with * (e.g. aws.*)")
    .option("--env <env>", "only this environment (e.g. production)")
    .option("--effect <effect>", "only decisions with this effect: allow, approve or deny")
    .option("--since <time>", "from this time: ISO 8601, or a duration back from now (30d, 12h, 15m, 2w)")
    .option("--until <time>", "up to this time: ISO 8601, or a duration back from now")
    .option("--format <format>", "output format: table or json", "table")
    .action(async (file: string, options: QueryOptions) => {
      if (options.format !== "table" && options.format !== "json") return setExit(usageError(io, `unknown format \`${options.format}\`; use table or json`));
      if (options.effect !== undefined && !["allow", "approve", "deny"].includes(options.effect)) {
        return setExit(usageError(io, `unknown effect \`${options.effect}\`; use allow, approve or deny`));
      }
      const at = now();
      const since = options.since === undefined ? undefined : parseSince(options.since, at);
      const until = options.until === undefined ? undefined : parseSince(options.until, at);
      if (options.since !== undefined && since === undefined) return setExit(usageError(io, `cannot read --since \`${options.since}\`; use an ISO 8601 time or a duration such as 30d`));
      if (options.until !== undefined && until === undefined) return setExit(usageError(io, `cannot read --until \`${options.until}\`; use an ISO 8601 time or a duration such as 1d`));
      const text = await read(io, file);
      if (text === undefined) return setExit(EXIT.usage);
      const entries = queryAudit(readAuditEntries(text), {
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.human === undefined ? {} : { human: options.human }),
        ...(options.action === undefined ? {} : { action: options.action }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.effect === undefined ? {} : { effect: options.effect }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      });
      io.stdout(options.format === "json" ? `${JSON.stringify(entries, null, 2)}\n` : renderAuditTable(entries));
      setExit(EXIT.ok);
    });
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

async function read(io: CliIo, file: string): Promise<string | undefined> {
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    usageError(io, `cannot read ${file}: ${describeIoError(error)}`);
    return undefined;
  }
}
