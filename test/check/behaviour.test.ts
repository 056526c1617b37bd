/**
 * Checker behaviour users rely on beyond single codes: --strict, guards that
 * flow through `and`/`or`/`not`, one run reporting every file's problems,
 * warnings withheld while errors exist, no false "can never match", and the
 * checked policy set later stages read.
 */
import { describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/index.js";
import { diagnosticToJson } from "../../compiler/diagnostics/index.js";
import { resolve } from "node:path";
import { CATALOGS, codesOf, HEADER, rendered, runCheck } from "./harness.js";

describe("--strict", () => {
  const body = 'let unused = 1\n\nrule r: allow demo.ticket.open\n';

  it("leaves warnings as warnings without it", async () => {
    const result = await runCheck({ "policy.agp": HEADER + body });
    expect(result.diagnostics.map((d) => `${d.code} ${d.severity}`).sort()).toEqual([
      "AGP304 warning",
      "AGP305 warning",
      "AGP305 warning",
    ]);
    expect(result.checked).toBeDefined();
  });

  it("turns warnings into errors, except AGP305, which is reported only", async () => {
    const result = await runCheck({ "policy.agp": HEADER + body }, { strict: true });
    expect(result.diagnostics.map((d) => `${d.code} ${d.severity}`).sort()).toEqual([
      "AGP304 error",
      "AGP305 warning",
      "AGP305 warning",
    ]);
    expect(result.checked).toBeUndefined();
  });
});

describe("guards", () => {
  const rule = (when: string) => `rule r:\n  allow demo.ticket.*\n  when ${when}\n`;
  const open = (when: string) => `rule r:\n  allow demo.ticket.open\n  when ${when}\n`;
  const errors = async (body: string) => (await codesOf(body)).filter((c) => c.startsWith("AGP2"));

  it("a `has` on the left of `and` guards the right", async () => {
    expect(await errors(open('has args.labels and args.labels contains "bug"'))).toEqual([]);
  });

  it("`not has p or …` guards the right of `or`", async () => {
    expect(await errors(open('not has args.labels or args.labels contains "bug"'))).toEqual([]);
  });

  it("`has p or …` does not guard the right", async () => {
    expect(await errors(open('has args.labels or args.labels contains "bug"'))).toEqual(["AGP210"]);
  });

  it("a guard on the right does not guard the left", async () => {
    expect(await errors(open('args.labels contains "bug" and has args.labels'))).toEqual(["AGP210"]);
  });

  it("guards reach into quantifier bodies, and `has` covers every link of a chain", async () => {
    expect(await errors(open('has args.labels and (all l in args.labels: l != "wontfix")'))).toEqual([]);
    expect(await errors(open('has args.reviewer.team and args.reviewer.team == "sre"'))).toEqual([]);
  });

  it("each optional link needs its own guard", async () => {
    const result = await runCheck({ "policy.agp": HEADER + open('has args.reviewer and args.reviewer.team == "sre"') });
    expect(rendered(result, ["AGP210"])).toContain("help: guard it: `has args.reviewer.team and …`");
  });

  it("a field missing on one matched action is an error naming that action", async () => {
    const result = await runCheck({ "policy.agp": HEADER + rule("args.id == 1") });
    expect(result.diagnostics.map((d) => d.message)).toContain("`args.id` does not exist on `demo.ticket.open` (matched by `demo.ticket.*`)");
  });

  it("`!= null` lets a nullable field be inspected", async () => {
    expect(await errors(open('args.assignee == null or args.assignee endsWith "@acme.com"'))).toEqual([]);
    expect(await errors(open('args.assignee endsWith "@acme.com"'))).toEqual(["AGP227"]);
  });
});

describe("one run, every file", () => {
  it("reports a syntax error in one file and type errors in another", async () => {
    const result = await runCheck({
      "a.agp": HEADER + "rule broken allow demo.ticket.open\n",
      "b.agp": 'package demo.b\nactions "demo.json"\n\nrule typed: allow demo.ticket.open when args.titel == "x"\n',
    });
    const codes = result.diagnostics.map((d) => `${d.span.file} ${d.code}`);
    expect(codes.some((c) => c.startsWith("a.agp AGP1"))).toBe(true);
    expect(codes).toContain("b.agp AGP201");
  });

  it("reports an unreadable catalog once, without unknown-action errors for its package", async () => {
    const result = await runCheck({
      "policy.agp": 'package p\nactions "missing.json"\n\nrule r: allow x.y\n',
      "other.agp": HEADER + "rule s: allow demo.ticket.opn\n",
    });
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.span.file} ${d.code}`)).toEqual([
      "other.agp AGP202",
      "policy.agp AGP400",
    ]);
  });

  it("uses an absolute `actions` path as given, not joined to the policy's folder", async () => {
    const absolute = resolve(CATALOGS, "demo.json");
    const result = await runCheck({ "sub/policy.agp": `package p\nactions ${JSON.stringify(absolute)}\n\nrule r: allow demo.ticket.open\n` });
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(result.checked?.packages[0]?.catalogs).toEqual([absolute]);
  });

  it("reads a relative `actions` path from the policy's folder", async () => {
    const result = await runCheck({ "sub/policy.agp": 'package p\nactions "../demo.json"\n\nrule r: allow demo.ticket.open\n' });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const missing = await runCheck({ "sub/policy.agp": 'package p\nactions "demo.json"\n\nrule r: allow demo.ticket.open\n' });
    expect(missing.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([
      "cannot read catalog `sub/demo.json`: no such file or directory",
    ]);
  });

  it("reports a path that does not exist as AGP901 and checks the others", async () => {
    const result = await checkPaths(["no-such-dir", "examples/platform/github.agp"]);
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["AGP901"]);
    expect(result.files).toEqual(["examples/platform/github.agp"]);
  });

  it("gives JSON with the catalog location of a related span", async () => {
    const result = await runCheck({ "policy.agp": HEADER + 'rule r: deny demo.ticket.open when args.body contains "x"\n' });
    const json = result.diagnostics.filter((d) => d.code === "AGP216").map(diagnosticToJson);
    expect(json).toEqual([
      expect.objectContaining({ code: "AGP216", file: "policy.agp", line: 4, related: [expect.objectContaining({ file: "demo.json", line: 16 })] }),
    ]);
  });
});

describe("warnings", () => {
  it("are withheld while the policy set has errors", async () => {
    const codes = await codesOf('let unused = 1\n\nrule r: allow demo.ticket.open when args.titel == "x"\n');
    expect(codes).toContain("AGP201");
    expect(codes).not.toContain("AGP304");
  });

  it("are withheld while another file has a syntax error", async () => {
    const result = await runCheck({
      "policy.agp": HEADER + "let titles = {\"a\"}\n\nrule r: allow demo.ticket.open\n",
      "more.agp": HEADER + "rule broken allow demo.ticket.open when args.title in titles\n",
    });
    const codes = result.diagnostics.map((d) => d.code);
    expect(codes.some((c) => c.startsWith("AGP1"))).toBe(true);
    expect(codes).not.toContain("AGP304");
  });

  it("do not call satisfiable conditions impossible", async () => {
    const ok = [
      'args.severity == "sev1" or args.severity == "sev2"',
      "args.priority > 3 and args.priority < 5",
      "args.priority >= 3 and args.priority <= 3",
      'args.severity != "sev1" and args.severity != "sev2"',
      "action.costClass >= medium and action.costClass <= high",
      'args.assignee != "a" and args.assignee != null',
      "not (args.priority < 3) and args.priority < 4",
    ];
    for (const when of ok) {
      const codes = await codesOf(`rule r:\n  deny demo.ticket.open\n  when ${when}\n`);
      expect({ when, codes: codes.filter((c) => c === "AGP301") }).toEqual({ when, codes: [] });
    }
  });

  it("see through `not` and enum domains", async () => {
    for (const when of ['args.severity != "sev1" and args.severity != "sev2" and args.severity != sev3', "not (args.priority > 2) and args.priority > 4"]) {
      expect(await codesOf(`rule r:\n  deny demo.ticket.open\n  when ${when}\n`)).toContain("AGP301");
    }
  });

  it("do not call a rule pointless when the deny is narrower", async () => {
    const codes = await codesOf(
      "rule no_drafts:\n  deny demo.ticket.open\n  when args.draft and args.priority < 3\n\nrule drafts:\n  allow demo.ticket.open\n  when args.draft\n",
    );
    expect(codes).not.toContain("AGP303");
  });
});

describe("the checked policy set", () => {
  it("records matched actions, resolutions and limit keys", async () => {
    const result = await runCheck({
      "policy.agp":
        HEADER +
        'let closers = {"a", "b"}\n\nrule r:\n  allow demo.ticket.*\n  when action.costClass >= medium and agent.id in closers\n\n' +
        'rule s:\n  allow demo.ticket.open\n  when has args.labels and (any l in args.labels: l == "bug")\n\n' +
        "limit rate: 5 per hour per agent on demo.ticket.*\n",
    });
    const checked = result.checked!;
    expect(checked.packages).toEqual([expect.objectContaining({ name: "demo", delegation: "both", catalogs: ["demo.json"] })]);
    const r = checked.rules.find((x) => x.id === "r")!;
    expect(r.actions).toEqual(["demo.ticket.close", "demo.ticket.list", "demo.ticket.open"]);
    expect(r.condition?.kind).toBe("Logical");
    if (r.condition?.kind !== "Logical" || r.condition.left.kind !== "Compare" || r.condition.right.kind !== "Compare") throw new Error("shape");
    const costClass = r.condition.left.left;
    expect(costClass.kind === "Path" && costClass.resolution.kind === "field" && costClass.resolution.root).toBe("action");
    expect(costClass.kind === "Path" && costClass.resolution.kind === "field" && costClass.resolution.perAction.map((a) => a.action)).toEqual(r.actions);
    const medium = r.condition.left.right;
    expect(medium.kind === "Path" && medium.resolution).toEqual({ kind: "enumMember", value: "medium" });
    const closers = r.condition.right.right;
    expect(closers.kind === "Path" && closers.resolution).toEqual({ kind: "constant", name: "closers", package: "demo", value: { kind: "set", values: ["a", "b"] } });
    const s = checked.rules.find((x) => x.id === "s")!;
    if (s.condition?.kind !== "Logical" || s.condition.right.kind !== "Quantified" || s.condition.right.body.kind !== "Compare") throw new Error("shape");
    const l = s.condition.right.body.left;
    expect(l.kind === "Path" && l.resolution).toEqual({ kind: "variable", name: "l", fields: [] });
    const limit = checked.limits[0]!;
    expect(limit.keys.map((k) => k.kind === "Path" && k.resolution.kind === "field" && [k.resolution.root, ...k.resolution.fields].join("."))).toEqual(["agent.id"]);
    expect(checked.constants.map((c) => c.name)).toEqual(["closers"]);
  });
});

describe("enums and sets", () => {
  it("checks the members of a set constant compared with an enum", async () => {
    const result = await runCheck({
      "policy.agp": HEADER + 'let severe = {"sev1", "sev0"}\n\nrule r:\n  deny demo.ticket.open\n  when args.severity in severe\n',
    });
    expect(result.diagnostics.map((d) => `${d.code}: ${d.message}`)).toContain(
      "AGP212: `sev0` is not a member of the enum of `args.severity`",
    );
  });

  it("suggests `in` when a value is compared with a set by `==`", async () => {
    const result = await runCheck({
      "policy.agp": HEADER + 'let titles = {"a", "b"}\n\nrule r:\n  allow demo.ticket.open\n  when args.title == titles\n',
    });
    expect(rendered(result, ["AGP211"])).toContain("help: to test membership in a set, use `in`");
  });

  it("checks number enums too", async () => {
    const result = await runCheck({
      "policy.agp": HEADER + "rule r:\n  allow demo.ticket.list\n  when has args.points and (args.points == 4 or args.points == 5)\n",
    });
    expect(rendered(result, ["AGP212"])).toContain("error AGP212: `4` is not a member of the enum of `args.points`");
    expect(result.diagnostics.filter((d) => d.code === "AGP212")).toHaveLength(1);
  });

  it("accepts enum members as bare names and as strings, in any order", async () => {
    const codes = await codesOf('rule r:\n  allow demo.ticket.*\n  when medium <= action.costClass and "gold" == action.tier\n');
    expect(codes.filter((c) => c.startsWith("AGP2"))).toEqual([]);
  });
});

describe("messages", () => {
  it("stay on one line and show invisible characters escaped", async () => {
    const result = await runCheck({
      "policy.agp": 'package demo\nactions "demo.json"\nactions "groups.json"\n\nrule r:\n  approve demo.ticket.open\n  by 1 of group "sre\\n\\u202e"\n',
    });
    expect(result.diagnostics.filter((d) => d.code === "AGP204").map((d) => d.message)).toEqual(["no approver group named `sre\\n\\u202e`"]);
  });
});

describe("`by requester` under `delegation human_only` (ADR 0040)", () => {
  const body = 'rule confirm: approve demo.ticket.close by requester\nrule people: allow demo.ticket.close for human\n';

  it("needs no `has human` guard: a request without a human is denied before any approval", async () => {
    const result = await runCheck({ "policy.agp": 'package demo\nactions "demo.json"\ndelegation human_only\n\n' + body });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("still needs it under the other modes (AGP280)", async () => {
    for (const mode of ["both", "either"]) {
      const result = await runCheck({ "policy.agp": `package demo\nactions "demo.json"\ndelegation ${mode}\n\n` + body });
      expect(result.diagnostics.map((d) => d.code)).toContain("AGP280");
    }
  });
});
