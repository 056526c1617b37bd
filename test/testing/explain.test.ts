/**
 * The explainer (compiler/interpret/explain.ts), on a copy of the shell example
 * (test/fixtures/testing/explain): every sub-expression's
 * value, exactly as the interpreter evaluates it, in its order — operands
 * never reached are `skipped`, quantifier bodies are shown per item up to
 * where evaluation stops, evaluation errors are shown where they happen.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { explainRequest, type ExplainedNode, type Interpreter } from "../../compiler/interpret/index.js";
import { loadSuite, sourceText } from "../../compiler/testing/index.js";

let examples: Interpreter;
let sources: Map<string, string>;

beforeAll(async () => {
  const loaded = await loadSuite(["test/fixtures/testing/explain"]);
  if (loaded.suite === undefined) throw new Error("the explain fixture does not load");
  examples = loaded.suite.interpreter;
  sources = loaded.sources;
});

const agent = { id: "ci-fixer", groups: ["coding-bots"], trust: 2 };
const shell = (command: string, write_paths: string[]) => ({
  agent,
  action: "shell.exec",
  args: { command, cwd: "/workspace", timeout_seconds: 60, write_paths },
  env: "dev",
  context: { session: "s" },
});

/** The tree as `text = value` lines, as written in the source. */
function lines(node: ExplainedNode, depth = 0): string[] {
  const text = sourceText(node.expr.span, sources);
  const o = node.outcome;
  const shown = o.kind === "value" ? JSON.stringify(o.value) : o.kind === "error" ? `error: ${o.message}` : "skipped";
  return [
    `${"  ".repeat(depth)}${text} = ${shown}`,
    ...node.children.flatMap((c) => lines(c, depth + 1)),
    ...(node.iterations ?? []).flatMap((i) => [`${"  ".repeat(depth + 1)}[${i.variable} = ${JSON.stringify(i.item)}]`, ...lines(i.body, depth + 2)]),
  ];
}

describe("explainRequest", () => {
  it("explains every rule covering the action, with the condition's value as the interpreter decides it", () => {
    const request = shell("ls", ["/workspace/a", "/etc/passwd", "/workspace/b"]);
    const explanation = explainRequest(examples.model, request);
    expect(explanation.kind).toBe("explained");
    if (explanation.kind !== "explained") return;
    expect(explanation.rules.map((r) => [r.id, r.holds])).toEqual([
      ["workspace_only", false],
      ["destructive", false],
    ]);
    expect(examples.decide(request).effect).toBe("deny");
  });

  it("shows a quantifier's body per item, stopping where `all` stops", () => {
    const explanation = explainRequest(examples.model, shell("ls", ["/workspace/a", "/etc/passwd", "/workspace/b"]), undefined, ["workspace_only"]);
    if (explanation.kind !== "explained") throw new Error("refused");
    expect(lines(explanation.rules[0]!.condition!)).toEqual([
      'args.timeout_seconds <= 120 and (all p in args.write_paths: p startsWith "/workspace/" and not p contains "..") = false',
      "  args.timeout_seconds <= 120 = true",
      "    args.timeout_seconds = 60",
      "    120 = 120",
      '  all p in args.write_paths: p startsWith "/workspace/" and not p contains ".." = false',
      '    args.write_paths = ["/workspace/a","/etc/passwd","/workspace/b"]',
      '    [p = "/workspace/a"]',
      '      p startsWith "/workspace/" and not p contains ".." = true',
      '        p startsWith "/workspace/" = true',
      '          p = "/workspace/a"',
      '          "/workspace/" = "/workspace/"',
      '        not p contains ".." = true',
      '          p contains ".." = false',
      '            p = "/workspace/a"',
      '            ".." = ".."',
      '    [p = "/etc/passwd"]',
      '      p startsWith "/workspace/" and not p contains ".." = false',
      '        p startsWith "/workspace/" = false',
      '          p = "/etc/passwd"',
      '          "/workspace/" = "/workspace/"',
      '        not p contains ".." = skipped',
      '          p contains ".." = skipped',
      '            p = skipped',
      '            ".." = skipped',
    ]);
  });

  it("marks the operands `or` never reaches as skipped", () => {
    const explanation = explainRequest(examples.model, shell("sudo rm -rf /", []), undefined, ["destructive"]);
    if (explanation.kind !== "explained") throw new Error("refused");
    const root = explanation.rules[0]!.condition!;
    expect(root.outcome).toEqual({ kind: "value", value: true });
    const text = lines(root).map((l) => l.trim());
    expect(text).toContain('args.command matches "*rm -rf /*" = true');
    expect(text).toContain('args.command matches "*mkfs*" = skipped');
    expect(text).toContain('args.command matches "*:(){*" = skipped');
  });

  it("names rules that do not cover the action, and explains nothing for a request that is refused", () => {
    const explained = explainRequest(examples.model, { ...shell("ls", []), action: "shell.list_dir", args: { path: "/" } }, undefined, ["destructive"]);
    expect(explained.kind === "explained" && explained.rules[0]).toMatchObject({ id: "destructive", covers: false });
    const refused = explainRequest(examples.model, { ...shell("ls", []), args: { command: "ls" } });
    expect(refused).toEqual({ kind: "refused", message: "missing required field `args.cwd`" });
  });

  it("applies state.trust as decisions do", () => {
    const request = shell("ls", []);
    expect(explainRequest(examples.model, request, { trust: 9 })).toEqual({
      kind: "refused",
      message: examples.decide(request, { trust: 9 }).reasons[0],
    });
  });
});
