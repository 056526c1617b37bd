/**
 * The checker counts what every engine enforces before rules run: a test
 * that only values the field's schema refuses could satisfy can never be
 * true (AGP301). Bounds, exclusive bounds, lengths, patterns and multipleOf
 * (ADR 0010) all count; a test some valid value passes is never flagged.
 */
import { describe, expect, it } from "vitest";
import { check } from "../../compiler/check/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { catalogSet } from "../interpret/harness.js";

const catalogs = catalogSet();

function warnings(when: string): string[] {
  const parsed = parse(`package t\n\nrule r:\n  deny shell.exec\n  when ${when}\n`, "t.agp");
  expect(parsed.diagnostics).toEqual([]);
  const result = check({ files: [parsed.file], catalogs });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.diagnostics.filter((d) => d.code === "AGP301").map((d) => d.message);
}

describe("AGP301 with the schema's constraints", () => {
  it("a number below the schema's minimum, or at an exclusive bound", () => {
    expect(warnings("args.timeout_seconds < 1")).toEqual(["rule `r` can never match: `args.timeout_seconds` cannot be below 1: its schema's minimum is 1"]);
    expect(warnings("args.timeout_seconds > 3600")).toEqual(["rule `r` can never match: `args.timeout_seconds` cannot be above 3600: its schema's maximum is 3600"]);
    expect(warnings("has args.ratio and args.ratio <= 0")).toEqual(["rule `r` can never match: `args.ratio` cannot be at most 0: its schema's exclusiveMinimum is 0"]);
    expect(warnings("args.timeout_seconds <= 1")).toEqual([]);
    expect(warnings("has args.ratio and args.ratio < 0.5")).toEqual([]);
  });

  it("a literal the schema refuses: too short, not matching the pattern, not a multiple", () => {
    expect(warnings('has args.repo and args.repo == "ab"')).toEqual(['rule `r` can never match: `args.repo` is never `"ab"`: its schema\'s minLength is 3']);
    expect(warnings('has args.repo and args.repo == "Acme/x"')).toEqual([
      'rule `r` can never match: `args.repo` is never `"Acme/x"`: its schema\'s pattern "^[a-z0-9-]+/[a-z0-9-]+$" refuses it',
    ]);
    expect(warnings("has args.amount and args.amount == 1.25")).toEqual(["rule `r` can never match: `args.amount` is never `1.25`: its schema's multipleOf is 0.5"]);
    expect(warnings("args.timeout_seconds == 2.5")).toEqual(["rule `r` can never match: `args.timeout_seconds` is never `2.5`: its schema's type is integer"]);
    expect(warnings('has args.repo and args.repo in {"ab", "x"}')).toEqual(["rule `r` can never match: no value of `args.repo` these tests allow passes its schema"]);
    expect(warnings('has args.repo and args.repo in {"ab", "acme/x"}')).toEqual([]);
    expect(warnings('has args.repo and args.repo == "acme/x"')).toEqual([]);
  });
});
