/**
 * `agp eval --policy <file.wasm> --request <file.json | ->`: what a compiled
 * policy module decides on one request, and with `--explain` why, from the
 * policy sources. `--requests <file.jsonl | folder>` decides many
 * (compiler/cli/eval-many.ts).
 *
 * In: the module, the request (JSON file or stdin), optional runtime state
 * (JSON), options. Out: the decision (text, or the `Decision` object as JSON)
 * on stdout; with `--explain` the deciding rules, their source lines and the
 * value of every sub-expression of their conditions. Exit codes: 0 a
 * decision was printed, whatever its effect (with `--exit-code`: 0 allow,
 * 1 deny or approve); 2 usage, unreadable or invalid JSON files, a file that
 * is not an agp policy module.
 * Must not decide anything itself: the decision is the module's, loaded with
 * the runtime as a gateway loads it; the interpreter only explains.
 */
import { resolve } from "node:path";
import { displayBlock, displayText } from "../../../runtime/display-text.js";
import type { Command } from "commander";
import type { Decision, Manifest, RuntimeState } from "../../../runtime/index.js";
import type { DecisionExplanation } from "../explain-decision.js";
import { evalMany } from "../eval-many.js";
import { EXIT, type CliIo } from "../io.js";
import { loadModuleFile, readJsonFile } from "../policy-module.js";
import { decisionLines } from "../render-decision.js";
import { parseFormat } from "../report.js";
import { usageError } from "../usage.js";

interface EvalFlags {
  policy: string;
  request?: string;
  requests?: string;
  state?: string;
  explain?: boolean;
  sources?: string;
  format?: string;
  exitCode?: boolean;
}

/** What tests may replace: where `--request -` reads from. */
export interface EvalCommandHooks {
  readonly stdin?: () => Promise<string>;
}

/** Adds `agp eval` to the program. */
export function registerEvalCommand(program: Command, io: CliIo, setExit: (code: number) => void, hooks: EvalCommandHooks = {}): void {
  program
    .command("eval")
    .description("decide requests with a compiled policy module (.wasm), optionally explaining why from the sources")
    .requiredOption("--policy <file>", "the compiled policy module (.wasm)")
    .option("--request <file>", "the request as JSON (`-` reads stdin)")
    .option("--requests <path>", "many requests: a JSON Lines file (one per line) or a folder of .json files")
    .option("--state <file>", "runtime state as JSON: trust, counters, approvals, killed")
    .option("--explain", "show the deciding rules, their source lines and the value of each sub-expression of their conditions")
    .option("--sources <dir>", "where the policy files the module names are (default: the current directory)")
    .option("--format <format>", "output format: text or json", "text")
    .option("--exit-code", "exit 1 unless the decision is allow (deny or approve); with --requests, unless every one is")
    .action(async (flags: EvalFlags) => {
      setExit(await runEval(flags, io, hooks));
    });
}

async function runEval(flags: EvalFlags, io: CliIo, hooks: EvalCommandHooks): Promise<number> {
  const format = parseFormat(flags.format);
  if (format === undefined) return usageError(io, `unknown format \`${flags.format}\`; use text or json`);
  if (flags.sources !== undefined && flags.explain !== true) return usageError(io, "--sources is used only with --explain");
  if ((flags.request === undefined) === (flags.requests === undefined)) return usageError(io, "give --request <file.json> (one request) or --requests <file.jsonl | folder> (many)");
  if (flags.requests !== undefined && flags.explain === true) return usageError(io, "--explain explains one request: use it with --request");
  if (flags.state === "-" && flags.request === "-") return usageError(io, "only one of --request and --state can read stdin");
  const loaded = await loadModuleFile(io, flags.policy);
  if ("error" in loaded) return usageError(io, loaded.error);
  if (flags.requests !== undefined) {
    let shared: RuntimeState | undefined;
    if (flags.state !== undefined) {
      const read = await readJsonFile(io, flags.state, "state", hooks.stdin);
      if ("error" in read) return usageError(io, read.error);
      shared = read.value as RuntimeState; // untrusted: the runtime validates it and denies when it is wrong
    }
    return evalMany(io, loaded.engine, flags.requests, shared, format, flags.exitCode === true);
  }
  const request = await readJsonFile(io, flags.request!, "request", hooks.stdin);
  if ("error" in request) return usageError(io, request.error);
  let state: RuntimeState | undefined;
  if (flags.state !== undefined) {
    const read = await readJsonFile(io, flags.state, "state", hooks.stdin);
    if ("error" in read) return usageError(io, read.error);
    state = read.value as RuntimeState; // untrusted: the runtime validates it and denies when it is wrong
  }

  const decision = loaded.engine.decide(request.value, state);
  const explanation = flags.explain === true ? await explain(flags, io, loaded.engine.manifest, decision, request.value, state) : undefined;

  if (format === "json") {
    const document =
      explanation === undefined
        ? decision
        : { decision, explanation: explanation.status === "explained" ? explanation.json : { status: "unavailable", message: explanation.message } };
    io.stdout(`${displayBlock(JSON.stringify(document, null, 2))}\n`);
  } else {
    const lines = decisionLines(decision);
    if (explanation?.status === "unavailable") lines.push("", `explanation: ${explanation.message}`);
    if (explanation?.status === "explained") lines.push("", "explanation:", ...explanation.lines.map((l) => `  ${l}`));
    // Reasons, ids and error messages come from the module and the request: no value may start a line.
    io.stdout(`${lines.map(displayText).join("\n")}\n`);
  }
  return flags.exitCode === true && decision.effect !== "allow" ? EXIT.policyErrors : EXIT.ok;
}

/** The explanation; an internal error while explaining never hides the decision. */
async function explain(flags: EvalFlags, io: CliIo, manifest: Manifest, decision: Decision, request: unknown, state: RuntimeState | undefined): Promise<DecisionExplanation> {
  try {
    // Loaded only for --explain: it checks and lowers the sources, which deciding never needs.
    const { explainDecision } = await import("../explain-decision.js");
    return await explainDecision(manifest, decision, request, state, { base: resolve(io.cwd, flags.sources ?? "."), label: flags.sources ?? "." });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: "unavailable", message: `internal error while explaining (${message}); this is a bug in agp, not in your policy` };
  }
}
