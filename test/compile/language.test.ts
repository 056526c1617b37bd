/**
 * Differential on the language of issue 15: `*` and `{…}` pattern lists
 * (rules and limits), named conditions (with and without parameters, used
 * inside quantifiers, passing arrays, sets and conditions, nested), string
 * views (`lower`, `domain`, `normpath`, in `==`, `in`, `startsWith`,
 * `endsWith`, `contains`, `matches`, against fields and item fields),
 * `under` with sets of bases, and typed obligations with every merge rule
 * (declared in a catalog, constants as values). The compiled module
 * (through the runtime's object path and through the JSON entry point) must
 * equal the reference interpreter on every request.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { checkText, pairOf } from "./harness.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const text = (maxLength: number) => ({ type: "string", maxLength });

/** Catalogs of the test: mail, files and repositories, and a project catalog with groups and obligations. */
export const LANGUAGE_CATALOGS: Record<string, object> = {
  "mail.json": {
    $schema: SCHEMA,
    family: "mail",
    actions: {
      send: {
        args: {
          type: "object",
          properties: {
            to: { type: "array", items: text(40), maxItems: 4 },
            cc: { type: "array", items: text(40), maxItems: 2 },
            subject: text(40),
          },
          required: ["to", "subject"],
          additionalProperties: false,
        },
      },
      read: { metadata: { readOnly: true }, args: { type: "object", properties: { folder: text(20) }, required: ["folder"], additionalProperties: false } },
    },
  },
  "files.json": {
    $schema: SCHEMA,
    family: "files",
    actions: {
      write: { args: { type: "object", properties: { path: text(60), content: text(20) }, required: ["path"], additionalProperties: false } },
      read: { metadata: { readOnly: true }, args: { type: "object", properties: { path: text(60) }, required: ["path"], additionalProperties: false } },
    },
  },
  "repo.json": {
    $schema: SCHEMA,
    family: "repo",
    actions: {
      push: { args: { type: "object", properties: { repo: text(40), branch: text(30) }, required: ["repo", "branch"], additionalProperties: false } },
      read: { metadata: { readOnly: true }, args: { type: "object", properties: { repo: text(40) }, required: ["repo"], additionalProperties: false } },
    },
  },
  "project.json": {
    $schema: SCHEMA,
    groups: ["sec", "sre"],
    obligations: {
      max_runtime_seconds: { type: "integer", merge: "min" },
      level: { type: "number", merge: "max" },
      dry_run: { type: "boolean", merge: "or" },
      strict_review: { type: "boolean", merge: "and" },
      sandbox: { type: "string", enum: ["none", "basic", "strict"], merge: "max" },
      ticket: { type: "string", merge: "same" },
      notify: { type: "set", merge: "union" },
      regions: { type: "set", merge: "intersection" },
    },
  },
};

const POLICY = (mode: string) => `package lang
delegation ${mode}

let internal = {"acme.com", "acme.org"}
let production_repos = {"acme/payments", "acme/production-infra"}
let max_runtime = 90
let notify_sec = {"#security"}

let external(addr) = domain(addr) not in internal
let any_external(list) = any r in list: external(r)
let in_workspace(p) = p under {"/workspace", "/tmp/agent"}
let production = env == "production"
let mutating_in_production = production and not action.readOnly
let either(a, b) = a or b
let prod_repo = lower(args.repo) in production_repos

rule read_only_production:
  deny *
  when mutating_in_production and agent.trust < 3

rule external_mail:
  approve mail.send
  when any_external(args.to) or (has args.cc and any_external(args.cc))
  by 1 of group "sec"
  with notify = notify_sec, sandbox = "basic", ticket = "T-1"

rule mail:
  allow mail.*
  with max_runtime_seconds = max_runtime, regions = {"eu", "us"}

rule mail_subject:
  allow mail.send
  when either(lower(args.subject) startsWith "re:", lower(args.subject) contains "urgent")
    or lower(args.subject) matches "*[0-9]*" or lower(args.subject) endsWith ".com"
  with max_runtime_seconds = 30, regions = {"eu"}, notify = {"#ops"}, sandbox = "strict", dry_run = true, strict_review = false, level = 2, ticket = "T-1"

rule files_workspace:
  allow {files.write, files.read}
  when in_workspace(args.path)
  with strict_review = true, level = 1, dry_run = false

rule files_forbidden:
  deny files.*
  when args.path under "/etc" or normpath(args.path) in {"/", "/root"} or normpath(args.path) endsWith ".key"
    or normpath(args.path) == args.path and args.path contains "//"

rule repos:
  allow repo.*
  when not prod_repo and domain(agent.id) != "evil.com"

rule repos_production:
  approve repo.push
  when prod_repo and (lower(args.branch) == "main" or lower(args.branch) in {"master", "release"})
  by 1 of group "sre"

rule human_side:
  allow {mail.*, files.*, repo.read} for human
  when domain(human.id) == "acme.com" or lower(human.id) in human.groups

limit calls: 3 per minute per agent on *
limit outgoing: 2 per hour on {mail.send, repo.push} when agent.trust < 2
`;

const INTERESTING = [
  "/workspace/a", "/workspace/../etc/passwd", "/workspace", "/workspace/", "//workspace//x", "/tmp/agent/./x", "/tmp/agentx",
  "/etc/shadow", "/etc", "/", "/root/", "/x/id.key", "relative/path", "/workspace/a\u0000/../../etc", "/a\\..\\etc", "/%2e%2e/etc",
  "bob@acme.com", "eve@ACME.COM.", "x@evil.com", "a@b@acme.org", "no-at-sign", "acme.com", "@", "ann@Acme.Com",
  "acme/payments", "Acme/Production-Infra", "ACME/PAYMENTS", "acme/tools", "Main", "MASTER", "feature",
  "Re: hello", "URGENT now", "x1", "mail.COM", "production", "staging", "a@evil.com", "sec", "BOB@ACME.COM",
];

