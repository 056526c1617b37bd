/**
 * runtime/governance runs in browsers and workers: it imports no Node
 * built-in, nothing from runtime/node, and nothing outside runtime/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = "runtime/governance";

describe("runtime/governance boundaries", () => {
  it("imports only its own files, runtime's public types, the identity comparison and the approver matching", () => {
    const specifiers = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((file) => [...readFileSync(join(DIR, file), "utf8").matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => `${file}: ${m[1]}`));
    expect(specifiers.length).toBeGreaterThan(10);
    const outside = specifiers.filter((s) => {
      const target = s.split(": ")[1]!;
      const shared = ["../decision.js", "../request.js", "../manifest.js", "../display-text.js", "../identity.js", "../approval-quorums.js"];
      return !(target.startsWith("./") || shared.includes(target));
    });
    expect(outside).toEqual([]);
  });
});
