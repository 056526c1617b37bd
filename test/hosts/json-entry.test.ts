/**
 * The module's portable JSON entry point (`agp_decide_json`), through the
 * runtime's `JsonDecider`: the same Decision as the JS-object path on the
 * example suite's requests and on generated requests, valid and broken
 * (reasons, error codes, paths, byte for byte); malformed bytes are refused
 * with a reason, never a trap; the size and depth caps hold; one bad request
 * never changes the next decision.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadJsonDeciderSync, type JsonDecider } from "../../runtime/index.js";
import { hostFixture, type HostFixture } from "./fixture.js";

let fx: HostFixture;
let json: JsonDecider;

beforeAll(async () => {
  fx = await hostFixture();
  json = loadJsonDeciderSync(fx.pair.engine);
}, 120_000);

const VALID = {
  agent: { id: "ci-fixer", kind: "coding", groups: ["coding-bots"], trust: 2 },
  action: "github.pull_request.open",
  args: { repo: "acme/tools", title: "Fix CI", head: "fix/ci", base: "main" },
  env: "production",
  context: { session: "s-42" },
};

function refusal(bytes: Uint8Array | string): { code: string; message: string; path: string } | undefined {
  return json.decideJson(bytes).error;
}

describe("JSON entry point: same decisions as the JS-object path", () => {
  it("on the example requests and generated requests, valid and broken", () => {
    let refused = 0;
    fx.cases.forEach((c, i) => {
      const actual = json.decideJson(JSON.stringify(c.request), c.state as never);
      expect(actual, JSON.stringify(c)).toEqual(fx.expected[i]);
      if (actual.error !== undefined) refused++;
    });
    // The set really exercises validation, and really decides.
    expect(refused).toBeGreaterThan(150);
    expect(fx.cases.length - refused).toBeGreaterThan(100);
    const codes = new Set(fx.expected.map((d) => d.error?.code).filter((c) => c !== undefined));
    for (const code of ["wrong_type", "missing_field", "unknown_field", "too_long", "not_in_enum", "invalid_string"]) expect(codes).toContain(code);
  });

  it("whatever the whitespace and key order of the bytes", () => {
    fx.cases.slice(0, 120).forEach((c, i) => {
      const reordered = JSON.parse(JSON.stringify(c.request), (_k, v: unknown) =>
        typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ) as unknown;
      expect(json.decideJson(JSON.stringify(reordered, null, "\t\n "), c.state as never)).toEqual(fx.expected[i]);
    });
  });
});

describe("JSON entry point: malformed bytes are refused with a reason", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...enc(p)] : p)));
  const cases: [string, Uint8Array | string, string][] = [
    ["empty", "", "the request is not valid JSON: empty input at byte 0"],
    ["truncated", '{"agent":', "the request is not valid JSON: unexpected end of input at byte 9"],
    ["trailing bytes", "{} x", "the request is not valid JSON: unexpected character at byte 3"],
    ["bare word", "nul", "the request is not valid JSON: unexpected end of input at byte 3"],
    ["single quotes", "{'a':1}", "the request is not valid JSON: unexpected character at byte 1"],
    ["trailing comma", '{"a":1,}', "the request is not valid JSON: unexpected character at byte 7"],
    ["duplicate key", '{"agent":1,"agent":2}', "the request is not valid JSON: duplicate key at byte 11"],
    ["duplicate key by escape", '{"env":1,"\\u0065nv":2}', "the request is not valid JSON: duplicate key at byte 9"],
    ["invalid UTF-8", bytes('{"env":"', [0xff], '"}'), "the request is not valid JSON: invalid UTF-8 at byte 8"],
    ["overlong UTF-8", bytes('{"env":"', [0xc0, 0xaf], '"}'), "the request is not valid JSON: invalid UTF-8 at byte 8"],
    ["UTF-8 encoded surrogate", bytes('{"env":"', [0xed, 0xa0, 0x80], '"}'), "the request is not valid JSON: invalid UTF-8 at byte 8"],
    ["truncated UTF-8", bytes('{"env":"', [0xe2, 0x82]), "the request is not valid JSON: invalid UTF-8 at byte 8"],
    ["control character", '{"env":"a\nb"}', "the request is not valid JSON: control character in a string at byte 9"],
    ["bad escape", '{"env":"\\x"}', "the request is not valid JSON: invalid escape sequence at byte 8"],
    ["short \\u escape", '{"env":"\\u12"}', "the request is not valid JSON: invalid escape sequence at byte 8"],
    ["leading zero", '{"env":01}', "the request is not valid JSON: unexpected character at byte 8"],
    ["bare minus", '{"env":-}', "the request is not valid JSON: invalid number at byte 7"],
    ["no fraction digits", '{"env":1.}', "the request is not valid JSON: invalid number at byte 7"],
    ["no exponent digits", '{"env":1e+}', "the request is not valid JSON: invalid number at byte 7"],
  ];
  it.each(cases)("%s", (_name, input, message) => {
    expect(refusal(input)).toEqual({ code: "malformed_json", message, path: "" });
  });

  it("past the request bounds: the object path's too_large, not malformed", () => {
    const deep = { ...VALID, context: { a: JSON.parse(`${"[".repeat(70)}${"]".repeat(70)}`) as unknown } };
    const expected = { code: "too_large", message: "the request is too large: the policy accepts at most 64 levels of nesting and 100000 values", path: "" };
    expect(refusal(JSON.stringify(deep))).toEqual(expected);
    expect(fx.pair.engine.decide(deep).error).toEqual(expected);
    // Exactly at the bound is fine: the request object is level 1, `context` 2, `a` 3.
    const atBound = { ...VALID, context: { a: JSON.parse(`${"[".repeat(62)}${"]".repeat(62)}`) as unknown } };
    expect(refusal(JSON.stringify(atBound))).toEqual(fx.pair.engine.decide(atBound).error);
    expect(refusal(JSON.stringify(atBound))?.code).not.toBe("too_large");
  });

  it("duplicate keys in large objects: the first repeat is reported, whatever the keys", () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `"k${i}":0`);
    const big = (extra: string) => `{"context":{${keys.join(",")}${extra}}}`;
    const repeatAt = big(',"k7":1,"k2":1').indexOf('"k7":1');
    expect(refusal(big(',"k7":1,"k2":1'))?.message).toBe(`the request is not valid JSON: duplicate key at byte ${repeatAt}`);
    expect(refusal(big(""))?.code).toBe("missing_field");
    // The check sorts the keys (O(k log k), ADR 0008); its cost is measured in bench/json.bench.ts, not asserted here.
  });

  it("a request at the module's buffer size and past it: the same decision (the size of a text never matters)", () => {
    const text = JSON.stringify(VALID);
    expect(fx.pair.engine.decide(VALID).effect).toBe("allow");
    const cap = json.inputBytes;
    expect(cap).toBe(fx.pair.compiled.manifest.json?.inputBytes);
    const atCap = text.slice(0, -1) + " ".repeat(cap - text.length) + "}";
    expect(atCap.length).toBe(cap);
    expect(json.decideJson(atCap)).toEqual(fx.pair.engine.decide(VALID));
    expect(json.decideJson(atCap + " ")).toEqual(fx.pair.engine.decide(VALID));
    expect(json.decideJson(text.slice(0, -1) + " ".repeat(5 * cap) + "}")).toEqual(fx.pair.engine.decide(VALID));
    // Malformed past the buffer: the reason and offset the module would give.
    const broken = text.slice(0, -1) + " ".repeat(2 * cap) + ",}";
    expect(refusal(broken)).toEqual({ code: "malformed_json", message: `the request is not valid JSON: unexpected character at byte ${broken.length - 1}`, path: "" });
  });

  it("lone surrogates in checked strings: the JS path's invalid_string, at the same UTF-16 index", () => {
    const request = { ...VALID, args: { ...VALID.args, title: "ok😀\ud800" } };
    expect(refusal(JSON.stringify(request))).toEqual(fx.pair.engine.decide(request).error);
    expect(refusal(JSON.stringify(request))?.message).toContain("a lone surrogate at index 4");
  });

  it("the first unknown key in UTF-16 order, as the JS path sorts (not code point order)", () => {
    // U+1F600 sorts before U+FFFF by UTF-16 units (D83D < FFFF), after it by code points.
    const request = { ...VALID, args: { ...VALID.args, "\uffff": 1, "😀": 2 } };
    expect(refusal(JSON.stringify(request))).toEqual(fx.pair.engine.decide(request).error);
    expect(refusal(JSON.stringify(request))?.path).toBe('args["😀"]');
  });

  it("escaped and raw spellings of the same request decide the same", () => {
    const escaped = JSON.stringify(VALID).replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    expect(JSON.parse(escaped)).toEqual(VALID);
    expect(json.decideJson(escaped)).toEqual(fx.pair.engine.decide(VALID));
  });

  it("never traps on arbitrary bytes or damaged requests, and one bad call never changes the next", () => {
    const reference = fx.pair.engine.decide(VALID);
    const text = JSON.stringify(VALID);
    const damaged = fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(3)).map(([at, byte, n]) => {
      const b = new TextEncoder().encode(text);
      for (let k = 0; k <= n && at + k < b.length; k++) b[at + k] = (byte + k * 37) & 0xff;
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), damaged, fc.string({ unit: "binary", maxLength: 100 }).map((s) => new TextEncoder().encode(s))), (input) => {
        const decision = json.decideJson(input);
        expect(decision.error?.code).not.toBe("internal_error");
        if (decision.effect !== "deny") expect(decision.error).toBeUndefined();
        expect(json.decideJson(text)).toEqual(reference);
      }),
      { seed: 7, numRuns: 1500 },
    );
  });
});

describe("JSON decider: loading", () => {
  it("refuses a module whose manifest has no JSON entry point, or a corrupt one", async () => {
    const { loadPolicySync, PolicyLoadError } = await import("../../runtime/index.js");
    const engine = loadPolicySync(fx.wasm);
    const without = { ...engine, manifest: { ...engine.manifest, json: undefined } };
    expect(() => loadJsonDeciderSync(without as never)).toThrow(PolicyLoadError);
    expect(() => loadJsonDeciderSync(without as never)).toThrow("has no JSON entry point");
    const huge = { ...engine, manifest: { ...engine.manifest, json: { inputBytes: 1 << 30, maxDepth: 64 } } };
    expect(() => loadJsonDeciderSync(huge as never)).toThrow("lies outside its memory");
  });
});
