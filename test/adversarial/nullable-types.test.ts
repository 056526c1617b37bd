/**
 * Issue 11, class J: the engines agree on every type the catalog model has.
 * For a nullable array the checker's own help (AGP227) says to write
 * `args.bcc != null and …`; the reference interpreter used to fail on it
 * ("`!=` compares strings, numbers, booleans and null, got an array and
 * null") while the module decided, so `agp test --both` failed.
 *
 * The reproducer runs through `agp test --both`; then policies over
 * test/fixtures/catalog/types/all-types.json, whose fields are nullable
 * arrays, nullable objects, unions and exclusive oneOfs, with null tests and
 * guarded reads combined at random, are decided by the interpreter, the
 * module through the JS path and the module through the JSON entry point on
 * generated requests: one decision. AGP_NULLABLE_RUNS=n raises the count.
 */
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { parse } from "../../compiler/syntax/index.js";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { pairOf } from "../compile/harness.js";
import { arbitraryRequest } from "../interpret/arbitrary-request.js";
import { ALL_TYPES_SCHEMA, EXAMPLE_SCHEMAS } from "../support/schemas.js";

const POLICIES = Number(process.env["AGP_NULLABLE_RUNS"] ?? 4);
const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

const MAIL = {
  $schema: SCHEMA,
  family: "mail",
  actions: {
    send: {
      args: {
        type: "object",
        properties: {
          to: { type: "string", maxLength: 64 },
          bcc: { type: ["array", "null"], items: { type: "string", maxLength: 64 }, maxItems: 8 },
        },
        required: ["to", "bcc"],
        additionalProperties: false,
      },
    },
  },
};

describe("nullable types (issue 11, J)", () => {
  it("the reproducer: the checker's advice for a nullable array passes `agp test --both`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agp-nullable-"));
    writeFileSync(join(dir, "mail.json"), JSON.stringify(MAIL));
    // First, what the checker says without the null check.
    writeFileSync(join(dir, "mail.agp"), 'package mail\nactions "mail.json"\n\nrule outside:\n  approve mail.send\n  when any a in args.bcc: not (a endsWith "@acme.com")\n  by 1 of group "security"\n');
    const io = captureIo(dir);
    expect(await main(["check", "mail.agp"], io)).toBe(1);
    expect(io.err).toContain("error AGP227: `args.bcc` may be null in its schema; `any` needs a value");
    expect(io.err).toContain("help: check it first: `args.bcc != null and …`");
    // Then the advice followed, with tests both engines must pass.
    writeFileSync(
      join(dir, "mail.agp"),
      'package mail\nactions "mail.json"\n\nrule send: allow mail.send\n\nrule outside:\n  approve mail.send\n  when args.bcc != null and (any a in args.bcc: not (a endsWith "@acme.com"))\n  by 1 of group "security"\n',
    );
    writeFileSync(
      join(dir, "mail.test.agp"),
      [
        "defaults:",
        '  agent { id: "mailer", groups: [], trust: 2 }',
        '  env "production"',
        "",
        'test "no bcc at all":',
        '  request mail.send { to: "ann@acme.com", bcc: null }',
        "  expect allow from send",
        "",
        'test "a bcc outside the company needs security":',
        '  request mail.send { to: "ann@acme.com", bcc: ["eve@evil.com"] }',
        "  expect approve from outside",
        "",
        'test "an empty bcc list":',
        '  request mail.send { to: "ann@acme.com", bcc: [] }',
        "  expect allow from send",
        "",
      ].join("\n"),
    );
    const both = captureIo(dir);
    const code = await main(["test", "--both", "."], both);
    expect(both.err).toBe("");
    expect(code).toBe(0);
    expect(both.out).toContain("3 passed");
  }, 120_000);

  it("null tests and guarded reads of nullable arrays, nullable objects and unions: one decision from every engine", async () => {
    const loaded = await loadCatalogFiles([...EXAMPLE_SCHEMAS, ALL_TYPES_SCHEMA]);
    const atoms = [
      "args.bcc == null",
      "args.bcc != null",
      '(args.bcc != null and (any b in args.bcc: b == "a"))',
      '(args.bcc == null or args.bcc contains "ab")',
      "args.owner == null",
      '(args.owner != null and args.owner.team == "sre")',
      "(args.owner != null and args.owner.level >= 2)",
      "(has args.cc and args.cc != null and (all n in args.cc: n > 3))",
      "(has args.cc and args.cc == null)",
      "(has args.priority and args.priority != null and args.priority >= 3)",
      '(has args.mode and (args.mode == null or args.mode == "draft"))',
      "args.score > 5",
      '(has args.flags and args.flags contains "urgent")',
      '(any t in args.to: t endsWith ".org")',
    ];
    const rules = fc.array(fc.tuple(fc.constantFrom("allow", "approve", "deny"), fc.subarray(atoms, { minLength: 1, maxLength: 3 }), fc.boolean()), {
      minLength: 1,
      maxLength: 4,
    });
    const generated = fc.sample(rules, { seed: 20261111, numRuns: POLICIES });
    let decided = 0;
    const effects = new Set<string>();
    for (const [n, policyRules] of generated.entries()) {
      const text = `package nullable\n\n${policyRules
        .map(([effect, parts, or], i) => `rule r${i}:\n  ${effect} kinds.mail.send\n  when ${parts.join(or ? " or " : " and ")}\n${effect === "approve" ? '  by 1 of group "security"\n' : ""}`)
        .join("\n")}`;
      const parsed = parse(text, "nullable.agp");
      expect(parsed.diagnostics).toEqual([]);
      const result = check({ files: [parsed.file], catalogs: loaded.set });
      expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), text).toEqual([]);
      const pair = pairOf(result.checked!, loaded.set);
      const json = loadJsonDeciderSync(pair.engine);
      const requests = fc.sample(
        arbitraryRequest(loaded.set, { interesting: ["a", "ab", "sre", "draft", "ann@acme.org", "bob@corp.com"] }).filter((r) => r["action"] === "kinds.mail.send"),
        { seed: n, numRuns: 150 },
      );
      for (const request of requests) {
        const expected = pair.interpreter.decide(request);
        expect(expected.error?.code === "evaluation_error", JSON.stringify(expected.error)).toBe(false);
        expect(pair.engine.decide(request), `${text}\n${JSON.stringify(request)}`).toEqual(expected);
        expect(json.decideJson(JSON.stringify(request)), `${text}\n${JSON.stringify(request)}`).toEqual(expected);
        if (expected.error === undefined) decided++;
        effects.add(expected.effect);
      }
    }
    expect(decided).toBeGreaterThan(POLICIES * 100);
    expect(effects.size).toBeGreaterThan(1);
  }, 300_000);
});