/** Requests every engine must answer as stated: the meanings docs/language.md promises. */
const CASES: readonly { readonly request: Record<string, unknown>; readonly state?: Record<string, unknown>; readonly effect: string; readonly rules: readonly string[]; readonly obligations?: Record<string, unknown> }[] = [
  // `..` never escapes `under`, and no hand-written guard is needed.
  { request: req("files.write", { path: "/workspace/../etc/passwd" }), effect: "deny", rules: ["files_forbidden"] },
  { request: req("files.write", { path: "/workspace/./a//b/" }), effect: "allow", rules: ["files_workspace"] },
  { request: req("files.write", { path: "workspace/a" }), effect: "deny", rules: [] },
  { request: req("files.write", { path: "/workspace/a\u0000/../../etc" }), effect: "deny", rules: [] },
  // Case does not escape a list of production repositories.
  { request: req("repo.push", { repo: "Acme/Production-Infra", branch: "MAIN" }), effect: "approve", rules: ["repos_production"] },
  { request: req("repo.push", { repo: "acme/tools", branch: "main" }), effect: "allow", rules: ["repos"] },
  // An external recipient anywhere in the list needs security's approval; the obligations merge by their declared rules.
  {
    request: req("mail.send", { to: ["ann@acme.com", "x@Evil.COM."], subject: "Re: 42" }),
    effect: "approve",
    rules: ["external_mail"],
    obligations: { dry_run: true, level: 2, max_runtime_seconds: 30, notify: ["#ops", "#security"], regions: ["eu"], sandbox: "strict", strict_review: false, ticket: "T-1" },
  },
  { request: req("mail.send", { to: ["ann@ACME.com"], subject: "hello" }), effect: "allow", rules: ["mail"], obligations: { max_runtime_seconds: 90, regions: ["eu", "us"] } },
  // `*`: production is read-only for low-trust agents, whatever the family.
  { request: { ...req("repo.push", { repo: "acme/tools", branch: "main" }), env: "production" }, effect: "deny", rules: ["read_only_production"] },
  { request: { ...req("files.read", { path: "/workspace/a" }), env: "production" }, effect: "allow", rules: ["files_workspace"] },
  // A limit on `*` counts every action.
  { request: req("mail.read", { folder: "inbox" }), state: { counters: { calls: 3 } }, effect: "deny", rules: ["calls"] },
];

function req(action: string, args: Record<string, unknown>): Record<string, unknown> {
  return { agent: { id: "bot", groups: [], trust: 2 }, action, args, env: "dev" };
}

describe("language of issue 15: wasm + runtime vs the interpreter", () => {
  it("answers the documented cases the same in every engine", () => {
    const { checked, catalogs } = checkText({ "p.agp": POLICY("both") }, LANGUAGE_CATALOGS);
    const pair = pairOf(checked, catalogs);
    const json = loadJsonDeciderSync(pair.engine);
    for (const c of CASES) {
      const request = c.request;
      const expected = pair.interpreter.decide(request, c.state as never);
      const where = JSON.stringify(request);
      expect(expected.effect, where).toBe(c.effect);
      expect(expected.rules.map((r) => r.id), where).toEqual(c.rules);
      if (c.obligations !== undefined) expect(expected.obligations, where).toEqual(c.obligations);
      expect(pair.engine.decide(request, c.state as never), where).toEqual(expected);
      expect(json.decideJson(JSON.stringify(request), c.state as never), where).toEqual(expected);
    }
  });

  for (const mode of ["both", "either", "agent_only", "human_only"]) {
    it(`agrees under delegation ${mode} (object and JSON paths)`, () => {
      const { checked, catalogs } = checkText({ "p.agp": POLICY(mode) }, LANGUAGE_CATALOGS);
      const pair = pairOf(checked, catalogs);
      const json = loadJsonDeciderSync(pair.engine);
      const state = fc.option(
        fc.record(
          {
            counters: fc.dictionary(fc.constantFrom("calls", "outgoing"), fc.constantFrom(0, 1, 2, 3)),
            approvals: fc.array(fc.record({ id: fc.constantFrom("u1", "u2"), groups: fc.constantFrom(["sec"], ["sre"]) }), { maxLength: 2 }),
            trust: fc.integer({ min: 0, max: 4 }),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      );
      const effects = new Set<string>();
      const reached = new Set<string>();
      const obligations = new Set<string>();
      fc.assert(
        fc.property(arbitraryRequest(catalogs, { interesting: INTERESTING }), state, (request, s) => {
          const expected = pair.interpreter.decide(request, s as never);
          effects.add(expected.effect);
          for (const rule of expected.rules) reached.add(rule.id);
          for (const key of Object.keys(expected.obligations)) obligations.add(key);
          const where = JSON.stringify({ request, s });
          expect(pair.engine.decide(request, s as never), where).toEqual(expected);
          expect(json.decideJson(new TextEncoder().encode(JSON.stringify(request)), s as never), where).toEqual(expected);
        }),
        { seed: 15, numRuns: 2000 },
      );
      expect([...effects].sort()).toEqual(["allow", "approve", "deny"]);
      if (process.env["AGP_SHOW_REACHED"]) console.log(mode, [...reached].sort().join(" "), [...obligations].sort().join(" "));
      expect(reached.size).toBeGreaterThanOrEqual(7);
      expect(obligations.size).toBeGreaterThanOrEqual(6);
    }, 180_000);
  }
});
