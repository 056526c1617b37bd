/**
 * Every operator of the expression language, evaluated on real requests:
 * a rule `allow … when <expr>` allows exactly when the expression is true.
 */
import { describe, expect, it } from "vitest";
import { ALICE, policy, request, shell, uncheckedPolicy } from "./harness.js";

const LETS = `
let production_repos = {"acme/production-infra", "acme/payments"}
let max_runtime = 120
let strict = true
`;

/** Whether `expr` holds for `req` (the rule covers exactly the request's action; it must pass the checker). */
function holds(expr: string, req: Record<string, unknown>): boolean {
  const decision = policy(`${LETS}\nrule r: allow ${String(req.action)} when ${expr}`).decide(req);
  if (decision.error !== undefined) throw new Error(decision.error.message);
  return decision.effect === "allow";
}

const pr = (args: Record<string, unknown>) => request("github.pull_request.open", { repo: "acme/tools", ...args });
const aws = (args: Record<string, unknown> = {}) =>
  request("aws.ec2.run_instances", { account: "sandbox", estimated_cost_usd: 10, ...args });

describe("comparisons", () => {
  it("== and != on strings, numbers, booleans, null", () => {
    expect(holds(`args.repo == "acme/tools"`, pr({}))).toBe(true);
    expect(holds(`args.repo != "acme/tools"`, pr({}))).toBe(false);
    expect(holds(`args.timeout_seconds == 60`, shell())).toBe(true);
    expect(holds(`args.timeout_seconds == 60.0`, shell())).toBe(true);
    expect(holds(`has args.draft and args.draft == true`, pr({ draft: true }))).toBe(true);
    expect(holds(`has args.note and args.note == null`, shell({ note: null }))).toBe(true);
    expect(holds(`has args.note and args.note != null`, shell({ note: "x" }))).toBe(true);
  });

  it("`!= null` / `== null` test a nullable array or object for null, as the checker's AGP227 help asks", () => {
    const mail = `has args.bcc and args.bcc != null and (all a in args.bcc: a endsWith "@acme.com")`;
    expect(holds(mail, shell({ bcc: ["x@acme.com"] }))).toBe(true);
    expect(holds(mail, shell({ bcc: ["x@evil.com"] }))).toBe(false);
    expect(holds(mail, shell({ bcc: null }))).toBe(false);
    expect(holds(`has args.bcc and args.bcc == null`, shell({ bcc: [] }))).toBe(false);
    expect(holds(`has args.bcc and null == args.bcc`, shell({ bcc: null }))).toBe(true);
    expect(holds(`has args.owner and args.owner != null and args.owner.team == "sre"`, shell({ owner: { team: "sre" } }))).toBe(true);
    expect(holds(`has args.owner and args.owner == null`, shell({ owner: { team: "sre" } }))).toBe(false);
    expect(holds(`has args.owner and args.owner == null`, shell({ owner: null }))).toBe(true);
  });

  it("== between different types is false, never a coercion (the checker refuses most such comparisons)", () => {
    expect(holds(`has args.note and args.note == "null"`, shell({ note: null }))).toBe(false);
    const unchecked = uncheckedPolicy(`rule r: allow shell.exec when args.timeout_seconds != "60"`);
    expect(unchecked.decide(shell()).effect).toBe("allow");
  });

  it("< <= > >= on numbers", () => {
    expect(holds(`args.timeout_seconds <= 120`, shell({ timeout_seconds: 120 }))).toBe(true);
    expect(holds(`args.timeout_seconds < 120`, shell({ timeout_seconds: 120 }))).toBe(false);
    expect(holds(`args.timeout_seconds > 120`, shell({ timeout_seconds: 121 }))).toBe(true);
    expect(holds(`args.timeout_seconds >= 121`, shell({ timeout_seconds: 120 }))).toBe(false);
    expect(holds(`args.timeout_seconds <= max_runtime`, shell({ timeout_seconds: 90 }))).toBe(true);
  });

  it("ordered enums compare by position in x-agp-ordered order, not alphabetically", () => {
    // "high" < "low" < "medium" alphabetically; the declared order is low < medium < high.
    expect(holds(`action.costClass >= medium`, aws())).toBe(true);
    expect(holds(`action.costClass > high`, aws())).toBe(false);
    expect(holds(`action.costClass == high`, aws())).toBe(true);
    expect(holds(`has args.size and args.size < large`, aws({ size: "small" }))).toBe(true);
    expect(holds(`has args.size and args.size >= large`, aws({ size: "huge" }))).toBe(true);
    expect(holds(`medium <= action.costClass`, aws())).toBe(true);
  });

  it("in / not in: set literals, set constants, array fields", () => {
    expect(holds(`args.repo in production_repos`, pr({ repo: "acme/payments" }))).toBe(true);
    expect(holds(`args.repo in production_repos`, pr({ repo: "acme/tools" }))).toBe(false);
    expect(holds(`args.repo not in production_repos`, pr({ repo: "acme/tools" }))).toBe(true);
    expect(holds(`env in {"dev", "staging"}`, pr({}))).toBe(false);
    expect(holds(`"coding-bots" in agent.groups`, pr({}))).toBe(true);
    expect(holds(`has human and "deployer" in human.roles`, { ...pr({}), human: { ...ALICE, roles: [] } })).toBe(false);
    expect(holds(`has human and "deployer" in human.roles`, { ...pr({}), human: ALICE })).toBe(true);
  });

  it("startsWith, endsWith, contains on strings; contains on arrays", () => {
    expect(holds(`args.repo startsWith "acme/"`, pr({}))).toBe(true);
    expect(holds(`args.repo endsWith "/tools"`, pr({}))).toBe(true);
    expect(holds(`args.repo endsWith "/tool"`, pr({}))).toBe(false);
    expect(holds(`args.command contains "sudo"`, shell({ command: "echo; sudo rm" }))).toBe(true);
    expect(holds(`has args.labels and args.labels contains "urgent"`, pr({ labels: ["urgent", "bug"] }))).toBe(true);
    expect(holds(`has args.labels and args.labels contains "urg"`, pr({ labels: ["urgent"] }))).toBe(false);
    expect(holds(`args.command startsWith "é"`, shell({ command: "école" }))).toBe(true);
  });

  it("matches: glob over the whole string", () => {
    expect(holds(`args.command matches "rm -rf /*"`, shell({ command: "rm -rf /var" }))).toBe(true);
    expect(holds(`args.command matches "rm -rf /*"`, shell({ command: "sudo rm -rf /var" }))).toBe(false);
    expect(holds(`args.command matches "git [!p]*"`, shell({ command: "git status" }))).toBe(true);
    expect(holds(`args.command matches "git [!p]*"`, shell({ command: "git push" }))).toBe(false);
  });
});

