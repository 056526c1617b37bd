/**
 * AGP6xx golden tests. Since issue 15 the checker refuses everything the
 * compiler would (ADR 0029): each case is first shown to be a check-time
 * error with its own code and help, then the compiler is handed the
 * checker's view of the policy anyway (`analysis`, as an editor sees it) to
 * show that the compile-time guard still refuses it, rendered exactly as
 * `agp compile` would show it: the backstop against a gap in the checker.
 * The same texts are the examples of docs/errors.md ("AGP6xx — compile errors").
 */
import { describe, expect, it } from "vitest";
import { loadCatalog, mergeCatalogs } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { compilePolicy } from "../../compiler/compile/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { parse } from "../../compiler/syntax/index.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const SHELL = {
  "shell.json": {
    $schema: SCHEMA,
    family: "shell",
    actions: {
      exec: {
        args: {
          type: "object",
          properties: { command: { type: "string", maxLength: 4096 }, user: { type: "string" }, owner: { type: "string" } },
          required: ["command", "user", "owner"],
        },
      },
    },
  },
};

/** The checker's error codes for `text`, and what the compiler says when given the checked set anyway. */
function compileErrors(text: string, checkCode: string): string {
  const loaded = loadCatalog("shell.json", JSON.stringify(SHELL["shell.json"]));
  const catalogs = mergeCatalogs([loaded.catalog!]).set;
  const parsed = parse(text, "policy.agp");
  expect(parsed.diagnostics).toEqual([]);
  const checked = check({ files: [parsed.file], catalogs });
  expect([...new Set(checked.diagnostics.filter((d) => d.severity === "error").map((d) => d.code))]).toEqual([checkCode]);
  const result = compilePolicy(checked.checked, catalogs);
  expect(result.compiled).toBeUndefined();
  return renderDiagnostics(result.diagnostics, new Map([["policy.agp", text]]));
}

describe("AGP6xx compile errors", () => {
  it("AGP601: a glob whose automaton is too large", () => {
    const text = 'rule r:\n  deny shell.exec\n  when args.command matches "*a??????????"\n';
    expect(compileErrors(text, "AGP276")).toBe(
      [
        'policy.agp:3:29: error AGP601: glob `*a??????????` is too complex: its automaton needs more than 1024 states',
        '  3 |   when args.command matches "*a??????????"',
        "    |                             ^^^^^^^^^^^^^^",
        "  help: split it into several `matches` joined with `and` / `or`, or use fewer `?` and `[...]` after a `*`",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("AGP602: two strings without maxLength compared with each other", () => {
    const text = 'rule r:\n  allow shell.exec\n  when args.user == args.owner\n';
    expect(compileErrors(text, "AGP216")).toBe(
      [
        "policy.agp:3:8: error AGP602: cannot compile `args.user` for `shell.exec`: it is read byte-wise but has no `maxLength`",
        "  3 |   when args.user == args.owner",
        "    |        ^^^^^^^^^^^^^^^^^^^^^^^",
        "  help: give the field one JSON type in the catalog (a string, a number or a boolean, optionally null), with `maxLength` / `maxItems` where the policy reads it byte-wise or item by item",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });
});
