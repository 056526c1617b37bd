/**
 * `agp replay --requests <file.jsonl> --candidate <policy>`: every recorded
 * request whose decision the candidate changes, grouped by action and by
 * the rules deciding before and after.
 *
 * The candidate and `--baseline` are compiled modules (`.wasm`, decided
 * as they are), policy paths, or git revisions (policy paths then from
 * `--path`); without `--baseline` each record's recorded `decision` is the
 * baseline. `--audit <log>` reads an audit log instead, which works once
 * its decision entries carry the request (today they carry an args digest,
 * and replay says so).
 *
 * Exit codes: 0 replayed (and nothing `--fail-on` names changed); 1 policy
 * errors, or `--fail-on` names a change that happened; 2 usage, unreadable
 * or malformed input, an internal error. Must not analyze: it decides.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { confirmerFor, findingToJson, parseRecords, renderFinding, replay, type Decide } from "../../analyze/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { loadModuleFile } from "../policy-module.js";
import { loadSide } from "../policy-side.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";

interface ReplayFlags {
  requests?: string;
  audit?: string;
  candidate: string;
  baseline?: string;
  path?: string[];
  failOn?: string;
  format?: string;
}

export function registerReplayCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("replay")
    .description("decide recorded requests with a candidate policy and list every decision that changes")
    .option("--requests <file>", "recorded requests, one JSON per line: a request, or { request, state?, decision? }")
    .option("--audit <file>", "an audit log whose decision entries carry the request")
    .requiredOption("--candidate <policy>", "the candidate: a .wasm module, policy paths or a git revision")
    .option("--baseline <policy>", "decide the baseline with this policy instead of the recorded decisions")
    .option("--path <path>", "policy path read from a git revision (repeatable; default .)", (v: string, p: string[]) => [...p, v], [])
    .option("--fail-on <change>", "exit 1 when a recorded decision changes this way: widen, narrow or change")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (flags: ReplayFlags) => {
      setExit(await runReplay(flags, io));
    });
}

async function runReplay(flags: ReplayFlags, io: CliIo): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  if ((flags.requests === undefined) === (flags.audit === undefined)) return usageError(io, "give exactly one of --requests and --audit");
  if (flags.failOn !== undefined && !["widen", "narrow", "change"].includes(flags.failOn)) return usageError(io, `--fail-on takes widen, narrow or change, got \`${flags.failOn}\``);
  const file = (flags.requests ?? flags.audit)!;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    return usageError(io, `cannot read \`${file}\`: ${describeIoError(error)}`);
  }
  const parsed = parseRecords(text, file);
  if ("error" in parsed) return usageError(io, parsed.error);
  const paths = flags.path !== undefined && flags.path.length > 0 ? flags.path : ["."];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const candidate = await decider(io, flags.candidate, paths, format, cleanups);
    if (typeof candidate === "number") return candidate;
    const baseline = flags.baseline === undefined ? undefined : await decider(io, flags.baseline, paths, format, cleanups);
    if (typeof baseline === "number") return baseline;
    const result = replay(parsed.records, candidate, baseline, file);
    if ("error" in result) return usageError(io, result.error);
    const failing = result.groups.filter((g) =>
      flags.failOn === "change" ? true : flags.failOn === "widen" ? g.direction === "widens" : flags.failOn === "narrow" ? g.direction === "narrows" : false,
    );
    if (format === "json") {
      io.stdout(`${JSON.stringify({ records: result.records, changed: result.changed, groups: result.groups, findings: result.findings.map(findingToJson), failed: failing.length > 0 }, null, 2)}\n`);
    } else {
      if (result.findings.length > 0) {
        const blocks = result.findings.map((f, i) => {
          const lines = result.groups[i]!.lines;
          const shown = lines.slice(0, 10).join(", ");
          return `${renderFinding(f, new Map())}\n  lines:   ${shown}${lines.length > 10 ? `, … (${lines.length} in all)` : ""}`;
        });
        io.stdout(`${blocks.join("\n\n")}\n\n`);
      }
      io.stdout(`${result.records} recorded ${result.records === 1 ? "request" : "requests"}: ${result.changed} ${result.changed === 1 ? "changes" : "change"} decision\n`);
    }
    return failing.length > 0 ? EXIT.policyErrors : EXIT.ok;
  } finally {
    for (const c of cleanups) await c();
  }
}

/** A compiled module decides as it is; policy paths and revisions are compiled first. */
async function decider(io: CliIo, arg: string, paths: readonly string[], format: "text" | "json", cleanups: (() => Promise<void>)[]): Promise<Decide | number> {
  if (arg.endsWith(".wasm")) {
    const loaded = await loadModuleFile(io, arg);
    if ("error" in loaded) return usageError(io, loaded.error);
    return (request, state) => loaded.engine.decide(request, state as never);
  }
  const side = await loadSide(io, arg, paths, undefined);
  if (side.kind === "usage") return usageError(io, side.message);
  cleanups.push(side.cleanup);
  if (side.kind === "policy-errors") {
    io.stderr(`agp: ${side.label} has policy errors:\n`);
    reportDiagnostics(io, format, side.diagnostics, side.sources);
    return EXIT.policyErrors;
  }
  const confirmer = confirmerFor(side.set.checked, side.set.catalogs);
  if (!("decide" in confirmer)) {
    reportDiagnostics(io, format, confirmer.diagnostics, side.set.sources);
    return EXIT.policyErrors;
  }
  return (request, state) => confirmer.decide(request, state);
}
