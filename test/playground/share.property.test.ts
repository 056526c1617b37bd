/**
 * The playground's shareable link (playground/src/share.ts) is input from
 * anyone who sends a link: any fragment either restores a complete state or
 * is refused (the page then opens the example); it never throws, and a
 * state always survives the round trip exactly (any text, any Unicode).
 * Runs in Node, which has the same CompressionStream as browsers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeState, encodeState } from "../../playground/src/share.js";

const state = fc.record({ policy: fc.string({ unit: "binary" }), tests: fc.string(), catalog: fc.string({ unit: "grapheme" }), request: fc.json(), state: fc.string() });

describe("the shareable link", () => {
  it("restores every state exactly", async () => {
    await fc.assert(
      fc.asyncProperty(state, async (s) => {
        const hash = await encodeState(s);
        expect(hash).toMatch(/^#s=[A-Za-z0-9_-]*$/);
        expect(await decodeState(hash)).toEqual(s);
      }),
      { seed: 22, numRuns: 100 },
    );
  });

  it("refuses any other fragment without throwing", async () => {
    const fragment = fc.oneof(fc.string(), fc.string().map((t) => `#s=${t}`), fc.base64String().map((t) => `#s=${t.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}`));
    await fc.assert(
      fc.asyncProperty(fragment, async (f) => {
        const decoded = await decodeState(f);
        if (decoded !== undefined) expect(Object.keys(decoded).sort()).toEqual(["catalog", "policy", "request", "state", "tests"]);
      }),
      { seed: 23, numRuns: 300 },
    );
    // A well-formed link to something that is not a state: refused.
    const notAState = `#s=${Buffer.from("not deflate").toString("base64url")}`;
    expect(await decodeState(notAState)).toBeUndefined();
  });
});
