/**
 * The canonical layout, statement by statement: each case is an input a user
 * might write and the exact text `agp fmt` must give back. Every expected
 * text is also checked to be a fixed point (formatting it changes nothing).
 */
import { describe, expect, it } from "vitest";
import { format } from "../../compiler/format/index.js";

/** Formats `source` and checks the result is stable under a second format. */
function fmt(source: string): string {
  const result = format(source, "layout.agp");
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const again = format(result.text, "layout.agp");
  expect(again.text).toBe(result.text);
  expect(again.changed).toBe(false);
  return result.text;
}

/** Joins lines into file text with a final newline. */
function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

describe("rules", () => {
  it("lays a one-line rule out as head, effect and one line per clause", () => {
    expect(fmt("rule read_anything: allow aws.* when action.readOnly")).toBe(
      lines("rule read_anything:", "  allow aws.*", "  when action.readOnly"),
    );
  });

  it("prints clauses in the order when, by, with, because, audit", () => {
    const source = lines(
      "rule r:",
      "    deny github.pull_request.merge for human",
      "  audit security",
      '  because "humans merge"',
      '  with max_runtime_seconds = 120, mode = "ro"',
      '  by 2 of group "sre" and 1 of groups "security", "platform"',
      "  when args.repo == \"acme/payments\"",
    );
    expect(fmt(source)).toBe(
      lines(
        "rule r:",
        "  deny github.pull_request.merge for human",
        '  when args.repo == "acme/payments"',
        '  by 2 of group "sre" and 1 of groups "security", "platform"',
        '  with max_runtime_seconds = 120, mode = "ro"',
        '  because "humans merge"',
        "  audit security",
      ),
    );
  });

  it("spells group or groups by the number of groups", () => {
    const out = fmt(lines("rule r:", '  approve a.b by 1 of groups "x" and 2 of group "y", "z"'));
    expect(out).toContain('  by 1 of group "x" and 2 of groups "y", "z"\n');
  });

  it("keeps a condition that fits on one line", () => {
    const condition = `args.timeout_seconds <= 120 and args.command startsWith "make " and env == "dev"`;
    expect(fmt(`rule r: allow shell.exec when ${condition}`)).toContain(`  when ${condition}\n`);
  });

  it("breaks a condition over 100 columns before each top-level operator", () => {
    const source =
      'rule destructive: deny shell.exec when args.command matches "*rm -rf /*" or args.command matches "*mkfs*" ' +
      'or args.command matches "*dd if=* of=/dev/*" and has args.force';
    expect(fmt(source)).toBe(
      lines(
        "rule destructive:",
        "  deny shell.exec",
        '  when args.command matches "*rm -rf /*"',
        '    or args.command matches "*mkfs*"',
        '    or args.command matches "*dd if=* of=/dev/*" and has args.force',
      ),
    );
  });

  it("breaks an and-chain and keeps parenthesized or-groups whole", () => {
    const source =
      "rule w: allow shell.exec when args.timeout_seconds <= 120 and (args.user == \"ci\" or args.user == \"bot\") " +
      'and all p in args.write_paths: p startsWith "/workspace/" and not p contains ".."';
    expect(fmt(source)).toBe(
      lines(
        "rule w:",
        "  allow shell.exec",
        "  when args.timeout_seconds <= 120",
        '    and (args.user == "ci" or args.user == "bot")',
        '    and (all p in args.write_paths: p startsWith "/workspace/" and not p contains "..")',
      ),
    );
  });
});

