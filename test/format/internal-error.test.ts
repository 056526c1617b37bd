/**
 * The formatter's safety net: if printing ever changed a policy's meaning or
 * lost a comment, `format` must throw an internal error asking for an issue
 * instead of returning the damaged text. The printer is replaced here by
 * faulty ones to show each check fires.
 */
import { describe, expect, it, vi } from "vitest";

const fault = vi.hoisted(() => ({ mode: "none" as "none" | "drop-statement" | "drop-comments" | "garbage" }));

vi.mock("../../compiler/format/print.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../compiler/format/print.js")>();
  return {
    printFile: (...args: Parameters<typeof original.printFile>) => {
      const [file, comments] = args;
      switch (fault.mode) {
        case "drop-statement":
          return original.printFile({ ...file, statements: file.statements.slice(1) }, comments);
        case "drop-comments":
          return original.printFile(file, []);
        case "garbage":
          return "rule :\n";
        default:
          return original.printFile(file, comments);
      }
    },
  };
});

const { format, FormatInternalError } = await import("../../compiler/format/index.js");

const source = "# keep me\nrule a: allow x.y\nrule b: deny x.z\n";

describe("format's round-trip check", () => {
  it("passes a correct printer", () => {
    fault.mode = "none";
    expect(format(source, "a.agp").changed).toBe(true);
  });

  it.each([
    ["drop-statement", /change the policy's meaning/],
    ["drop-comments", /lose or change a comment/],
    ["garbage", /does not parse/],
  ] as const)("throws an internal error when the printer would %s", (mode, message) => {
    fault.mode = mode;
    expect(() => format(source, "a.agp")).toThrow(FormatInternalError);
    expect(() => format(source, "a.agp")).toThrow(message);
    expect(() => format(source, "a.agp")).toThrow(/please file an issue/);
  });
});
