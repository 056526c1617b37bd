/**
 * The position-keeping JSON reader agrees with JSON.parse: same value for
 * every JSON text, and a problem exactly when JSON.parse throws (agp also
 * refuses nesting deeper than 256, which no generated text reaches).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonSource } from "../../compiler/catalog/index.js";

const json = fc.jsonValue({ maxDepth: 6 });

function agrees(text: string): void {
  let expected: unknown;
  let valid = true;
  try {
    expected = JSON.parse(text);
  } catch {
    valid = false;
  }
  const source = parseJsonSource("x.json", text);
  const syntax = source.problems.filter((p) => p.duplicateKey === undefined);
  if (valid) {
    expect(syntax).toEqual([]);
    expect(source.value).toEqual(expected);
  } else {
    expect(syntax.length).toBeGreaterThan(0);
    expect(source.value).toBeUndefined();
  }
}

describe("parseJsonSource against JSON.parse", () => {
  it("reads every JSON text, compact or indented, to the same value", () => {
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, 1, 2, "\t"), (value, indent) => {
        agrees(JSON.stringify(value, null, indent));
      }),
      { seed: 4242, numRuns: 500 },
    );
  });

  it("accepts and refuses the same texts after random edits", () => {
    const edited = fc
      .tuple(json, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom("", ",", "]", "}", '"', ":", "\\", "0", "-", " ", "\n", "e", "t"))
      .map(([value, at, cut, insert]) => {
        const text = JSON.stringify(value, null, 1);
        const i = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(fc.property(edited, agrees), { seed: 4242, numRuns: 2000 });
  });

  it("points a span of every value at text that parses to that value", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 5 }), (object) => {
        const text = JSON.stringify(object, null, 2);
        const source = parseJsonSource("x.json", text);
        for (const [key, value] of Object.entries(object)) {
          const pointer = `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
          const span = source.spanOf(pointer);
          expect(JSON.parse(text.slice(span.offset, span.endOffset))).toEqual(value);
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
