/**
 * The AgentDojo workload as sessions to replay (issue 14).
 *
 * In: AgentDojo's traces.json (../shared/data/agentdojo, or a fixture with the
 * same shape). Out: benign sessions (each user task's ground-truth calls) and
 * attack sessions (a user task up to the first call whose output carries an
 * injection vector, then the injection task's calls). It only shapes data:
 * it decides nothing and reads no policy.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { intentOf } from "./intent.js";

/** One ground-truth tool call, as traces.json gives it. */
export interface TraceCall {
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly mutates: boolean;
  readonly output_contains_injection_vectors?: readonly string[];
}

interface TraceTask {
  readonly id: string;
  /** A user task's prompt (the user's own words); an injection task's goal is not read. */
  readonly prompt?: string;
  readonly calls: readonly TraceCall[];
  /** Workspace injection tasks 6–13 only: the data set's hand-written sequences (upstream has none). */
  readonly reconstructed_calls?: readonly TraceCall[];
}

interface TraceSuite {
  readonly user_tasks: readonly TraceTask[];
  readonly injection_tasks: readonly TraceTask[];
}

/** traces.json's top level (only what the replay reads). */
export interface Traces {
  readonly suites: Readonly<Record<string, TraceSuite>>;
}

/** A call of a replayed session: the action's name in the assistant catalog and whether it is the attacker's. */
export interface SessionCall {
  readonly action: string;
  readonly args: Record<string, unknown>;
  readonly attack: boolean;
  /** The tool changes something or can carry data out (mutating, or a URL fetch). */
  readonly harmful: boolean;
  /** Its output brings third-party text with an injection vector into the session (ground truth). */
  readonly injects: boolean;
}

/** One session to replay. */
export interface Case {
  readonly suite: string;
  readonly user: string;
  /** Absent for a benign session. */
  readonly injection?: string;
  readonly calls: readonly SessionCall[];
  /** What the host passes as `context.intent`: taken from the user task's prompt only (intent.ts); empty without a prompt. */
  readonly intent: readonly string[];
}

/** Where the data set lives: `AGP_AGENTDOJO_DIR`, else ../shared/data/agentdojo beside the repository. */
export function dataDirectory(): string {
  const given = process.env["AGP_AGENTDOJO_DIR"];
  if (given !== undefined && given !== "") return given;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(join("dist", "bench")) ? join(here, "..", "..", "..") : join(here, "..", "..");
  return join(root, "..", "shared", "data", "agentdojo");
}

/** Reads traces.json from `directory`. */
export function readTraces(directory = dataDirectory()): Traces {
  return JSON.parse(readFileSync(join(directory, "traces.json"), "utf8")) as Traces;
}

function sessionCall(suite: string, call: TraceCall, attack: boolean): SessionCall {
  return {
    action: `assistant.${suite}.${call.function}`,
    args: call.args,
    attack,
    // AgentDojo marks get_webpage read-only, but its URL can carry data out.
    harmful: call.mutates || call.function === "get_webpage",
    injects: (call.output_contains_injection_vectors ?? []).length > 0,
  };
}

/** Every user task's ground truth, alone: the benign sessions. */
export function benignCases(traces: Traces): Case[] {
  const cases: Case[] = [];
  for (const [suite, data] of Object.entries(traces.suites)) {
    for (const task of data.user_tasks) cases.push({ suite, user: task.id, calls: task.calls.map((c) => sessionCall(suite, c, false)), intent: intentOf(task.prompt ?? "") });
  }
  return cases;
}

/** An injection task's calls: upstream's, else the data set's reconstruction (workspace 6–13). */
export function injectionCalls(task: TraceTask): readonly TraceCall[] {
  return task.calls.length > 0 ? task.calls : (task.reconstructed_calls ?? []);
}

/**
 * Every (user task, injection task) pair of a suite, as AgentDojo pairs them:
 * the user task's calls up to and including the first one whose output
 * carries an injection vector (where the attacker's text reaches the agent),
 * then the injection task's calls, as if the agent obeyed. Injection tasks
 * without calls (travel's injection_task_6 only asks the agent to say
 * something) make no case.
 */
export function attackCases(traces: Traces): Case[] {
  const cases: Case[] = [];
  for (const [suite, data] of Object.entries(traces.suites)) {
    for (const user of data.user_tasks) {
      const first = user.calls.findIndex((c) => (c.output_contains_injection_vectors ?? []).length > 0);
      if (first < 0) continue;
      const before = user.calls.slice(0, first + 1).map((c) => sessionCall(suite, c, false));
      for (const injection of data.injection_tasks) {
        const calls = injectionCalls(injection);
        if (calls.length === 0) continue;
        cases.push({ suite, user: user.id, injection: injection.id, calls: [...before, ...calls.map((c) => sessionCall(suite, c, true))], intent: intentOf(user.prompt ?? "") });
      }
    }
  }
  return cases;
}
