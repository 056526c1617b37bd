/**
 * runtime/governance runs in browsers and workers: it imports no Node
 * built-in, nothing from runtime/node, and nothing outside runtime/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = "runtime/governance";

describe("runtime/governance boundaries", () => {
  it("imports only its own files, runtime's public types and the identity comparison", () => {
    const specifiers = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((file) => [...readFileSync(join(DIR, file), "utf8").matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => `${file}: ${m[1]}`));
    expect(specifiers.length).toBeGreaterThan(10);
    const outside = specifiers.filter((s) => {
      const target = s.split(": ")[1]!;
      return !(target.startsWith("./") || target === "../decision.js" || target === "../request.js" || target === "../display-text.js" || target === "../identity.js");
    });
    expect(outside).toEqual([]);
  });
});
