/**
 * AGP6xx golden tests: what the checker accepts but the compiler refuses,
 * rendered exactly as `agp compile` shows it. The same texts are the
 * examples of docs/errors.md ("AGP6xx — compile errors").
 */
import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../compiler/compile/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { checkText } from "./harness.js";

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

function compileErrors(text: string): string {
  const { checked, catalogs } = checkText({ "policy.agp": text }, SHELL);
  const result = compilePolicy(checked, catalogs);
  expect(result.compiled).toBeUndefined();
  return renderDiagnostics(result.diagnostics, new Map([["policy.agp", text]]));
}

describe("AGP6xx compile errors", () => {
  it("AGP601: a glob whose automaton is too large", () => {
    const text = 'rule r:\n  deny shell.exec\n  when args.command matches "*a??????????"\n';
    expect(compileErrors(text)).toBe(
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
    expect(compileErrors(text)).toBe(
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
