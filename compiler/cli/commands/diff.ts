/**
 * `agp diff <before> <after>`: what a policy change does, per action —
 * widens, narrows, equivalent or unknown — with example requests both
 * compiled policies decided, and the rules responsible.
 *
 * Each side is a directory or `.agp` file, a compiled module (`.wasm`,
 * compared through its sources, found under `--sources` and verified by
 * content hash), or a git revision (then the policy paths are `--path`,
 * default `.`, read from that revision's tree). `--base <rev> [paths...]`
 * compares the paths at a revision with the same paths in the working tree.
 *
 * Exit codes: 0 compared (and nothing `--fail-on` names happened);
 * 1 a side has policy errors, or `--fail-on` names a change that happened
 * and is not accepted (`--accept`, `--accept-file`); an action that could
 * not be compared counts as a possible widening; 2 usage, unreadable input,
 * or an internal error. Must not analyze itself (compiler/analyze does).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  accepts,
  confirmerFor,
  diff,
  findingToJson,
  openSolver,
  parseAcceptances,
  parseAcceptFlag,
  QueryRunner,
  renderFinding,
  type Acceptance,
  type DiffSide,
} from "../../analyze/index.js";
import { matchActions } from "../../catalog/index.js";
import { describeIoError } from "../../project/index.js";
import { EXIT, type CliIo } from "../io.js";
import { loadSide, type PolicySide } from "../policy-side.js";
import { loadPolicySet } from "../policy-set.js";
import { parseFormat, reportDiagnostics } from "../report.js";
import { usageError } from "../usage.js";
import { parseTimeout } from "./analyze.js";

interface DiffFlags {
  base?: string;
  path?: string[];
  sources?: string;
  failOn?: string;
  accept?: string[];
  acceptFile?: string;
  format?: string;
  timeout?: string;
  examples?: string;
  action?: string;
}

const FAIL_ON = ["widen", "narrow", "change"] as const;

export function registerDiffCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("diff")
    .description("compare two policy sets: per action, does the change widen, narrow, or keep what agents may do?")
    .argument("[sides...]", "<before> <after>: directories, .agp files, compiled modules (.wasm) or git revisions; with --base, the policy paths")
    .option("--base <revision>", "compare the paths at this git revision with the same paths in the working tree")
    .option("--path <path>", "policy path read from a git revision side (repeatable; default .)", collect, [])
    .option("--sources <dir>", "where the sources of a compiled module side are (default: the current directory)")
    .option("--fail-on <change>", "exit 1 on an unaccepted change: widen, narrow or change")
    .option("--accept <action[:rule]>", "accept widenings of this action (or `prefix.*`), optionally only those this rule now decides (repeatable)", collect, [])
    .option("--accept-file <file>", "a reviewed file listing accepted widenings, one `action [rule]` per line")
    .option("--action <pattern>", "compare only actions matching this name or `prefix.*` pattern")
    .option("--examples <n>", "example requests per action and direction", "3")
    .option("--timeout <ms>", "time limit of each solver query in milliseconds", "2000")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (sides: string[], flags: DiffFlags) => {
      setExit(await runDiff(sides, flags, io));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runDiff(args: readonly string[], flags: DiffFlags, io: CliIo): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  const timeoutMs = parseTimeout(flags.timeout);
  if (timeoutMs === undefined) return usageError(io, `--timeout must be a whole number of milliseconds, got \`${flags.timeout}\``);
  const examples = flags.examples === undefined ? 3 : Number(flags.examples);
  if (!Number.isInteger(examples) || examples < 1 || examples > 20) return usageError(io, `--examples must be a whole number from 1 to 20, got \`${flags.examples}\``);
  const failOn = flags.failOn;
  if (failOn !== undefined && !(FAIL_ON as readonly string[]).includes(failOn)) return usageError(io, `--fail-on takes widen, narrow or change, got \`${failOn}\``);
  const acceptances = await readAcceptances(io, flags);
  if ("error" in acceptances) return usageError(io, acceptances.error);

  let beforeArg: string;
  let afterArg: string;
  let revisionPaths = flags.path !== undefined && flags.path.length > 0 ? flags.path : ["."];
  if (flags.base !== undefined) {
    if (flags.path !== undefined && flags.path.length > 0) return usageError(io, "with --base, give the policy paths as arguments, not --path");
    revisionPaths = args.length > 0 ? [...args] : ["."];
    beforeArg = flags.base;
    afterArg = "";
  } else {
    if (args.length !== 2) return usageError(io, "give two sides to compare, `agp diff <before> <after>`, or `agp diff --base <revision> [paths...]`");
    [beforeArg, afterArg] = args as [string, string];
  }

  const before = await loadSide(io, beforeArg, revisionPaths, flags.sources);
  const after = flags.base !== undefined ? await loadWorkingTree(io, revisionPaths) : await loadSide(io, afterArg, revisionPaths, flags.sources);
  try {
    for (const side of [before, after]) if (side.kind === "usage") return usageError(io, side.message);
    for (const side of [before, after]) {
      if (side.kind === "policy-errors") {
        io.stderr(`agp: ${side.label} has policy errors:\n`);
        reportDiagnostics(io, format, side.diagnostics, side.sources);
        return EXIT.policyErrors;
      }
    }
    const [b, a] = [before, after] as [Extract<PolicySide, { kind: "loaded" }>, Extract<PolicySide, { kind: "loaded" }>];
    const sides: DiffSide[] = [];
    for (const side of [b, a]) {
      const confirmer = confirmerFor(side.set.checked, side.set.catalogs);
      if (!("decide" in confirmer)) {
        io.stderr(`agp: ${side.label} does not compile:\n`);
        reportDiagnostics(io, format, confirmer.diagnostics, side.set.sources);
        return EXIT.policyErrors;
      }
      sides.push({ checked: side.set.checked, catalogs: side.set.catalogs, confirmer, locate: side.set.locate });
    }
    let actions: string[] | undefined;
    if (flags.action !== undefined) {
      actions = [...new Set([...matchActions(b.set.catalogs, flags.action), ...matchActions(a.set.catalogs, flags.action)].map((x) => x.name))].sort();
      if (actions.length === 0) return usageError(io, `no action matches \`${flags.action}\``);
    }
    const solver = await openSolver();
    const runner = new QueryRunner(solver, timeoutMs);
    let result;
    try {
      result = await diff({ before: sides[0]!, after: sides[1]!, runner, examples, ...(actions === undefined ? {} : { actions }) });
    } finally {
      await solver.close();
    }
    const changed = result.verdicts.filter((v) => v.verdict !== "equivalent");
    const count = (verdict: string) => result.verdicts.filter((v) => v.verdict === verdict).length;
    const failing = result.findings.filter((f) => {
      const widening = f.kind === "widens" || f.kind === "not-compared";
      const narrowing = f.kind === "narrows" || f.kind === "not-compared";
      const named = failOn === "change" ? widening || narrowing : failOn === "widen" ? widening : failOn === "narrow" ? narrowing : false;
      return named && (f.kind === "narrows" || accepts(acceptances.acceptances, f) === undefined);
    });
    const summary = {
      actions: result.verdicts.length,
      widens: count("widens") + count("widens and narrows"),
      narrows: count("narrows") + count("widens and narrows"),
      equivalent: count("equivalent"),
      unknown: count("unknown"),
    };
    if (format === "json") {
      const document = {
        before: b.label,
        after: a.label,
        actions: result.verdicts,
        findings: result.findings.map((f) => ({ ...findingToJson(f), side: f.side, ...(accepts(acceptances.acceptances, f) === undefined || f.kind !== "widens" ? {} : { accepted: true }) })),
        summary,
        failed: failing.length > 0,
      };
      io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      const blocks = result.findings.map((f) => {
        const accepted = f.kind === "widens" ? accepts(acceptances.acceptances, f) : undefined;
        const text = renderFinding(f, f.side === "before" ? b.set.sources : a.set.sources);
        return accepted === undefined ? text : `${text}\n  accepted by ${accepted.origin}`;
      });
      io.stdout(`before: ${b.label}\nafter:  ${a.label}\n\n`);
      if (blocks.length > 0) io.stdout(`${blocks.join("\n\n")}\n\n`);
      for (const v of changed) io.stdout(`${v.action}: ${v.verdict}\n`);
      io.stdout(
        `${summary.actions} ${summary.actions === 1 ? "action" : "actions"}: ${summary.widens} ${summary.widens === 1 ? "widens" : "widen"}, ${summary.narrows} ${summary.narrows === 1 ? "narrows" : "narrow"}, ${summary.equivalent} equivalent, ${summary.unknown} unknown\n`,
      );
      if (failing.length > 0) io.stdout(`--fail-on ${failOn}: ${failing.length} unaccepted ${failing.length === 1 ? "change" : "changes"}\n`);
    }
    const s = runner.stats;
    io.stderr(`compared in ${(s.solveMs / 1000).toFixed(1)} s of solving (Z3 start ${Math.round(solver.startMs)} ms; ${s.queries} queries, ${s.cached} from cache, ${s.unknown} unknown)\n`);
    return failing.length > 0 ? EXIT.policyErrors : EXIT.ok;
  } finally {
    for (const side of [before, after]) if (side.kind !== "usage") await side.cleanup();
  }
}

async function loadWorkingTree(io: CliIo, paths: readonly string[]): Promise<PolicySide> {
  const loaded = await loadPolicySet(paths, io.cwd);
  const label = `working tree (${paths.join(", ")})`;
  const cleanup = async () => undefined;
  if (!("checked" in loaded)) return { kind: "policy-errors", label, diagnostics: loaded.diagnostics, sources: loaded.sources, cleanup };
  return { kind: "loaded", label, set: loaded, cleanup };
}

async function readAcceptances(io: CliIo, flags: DiffFlags): Promise<{ acceptances: Acceptance[] } | { error: string }> {
  const acceptances: Acceptance[] = [];
  for (const value of flags.accept ?? []) {
    const parsed = parseAcceptFlag(value);
    if ("error" in parsed) return parsed;
    acceptances.push(parsed);
  }
  if (flags.acceptFile !== undefined) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, flags.acceptFile), "utf8");
    } catch (error) {
      return { error: `cannot read the accept file \`${flags.acceptFile}\`: ${describeIoError(error)}` };
    }
    const parsed = parseAcceptances(text, flags.acceptFile);
    if ("error" in parsed) return parsed;
    acceptances.push(...parsed.acceptances);
  }
  return { acceptances };
}