describe("logic, has, quantifiers, constants, metadata", () => {
  it("and, or, not", () => {
    expect(holds(`args.timeout_seconds < 100 and env == "production"`, shell())).toBe(true);
    expect(holds(`args.timeout_seconds > 100 and env == "production"`, shell())).toBe(false);
    expect(holds(`args.timeout_seconds > 100 or env == "production"`, shell())).toBe(true);
    expect(holds(`not env == "production"`, shell())).toBe(false);
    expect(holds(`not args.timeout_seconds > 100 and strict`, shell())).toBe(true);
    expect(holds(`strict`, shell())).toBe(true);
  });

  it("has tests presence; and/or stop early, so a guard protects the read", () => {
    expect(holds(`has args.labels`, pr({}))).toBe(false);
    expect(holds(`has args.labels`, pr({ labels: [] }))).toBe(true);
    expect(holds(`has args.labels and args.labels contains "x"`, pr({}))).toBe(false);
    expect(holds(`not has args.labels or args.labels contains "x"`, pr({}))).toBe(true);
    expect(holds(`has human`, pr({}))).toBe(false);
    expect(holds(`has human and human.id == "alice"`, { ...pr({}), human: ALICE })).toBe(true);
  });

  it("all / any over arrays and sets; empty arrays", () => {
    const paths = (write_paths: string[]) => shell({ write_paths });
    expect(holds(`all p in args.write_paths: p startsWith "/workspace/"`, paths(["/workspace/a", "/workspace/b"]))).toBe(true);
    expect(holds(`all p in args.write_paths: p startsWith "/workspace/"`, paths(["/workspace/a", "/etc/passwd"]))).toBe(false);
    expect(holds(`all p in args.write_paths: p startsWith "/workspace/"`, paths([]))).toBe(true);
    expect(holds(`any p in args.write_paths: p startsWith "/etc/"`, paths(["/workspace/a", "/etc/passwd"]))).toBe(true);
    expect(holds(`any p in args.write_paths: p startsWith "/etc/"`, paths([]))).toBe(false);
    expect(holds(`any r in production_repos: args.repo == r`, pr({ repo: "acme/payments" }))).toBe(true);
    expect(holds(`(all p in args.write_paths: p endsWith ".md") and env == "production"`, paths(["a.md"]))).toBe(true);
  });

  it("nested quantifiers see their own variables", () => {
    const expr = `all p in args.write_paths: any g in agent.groups: p contains g`;
    expect(holds(expr, shell({ write_paths: ["/coding-bots/x"] }))).toBe(true);
    expect(holds(expr, shell({ write_paths: ["/coding-bots/x", "/other"] }))).toBe(false);
  });

  it("action metadata: readOnly, name, family", () => {
    expect(holds(`action.readOnly`, request("aws.s3.get_object", { account: "a" }))).toBe(true);
    expect(holds(`action.readOnly`, aws())).toBe(false);
    expect(holds(`action.name == "aws.ec2.run_instances"`, aws())).toBe(true);
    expect(holds(`action.family == "aws"`, aws())).toBe(true);
  });

  it("context and env are readable", () => {
    expect(holds(`has context.session and context.session == "s-1"`, shell())).toBe(true);
    expect(holds(`env == "production"`, shell())).toBe(true);
  });
});

