/**
 * One fail-closed suite for every engine: every kind of bad request is a
 * deny whose reason and error say exactly what was wrong and where, before
 * any rule runs. The reference interpreter (test/interpret/validate.test.ts)
 * and the compiled runtime (test/runtime/validate.test.ts) run these same
 * cases, so the two engines are held to the same texts.
 *
 * The engine must allow everything that validates (`any_<family>` allow
 * rules), so any deny here comes from validation.
 */
import { expect, it } from "vitest";
import type { Decision } from "../../runtime/decision.js";
import { AGENT, ALICE, request, shell } from "../interpret/harness.js";

export interface DecidingEngine {
  decide(request: unknown): Decision;
}

/** Registers the shared refusal cases (call inside a `describe`). */
export function refusalCases(open: DecidingEngine): void {
  function refusal(req: unknown) {
    const decision = open.decide(req);
    expect(decision.effect).toBe("deny");
    expect(decision.rules).toEqual([]);
    expect(decision.reasons).toEqual([decision.error?.message]);
    expect(decision.obligations).toEqual({});
    expect(decision.limits).toEqual([]);
    expect(decision.audit).toBe("notice");
    return decision.error;
  }

  it("lets a well-formed request through to the rules", () => {
    expect(open.decide(shell())).toMatchObject({ effect: "allow", rules: [{ kind: "rule", id: "any_shell" }], reasons: ["allowed by rule `any_shell`"] });
    expect(
      open.decide({
        agent: { id: "ci-fixer", groups: ["coding-bots"], trust: 2 },
        human: { id: "alice", groups: ["infra-oncall"], roles: ["deployer"] },
        action: "github.pull_request.merge",
        args: { repo: "acme/production-infra", number: 123 },
        env: "production",
        context: { session: "s-42", reasoning: "CI is green; merging the fix" },
      }),
    ).toMatchObject({ effect: "allow", rules: [{ id: "any_github" }] });
  });

  it("wrong type: an integer field given a string", () => {
    expect(refusal(shell({ timeout_seconds: "120" }))).toEqual({
      code: "wrong_type",
      message: '`args.timeout_seconds` must be an integer, got the string "120"',
      path: "args.timeout_seconds",
    });
  });

  it("wrong type: an integer field given a fraction", () => {
    expect(refusal(shell({ timeout_seconds: 1.5 }))?.message).toBe("`args.timeout_seconds` must be an integer, got the number 1.5");
  });

  it("wrong type: inside an array, with the item's index", () => {
    expect(refusal(shell({ write_paths: ["/a", 7] }))).toEqual({
      code: "wrong_type",
      message: "`args.write_paths[1]` must be a string, got the number 7",
      path: "args.write_paths[1]",
    });
  });

  it("wrong type: a union names every option", () => {
    expect(refusal(shell({ note: 3 }))?.message).toBe("`args.note` must be a string or null, got the number 3");
    expect(open.decide(shell({ note: null })).effect).toBe("allow");
    expect(refusal(shell({ note: "x".repeat(17) }))?.message).toBe("`args.note` is longer than its maxLength 16");
  });

  it("missing required field", () => {
    expect(refusal(request("github.pull_request.merge", { repo: "acme/x" }))).toEqual({
      code: "missing_field",
      message: "missing required field `args.number`",
      path: "args.number",
    });
  });

  it("missing required part of the request", () => {
    const { env: _env, ...noEnv } = shell();
    expect(refusal(noEnv)).toEqual({ code: "missing_field", message: "missing required field `env`", path: "env" });
    const { agent: _agent, ...noAgent } = shell();
    expect(refusal(noAgent)).toEqual({ code: "missing_field", message: "missing required field `agent`", path: "agent" });
    expect(refusal({ ...shell(), args: undefined })?.message).toBe("missing required field `args`");
  });

  it("missing required field of the agent (built-in request shape)", () => {
    expect(refusal(shell({}, { agent: { id: "bot", groups: [] } }))?.message).toBe("missing required field `agent.trust`");
  });

  it("oversize string: longer than maxLength, counted in code points", () => {
    expect(refusal(shell({ command: "x".repeat(4097) }))).toEqual({
      code: "too_long",
      message: "`args.command` is longer than its maxLength 4096",
      path: "args.command",
    });
    expect(open.decide(shell({ command: "😀".repeat(4096) })).effect).toBe("allow");
    expect(refusal(shell({ command: "😀".repeat(4097) }))?.code).toBe("too_long");
  });

  it("oversize array: more items than maxItems", () => {
    expect(refusal(shell({ write_paths: Array.from({ length: 17 }, (_, i) => `/w/${i}`) }))).toEqual({
      code: "too_many_items",
      message: "`args.write_paths` has more items than its maxItems 16",
      path: "args.write_paths",
    });
  });

  it("too short: fewer code points than minLength (the empty string included)", () => {
    expect(refusal(shell({ repo: "" }))).toEqual({ code: "too_short", message: "`args.repo` is shorter than its minLength 3", path: "args.repo" });
    expect(refusal(shell({ repo: "a/" }))?.code).toBe("too_short");
    expect(refusal({ ...shell(), agent: { ...AGENT, id: "" } })).toEqual({
      code: "too_short",
      message: "`agent.id` is shorter than its minLength 1",
      path: "agent.id",
    });
  });

  it("pattern: the string must match somewhere (anchored here), by code points", () => {
    expect(open.decide(shell({ repo: "acme/tools" })).effect).toBe("allow");
    expect(refusal(shell({ repo: "Acme/tools" }))).toEqual({
      code: "pattern_mismatch",
      message: '`args.repo` does not match its pattern "^[a-z0-9-]+/[a-z0-9-]+$"',
      path: "args.repo",
    });
    expect(refusal(shell({ repo: "acme/tools\n" }))?.code).toBe("pattern_mismatch");
    expect(refusal(shell({ repo: "acme/tööls" }))?.code).toBe("pattern_mismatch");
  });

  it("too few items: fewer than minItems, so `all` over an empty array cannot slip through", () => {
    expect(refusal(shell({ paths: [] }))).toEqual({ code: "too_few_items", message: "`args.paths` has fewer items than its minItems 1", path: "args.paths" });
    expect(refusal(shell({ paths: ["a", "b", "c", "d", "e"] }))?.code).toBe("too_many_items");
  });

  it("uniqueItems: the first repeated item, after the items themselves are checked", () => {
    expect(refusal(shell({ paths: ["a", "b", "a"] }))).toEqual({
      code: "duplicate_items",
      message: "`args.paths` must have unique items, but item 2 repeats item 0",
      path: "args.paths",
    });
    expect(refusal(shell({ paths: ["a", "a", 3] }))?.code).toBe("wrong_type");
    expect(open.decide(shell({ paths: ["a", "b"] })).effect).toBe("allow");
  });

  it("exclusive bounds: the bound itself is refused", () => {
    expect(refusal(shell({ ratio: 0 }))).toEqual({ code: "out_of_range", message: "`args.ratio` must be greater than 0, got 0", path: "args.ratio" });
    expect(refusal(shell({ ratio: 1 }))?.message).toBe("`args.ratio` must be less than 1, got 1");
    expect(open.decide(shell({ ratio: 0.5 })).effect).toBe("allow");
  });

  it("multipleOf: the quotient must be whole", () => {
    expect(refusal(shell({ amount: 1.25 }))).toEqual({ code: "not_multiple_of", message: "`args.amount` must be a multiple of 0.5, got 1.25", path: "args.amount" });
    expect(open.decide(shell({ amount: 1.5 })).effect).toBe("allow");
    expect(refusal(shell({ amount: -1 }))?.code).toBe("out_of_range");
  });

  it("property counts and the schema of undeclared properties", () => {
    expect(refusal(shell({ labels: {} }))).toEqual({ code: "too_few_properties", message: "`args.labels` has fewer properties than its minProperties 1", path: "args.labels" });
    expect(refusal(shell({ labels: { a: "1", b: "2", c: "3", d: "4" } }))?.message).toBe("`args.labels` has more properties than its maxProperties 3");
    expect(refusal(shell({ labels: { zz: "x", b: "too long!", a: 1 } }))).toEqual({
      code: "wrong_type",
      message: "`args.labels.a` must be a string, got the number 1",
      path: "args.labels.a",
    });
    expect(refusal(shell({ labels: { zz: "x", "b c": "too long!" } }))?.path).toBe('args.labels["b c"]');
    expect(open.decide(shell({ labels: { team: "sre" } })).effect).toBe("allow");
  });

  it("dependentRequired: a property that needs another", () => {
    expect(refusal(shell({ change: { ticket: "CHG-1" } }))).toEqual({
      code: "missing_field",
      message: "missing required field `args.change.approver` (required when `args.change.ticket` is present)",
      path: "args.change.approver",
    });
    expect(open.decide(shell({ change: { approver: "alice" } })).effect).toBe("allow");
    expect(open.decide(shell({ change: { ticket: "CHG-1", approver: "alice" } })).effect).toBe("allow");
  });

  it("oneOf whose options overlap: exactly one must match", () => {
    expect(refusal(shell({ target: "xy" }))).toEqual({
      code: "ambiguous_one_of",
      message: "`args.target` must match exactly one option of its oneOf, but matches options 0 and 1",
      path: "args.target",
    });
    expect(open.decide(shell({ target: "abc" })).effect).toBe("allow");
    expect(open.decide(shell({ target: "x-long-name" })).effect).toBe("allow");
    expect(refusal(shell({ target: "abcdefg" }))?.code).toBe("too_long");
  });

  it("unknown action, with no did-you-mean", () => {
    expect(refusal(request("github.pull_request.mrge", { repo: "acme/x" }))).toEqual({
      code: "unknown_action",
      message: "unknown action `github.pull_request.mrge`",
      path: "action",
    });
  });

  it("extra field where additionalProperties is false", () => {
    expect(refusal(request("github.pull_request.merge", { repo: "acme/x", number: 1, force: true }))).toEqual({
      code: "unknown_field",
      message: "unknown field `args.force`",
      path: "args.force",
    });
    // the first undeclared key in code-unit order, whatever the input order
    expect(refusal(request("github.pull_request.merge", { zz: 1, repo: "acme/x", number: 1, "a b": 2 }))?.path).toBe('args["a b"]');
  });

  it("extra fields are fine where additionalProperties is not false, and undefined counts as absent", () => {
    expect(open.decide(shell({ extra: "ok" })).effect).toBe("allow");
    expect(open.decide(request("github.pull_request.merge", { repo: "acme/x", number: 1, force: undefined })).effect).toBe("allow");
  });

  it("extra field at the top level of the request", () => {
    expect(refusal({ ...shell(), user: "mallory" })).toEqual({
      code: "unknown_field",
      message: "unknown field `user` in the request",
      path: "user",
    });
  });

  it("enum member not declared", () => {
    expect(refusal(shell({ mode: "admin" }))).toEqual({
      code: "not_in_enum",
      message: '`args.mode` must be one of "read", "write", got the string "admin"',
      path: "args.mode",
    });
  });

  it("numbers outside minimum / maximum, and numbers that are not finite", () => {
    expect(refusal(shell({ timeout_seconds: 0 }))).toEqual({
      code: "out_of_range",
      message: "`args.timeout_seconds` must be at least 1, got 0",
      path: "args.timeout_seconds",
    });
    expect(refusal(shell({ timeout_seconds: 3601 }))?.message).toBe("`args.timeout_seconds` must be at most 3600, got 3601");
    expect(refusal(shell({ timeout_seconds: Number.NaN }))?.message).toBe("`args.timeout_seconds` must be an integer, got the number NaN");
  });

  it("strings that are not well-formed Unicode", () => {
    expect(refusal(shell({ command: "ls \ud800" }))).toEqual({
      code: "invalid_string",
      message: "`args.command` is not well-formed Unicode (a lone surrogate at index 3)",
      path: "args.command",
    });
    expect(refusal(shell({ command: "\udc00" + "x".repeat(4000) }))?.code).toBe("invalid_string");
  });

  it("an overlong string is too long before it is scanned (ADR 0035), even when it is not well-formed", () => {
    expect(refusal(shell({ command: "\udc00" + "x".repeat(5000) }))).toEqual({
      code: "too_long",
      message: "`args.command` is longer than its maxLength 4096",
      path: "args.command",
    });
  });

  it("a request that is not an object, and an action that is not a string", () => {
    expect(refusal([1, 2])?.message).toBe("the request must be an object, got an array");
    expect(refusal(null)?.message).toBe("the request must be an object, got null");
    expect(refusal(undefined)?.message).toBe("the request must be an object, got nothing");
    expect(refusal("{}")?.message).toBe('the request must be an object, got the string "{}"');
    expect(refusal(request(42 as unknown as string, {}))?.message).toBe("`action` must be a string, got the number 42");
  });

  it("checks the human when one is named, and accepts null as no human", () => {
    expect(refusal(shell({}, { human: { id: "alice", groups: [] } }))?.message).toBe("missing required field `human.roles`");
    expect(open.decide(shell({}, { human: null })).effect).toBe("allow");
    expect(open.decide(shell({}, { human: ALICE })).effect).toBe("allow");
  });

  it("reports the first problem in a fixed order, whatever the key order of the input", () => {
    const a = refusal({ env: 3, args: { command: 1 }, action: "shell.exec", agent: AGENT });
    const b = refusal({ agent: AGENT, action: "shell.exec", args: { command: 1 }, env: 3 });
    expect(a).toEqual(b);
    expect(a?.path).toBe("args.command");
  });

  it("quotes long offending strings only in part", () => {
    const message = refusal(shell({ timeout_seconds: "9".repeat(100) }))?.message ?? "";
    expect(message).toBe(`\`args.timeout_seconds\` must be an integer, got the string "${"9".repeat(64)}"…`);
  });

  it("never throws on hostile input: getters that throw, proxies, odd values", () => {
    const hostile = { ...shell(), get args(): never { throw new Error("boom"); } };
    const d = open.decide(hostile);
    expect(d.effect).toBe("deny");
    expect(d.error).toEqual({ code: "unreadable_value", message: "`args` cannot be read: reading it threw an exception", path: "args" });
    expect(open.decide(shell({ command: Symbol("x") as unknown as string })).error?.message).toBe("`args.command` must be a string, got a symbol value");
    expect(open.decide(shell({ timeout_seconds: 10n as unknown as number })).error?.message).toBe("`args.timeout_seconds` must be an integer, got a bigint value");
    // still works afterwards
    expect(open.decide(shell()).effect).toBe("allow");
  });
}