describe("expressions", () => {
  const when = (condition: string): string => {
    const out = fmt(`rule r: allow a.b when ${condition}`);
    return out.split("\n")[2]!.replace(/^ {2}when /, "");
  };

  it("drops parentheses that precedence makes redundant", () => {
    expect(when("((a and b)) or (c)")).toBe("a and b or c");
    expect(when("(a and b) and c")).toBe("a and b and c");
    expect(when("not (a == 1)")).toBe("not a == 1");
    expect(when("(not (not a))")).toBe("not not a");
    expect(when("(all p in (xs): (p > 1))")).toBe("all p in xs: p > 1");
    expect(when("(has args.labels) and (x in {1, 2})")).toBe("has args.labels and x in {1, 2}");
  });

  it("keeps the parentheses the tree needs", () => {
    expect(when("a and (b or c)")).toBe("a and (b or c)");
    expect(when("a and (b and c)")).toBe("a and (b and c)");
    expect(when("a or (b or c)")).toBe("a or (b or c)");
    expect(when("not (a and b)")).toBe("not (a and b)");
    expect(when("(not a) == b")).toBe("(not a) == b");
    expect(when("(a == b) == c")).toBe("(a == b) == c");
    expect(when("x not in (not y)")).toBe("x not in (not y)");
  });

  it("parenthesizes a quantifier that is not the whole condition or body", () => {
    expect(when("x and all p in xs: p > 1")).toBe("x and (all p in xs: p > 1)");
    expect(when("not all p in xs: p > 1")).toBe("not (all p in xs: p > 1)");
    expect(when("(any p in xs: p > 1) or y")).toBe("(any p in xs: p > 1) or y");
    expect(when("all p in xs: any q in p.children: q == \"x\" or q == \"y\"")).toBe(
      'all p in xs: any q in p.children: q == "x" or q == "y"',
    );
  });

  it("prints every comparison operator with single spaces", () => {
    const ops = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "startsWith", "endsWith", "contains", "matches"];
    for (const op of ops) expect(when(`a   ${op}   "v"`)).toBe(`a ${op} "v"`);
  });

  it("spells strings with JSON escapes and numbers in shortest decimal form", () => {
    expect(when('a == "\\/\\u0041\\t\\u00e9"')).toBe('a == "/A\\té"');
    expect(when("a == 1.50 or b == -0.250 or c == 100.0")).toBe("a == 1.5 or b == -0.25 or c == 100");
    expect(when("a in {\"x\",\"y\",}")).toBe('a in {"x", "y"}');
  });

  it("escapes invisible and bidirectional-control characters so a reviewer sees them", () => {
    expect(when('a == "x\u202ey\u2028z\u200b\ufeff"')).toBe('a == "x\\u202ey\\u2028z\\u200b\\ufeff"');
    expect(when('a == "\u202E"')).toBe('a == "\\u202e"');
  });
});

describe("limits", () => {
  it("keeps a limit that fits on one line, clauses in the order cost, when, otherwise, because", () => {
    expect(fmt('limit l: 5 per 1 hour per args.service, agent on deploy.* because "r" when env == "prod"')).toBe(
      lines('limit l: 5 per hour per args.service, agent on deploy.* when env == "prod" because "r"'),
    );
    expect(fmt("limit s: budget 500 usd per 1 day per agent on aws.* cost args.estimated_cost_usd")).toBe(
      lines("limit s: budget 500 usd per day per agent on aws.* cost args.estimated_cost_usd"),
    );
  });

  it("pluralizes a window with a count", () => {
    expect(fmt("limit l: 3 per 10 minutes on a.*")).toBe(lines("limit l: 3 per 10 minutes on a.*"));
  });

  it("breaks a limit over 100 columns into a head and one line per clause", () => {
    const source =
      'limit daily_spend: budget 500 usd per day per agent on aws.* otherwise approve by 1 of group "finance" ' +
      'because "spend" cost args.estimated_cost_usd when env == "production" otherwise deny';
    // `otherwise` twice is a syntax error; use it once.
    const fixed = source.replace(" otherwise deny", "");
    expect(fmt(fixed)).toBe(
      lines(
        "limit daily_spend: budget 500 usd per day per agent on aws.*",
        "  cost args.estimated_cost_usd",
        '  when env == "production"',
        '  otherwise approve by 1 of group "finance"',
        '  because "spend"',
      ),
    );
  });
});

