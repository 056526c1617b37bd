/**
 * Test support for the adversarial suite: one small policy that reads every
 * kind of value an attacker would aim at (a number with a maximum, an
 * integer compared for equality, a bounded string tested by prefix, an
 * array quantified over, a free-form field), compiled once and loaded in
 * all three engines: the runtime's object path, its JSON path and the
 * reference interpreter.
 *
 * In: nothing. Out: `AdversarialFixture` and request builders.
 * Must not decide anything itself: tests compare the engines.
 */
import { loadJsonDeciderSync, type JsonDecider, type PolicyEngine } from "../../runtime/index.js";
import type { Interpreter } from "../../compiler/interpret/index.js";
import { checkText, pairOf } from "../compile/harness.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

/** The catalog: `files.write` reads all kinds of values; `files.note` takes a free-form field. */
export const ADVERSARIAL_CATALOGS: Record<string, object> = {
  "files.json": {
    $schema: SCHEMA,
    family: "files",
    actions: {
      write: {
        args: {
          type: "object",
          properties: {
            path: { type: "string", maxLength: 256 },
            paths: { type: "array", items: { type: "string", maxLength: 64 }, maxItems: 8 },
            amount: { type: "number", minimum: 0, maximum: 1000 },
            n: { type: "integer" },
            mode: { enum: ["read", "write"] },
            force: { type: "boolean" },
            meta: {},
          },
          required: ["path", "paths", "amount"],
          additionalProperties: false,
        },
      },
      note: {
        args: {
          type: "object",
          properties: { text: { type: "string", maxLength: 64 }, meta: {} },
          required: ["text"],
          additionalProperties: false,
        },
      },
    },
  },
};

/** The policy: allows writes under `src/` within budget; a magic `n` and forced writes are decided apart. */
export const ADVERSARIAL_POLICY = `package adversarial

rule writes_under_src:
  allow files.write
  when args.path startsWith "src/"
   and all p in args.paths: p startsWith "src/"
   and args.amount <= 1000

rule magic_number:
  approve files.write
  when has args.n and args.n == 9007199254740991
  by 1 of group "reviewers"

rule no_force:
  deny files.write
  when has args.force and args.force == true
  because "forced writes are refused"

rule notes:
  allow files.note
`;

export interface AdversarialFixture {
  readonly engine: PolicyEngine;
  readonly json: JsonDecider;
  readonly interpreter: Interpreter;
}

let cached: AdversarialFixture | undefined;

/** Compiles the policy once per test file. */
export function adversarialFixture(): AdversarialFixture {
  if (cached !== undefined) return cached;
  const { checked, catalogs } = checkText({ "adversarial.agp": ADVERSARIAL_POLICY }, ADVERSARIAL_CATALOGS);
  const pair = pairOf(checked, catalogs);
  cached = { engine: pair.engine, json: loadJsonDeciderSync(pair.engine), interpreter: pair.interpreter };
  return cached;
}

/** A valid `files.write` request with `args` merged over a harmless default. */
export function writeRequest(args: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agent: { id: "bot", groups: ["writers"], trust: 2 },
    action: "files.write",
    args: { path: "src/a.ts", paths: ["src/b.ts"], amount: 10, ...args },
    env: "dev",
  };
}
