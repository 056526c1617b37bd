/**
 * `agp eval --requests <file.jsonl | folder>`: many requests decided by one
 * loaded module, as `opa exec` decides many inputs.
 *
 * In: the engine, where the requests are (a JSON Lines file — one request
 * per line — or a folder whose `*.json` files are one request each and
 * whose `*.jsonl` files are read line by line), optional runtime state for
 * every request. A line or file may also be `{ "request": …, "state": … }`
 * (a recorded request with its own state, as `agp replay` reads them).
 * Out: per request one line on stdout — `source: effect (rules): reasons`
 * — or, with `--format json`, one document `{ results: [{ source, decision }
 * | { source, error }], summary }` written as it goes; a summary on stderr.
 * The exit code: 0; 1 with `exitCode` when a decision is not allow; 2 when
 * some request could not be read (the others are still decided and shown).
 * Files are read line by line in bounded memory.
 * Must not decide anything itself: the module does.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Decision, PolicyEngine, RuntimeState } from "../../runtime/index.js";
import { displayBlock, displayText } from "../../runtime/display-text.js";
import { MAX_LINE_BYTES, readLines } from "../../runtime/node/index.js";
import { describeIoError } from "../project/index.js";
import { EXIT, type CliIo } from "./io.js";

/** One request read, or why it could not be. */
type Item = { readonly source: string; readonly request: unknown; readonly state?: RuntimeState } | { readonly source: string; readonly error: string };

/** Decides every request under `where`; returns the exit code. */
export async function evalMany(io: CliIo, engine: PolicyEngine, where: string, state: RuntimeState | undefined, format: "text" | "json", exitCode: boolean): Promise<number> {
  const counts = { requests: 0, allow: 0, approve: 0, deny: 0, errors: 0 };
  let first = true;
  const emit = (item: Item): void => {
    counts.requests++;
    let decision: Decision | undefined;
    if ("error" in item) counts.errors++;
    else {
      decision = engine.decide(item.request, item.state ?? state);
      counts[decision.effect]++;
    }
    if (format === "json") {
      const entry = decision === undefined ? { source: item.source, error: (item as { error: string }).error } : { source: item.source, decision };
      io.stdout(`${first ? '{\n  "results": [\n' : ",\n"}    ${displayBlock(JSON.stringify(entry))}`);
      first = false;
    } else io.stdout(`${decision === undefined ? `${displayText(item.source)}: error: ${displayText((item as { error: string }).error)}` : line(item.source, decision)}\n`);
  };
  const path = resolve(io.cwd, where);
  let kind: "file" | "directory";
  try {
    kind = (await stat(path)).isDirectory() ? "directory" : "file";
  } catch (error) {
    io.stderr(`agp: cannot read the requests \`${displayText(where)}\`: ${describeIoError(error)}\n`);
    return EXIT.usage;
  }
  if (kind === "file") await readJsonLines(path, where, emit);
  else {
    const names = (await readdir(path)).filter((n) => /\.jsonl?$/.test(n) && !n.startsWith(".")).sort();
    for (const name of names) {
      const shown = join(where, name);
      if (name.endsWith(".jsonl")) await readJsonLines(join(path, name), shown, emit);
      else {
        let text: string;
        try {
          text = await readFile(join(path, name), "utf8");
        } catch (error) {
          emit({ source: shown, error: `cannot read it: ${describeIoError(error)}` });
          continue;
        }
        emit(parseItem(text, shown));
      }
    }
  }
  const summary = `${counts.requests} ${counts.requests === 1 ? "request" : "requests"}: ${counts.allow} allow, ${counts.approve} approve, ${counts.deny} deny${counts.errors > 0 ? `, ${counts.errors} unreadable` : ""}`;
  if (format === "json") io.stdout(`${first ? '{\n  "results": [' : "\n  "}],\n  "summary": ${JSON.stringify(counts)}\n}\n`);
  else io.stderr(`${summary}\n`);
  if (counts.requests === 0) io.stderr(`agp: no requests in \`${displayText(relative(io.cwd, path) || where)}\` (a .jsonl file with one request per line, or a folder of .json files)\n`);
  if (counts.errors > 0) return EXIT.usage;
  return exitCode && counts.allow < counts.requests ? EXIT.policyErrors : EXIT.ok;
}

async function readJsonLines(path: string, shown: string, emit: (item: Item) => void): Promise<void> {
  let number = 0;
  try {
    await readLines(path, {
      push(text) {
        number++;
        if (text.trim() !== "") emit(parseItem(text, `${shown}:${number}`));
      },
      unreadable(reason) {
        number++;
        emit({ source: `${shown}:${number}`, error: reason });
      },
      truncated() {
        number++;
        emit({ source: `${shown}:${number}`, error: `longer than ${MAX_LINE_BYTES} bytes` });
      },
    }, { finalLine: true });
  } catch (error) {
    emit({ source: shown, error: `cannot read it: ${describeIoError(error)}` });
  }
}

/** A request, or `{ request, state }`; the parse as a gateway would do it (`JSON.parse`). */
function parseItem(text: string, source: string): Item {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { source, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "request" in value && !("action" in value)) {
    const record = value as { request: unknown; state?: unknown };
    // The state is untrusted like the request: the runtime validates it and denies when it is wrong.
    return { source, request: record.request, ...(record.state === undefined ? {} : { state: record.state as RuntimeState }) };
  }
  return { source, request: value };
}

/** `requests/merge.json: deny (never_merge): agents open pull requests; humans merge them` */
function line(source: string, decision: Decision): string {
  const rules = decision.rules.map((r) => `${r.kind === "limit" ? "limit " : ""}${r.id}`).join(", ");
  const reasons = decision.reasons.length > 0 ? `: ${decision.reasons.join("; ")}` : "";
  return displayText(`${source}: ${decision.effect}${rules === "" ? "" : ` (${rules})`}${reasons}`);
}