describe("tests", () => {
  it("prints test clauses in the order request, agent, human, env, context, state, expect, where", () => {
    const source = lines(
      'test "t":',
      "  expect allow",
      '  state { trust: 2 }',
      '  context { session: "s-1" }',
      '  env "production"',
      "  human null",
      '  agent { id: "ci" }',
      '  request github.pull_request.open { repo: "acme/tools" }',
    );
    expect(fmt(source)).toBe(
      lines(
        'test "t":',
        '  request github.pull_request.open { repo: "acme/tools" }',
        '  agent { id: "ci" }',
        "  human null",
        '  env "production"',
        '  context { session: "s-1" }',
        "  state { trust: 2 }",
        "  expect allow",
      ),
    );
  });

  it("prints expect clauses in the order from, because, by, with, charge, blocked by", () => {
    expect(fmt(lines('test "t":', '  expect deny blocked by agent because "r" from x'))).toBe(
      lines('test "t":', '  expect deny from x because "r" blocked by agent'),
    );
  });

  it("breaks an expect over 100 columns into the effect and one line per clause", () => {
    const source = lines(
      'test "t":',
      '  expect approve blocked by human charge deploy_rate, spend = 12 with k = 1 by 1 of group "sre" because "r" from a, b',
    );
    expect(fmt(source)).toBe(
      lines(
        'test "t":',
        "  expect approve",
        "    from a, b",
        '    because "r"',
        '    by 1 of group "sre"',
        "    with k = 1",
        "    charge deploy_rate, spend = 12",
        "    blocked by human",
      ),
    );
  });

  it("writes inline objects with spaces inside braces, and quotes keys that are not names", () => {
    expect(fmt('fixture f = {repo:"acme/payments","number":7,"has":true,"two words":[1,2,],}')).toBe(
      lines('fixture f = { repo: "acme/payments", number: 7, "has": true, "two words": [1, 2] }'),
    );
  });

  it("breaks an object that does not fit, one entry per line with trailing commas", () => {
    const source =
      'fixture big = { repo: "acme/production-infra", title: "a fairly long pull request title", ' +
      'labels: ["infra", "urgent"], author: { id: "ci-fixer", groups: ["coding-bots", "infra"] } }';
    expect(fmt(source)).toBe(
      lines(
        "fixture big = {",
        '  repo: "acme/production-infra",',
        '  title: "a fairly long pull request title",',
        '  labels: ["infra", "urgent"],',
        '  author: { id: "ci-fixer", groups: ["coding-bots", "infra"] },',
        "}",
      ),
    );
  });

  it("breaks a merge's overrides like an object", () => {
    const source =
      'test "m": request a.b base with { repo: "acme/production-infra", title: "a fairly long pull request title", n: 1 } expect deny';
    expect(fmt(source)).toBe(
      lines(
        'test "m":',
        "  request a.b base with {",
        '    repo: "acme/production-infra",',
        '    title: "a fairly long pull request title",',
        "    n: 1,",
        "  }",
        "  expect deny",
      ),
    );
  });

  it("aligns the columns of a where table", () => {
    const source = lines(
      'test "mutations only in sandbox accounts":',
      '  request aws.ec2.terminate_instances { account: $account, instance_ids: ["i-1"] }',
      "  expect $effect",
      "  where",
      "  | account | effect |",
      '  | "sandbox-1" | allow |',
      '  | "prod" | deny |',
    );
    expect(fmt(source)).toBe(
      lines(
        'test "mutations only in sandbox accounts":',
        '  request aws.ec2.terminate_instances { account: $account, instance_ids: ["i-1"] }',
        "  expect $effect",
        "  where",
        "    | account     | effect |",
        '    | "sandbox-1" | allow  |',
        '    | "prod"      | deny   |',
      ),
    );
  });

  it("prints defaults as a block of given clauses in canonical order", () => {
    expect(fmt('defaults: env "production" agent { id: "ci-fixer", trust: 2 }')).toBe(
      lines("defaults:", '  agent { id: "ci-fixer", trust: 2 }', '  env "production"'),
    );
  });
});

describe("blank lines", () => {
  it("keeps the header together and separates rules, tests and defaults by one blank line", () => {
    const source = lines(
      "package platform.github",
      "",
      "",
      'actions "a.json"',
      "delegation both",
      "rule a: allow x.y",
      "rule b: deny x.z",
      "",
      "",
      "",
      'test "t": expect allow',
    );
    expect(fmt(source)).toBe(
      lines(
        "package platform.github",
        'actions "a.json"',
        "delegation both",
        "",
        "rule a:",
        "  allow x.y",
        "",
        "rule b:",
        "  deny x.z",
        "",
        'test "t":',
        "  expect allow",
      ),
    );
  });

  it("keeps one-line statements of a kind together, with a blank line only where the source had one", () => {
    const source = lines(
      "let a = 1",
      "let b = 2",
      "",
      "",
      "let c = 3",
      "limit l1: 1 per hour on a.*",
      "limit l2: 2 per hour on a.*",
      "fixture f1 = 1",
      "fixture f2 = 2",
    );
    expect(fmt(source)).toBe(
      lines(
        "let a = 1",
        "let b = 2",
        "",
        "let c = 3",
        "",
        "limit l1: 1 per hour on a.*",
        "limit l2: 2 per hour on a.*",
        "",
        "fixture f1 = 1",
        "fixture f2 = 2",
      ),
    );
  });

  it("breaks a long set constant one element per line, as a block", () => {
    const elements = Array.from({ length: 6 }, (_, i) => `"acme/production-repository-${i}"`);
    expect(fmt(`let repos = {${elements.join(", ")}}\nlet x = 1`)).toBe(
      lines("let repos = {", ...elements.map((e) => `  ${e},`), "}", "", "let x = 1"),
    );
  });

  it("prints an empty file as empty text", () => {
    expect(fmt("")).toBe("");
    expect(fmt("\n\n  \n")).toBe("");
  });
});