describe("conditions that cannot be evaluated fail closed", () => {
  // The checker refuses these policies; the interpreter must still fail closed on them.
  const decide = (source: string, req: Record<string, unknown>) => uncheckedPolicy(source).decide(req);

  it("reading an absent optional field without `has` denies and names the rule and the field", () => {
    const decision = decide(`rule r: allow github.* when args.labels contains "x"`, pr({}));
    expect(decision.effect).toBe("deny");
    expect(decision.error).toEqual({
      code: "evaluation_error",
      message: "cannot evaluate rule `r` (policy.agp:1): `args.labels` is absent (guard it with `has args.labels`)",
      path: "",
    });
  });

  it("reading the human when there is none denies", () => {
    const decision = decide(`rule r: allow github.* when human.id == "alice"`, pr({}));
    expect(decision.error?.message).toBe("cannot evaluate rule `r` (policy.agp:1): `human.id` is absent: the request names no human");
  });

  it("a deny rule that cannot be evaluated still denies, and so does an allow rule beside a matching deny", () => {
    expect(decide(`rule r: deny github.* when args.labels contains "x"`, pr({})).effect).toBe("deny");
    const both = decide(`rule d: deny github.*\nrule a: allow github.* when args.labels contains "x"`, pr({}));
    expect(both.effect).toBe("deny");
    expect(both.error?.code).toBe("evaluation_error");
  });

  it("a malformed glob denies with the reason", () => {
    const decision = decide(`rule r: allow shell.* when args.command matches "[abc"`, shell());
    expect(decision.error?.message).toBe(
      'cannot evaluate rule `r` (policy.agp:1): the glob "[abc" is malformed: a `[` class is not closed with `]`',
    );
  });
});
