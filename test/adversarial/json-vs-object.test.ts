/**
 * Class B2/B3 of the hardening review: the JSON path and the object path
 * must be the same function. For every generated request text that
 * `JSON.parse` accepts and that has no duplicate key,
 *   decideJson(bytes) ≡ decide(JSON.parse(bytes)) ≡ the interpreter,
 * byte for byte (hostile numbers, escapes, lone surrogates, depth past the
 * bounds, whitespace past the module's buffer). A text with a duplicate key
 * is refused by the JSON path as malformed (the object path cannot see it:
 * JSON.parse keeps the last value silently), and any text JSON.parse
 * refuses is a JSON-path deny. And the runtime's reader for long texts
 * (runtime/json/reader.ts) is the module's tokenizer's twin: a module with a
 * 64-byte buffer, which reads nearly every text with it, decides every
 * text, valid or not, exactly as a module that reads it in wasm.
 *
 * The suite runs a fixed seed; AGP_JSON_TEXTS=n runs n more texts.
 */
import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../compiler/compile/index.js";
import { loadJsonDeciderSync, loadPolicySync, type Decision } from "../../runtime/index.js";
import { checkText } from "../compile/harness.js";
import { ADVERSARIAL_CATALOGS, ADVERSARIAL_POLICY, adversarialFixture } from "./fixture.js";
import { jsonCase } from "./json-texts.js";
import { Rng } from "./number-texts.js";

const TEXTS = 3000 + Number(process.env["AGP_JSON_TEXTS"] ?? 0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A decision without the bundle that made it (two builds of one policy differ only there). */
function unbundled(d: Decision): Omit<Decision, "policy"> {
  const { policy: _policy, ...rest } = d;
  return rest;
}

describe("decideJson ≡ decide(JSON.parse) ≡ the interpreter", () => {
  it(`on ${TEXTS} generated texts, valid and not`, () => {
    const { engine, json, interpreter } = adversarialFixture();
    const rng = new Rng(20261204);
    const seen = { same: 0, duplicate: 0, unparsable: 0, allowed: 0, tooLarge: 0, long: 0, refusedNumbers: 0 };
    for (let i = 0; i < TEXTS; i++) {
      const c = jsonCase(rng);
      const bytes = encoder.encode(c.text);
      const decided = json.decideJson(bytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(bytes));
      } catch {
        seen.unparsable++;
        expect(decided.effect, c.how).toBe("deny");
        expect(["malformed_json", "too_large"], `${c.how}\n${c.text}`).toContain(decided.error?.code);
        continue;
      }
      if (c.duplicate === "maybe") {
        // A damaged text whose repeated key may no longer repeat: only fail-closed is certain.
        if (decided.effect !== "deny") expect(decided).toEqual(engine.decide(parsed));
        continue;
      }
      if (c.duplicate) {
        seen.duplicate++;
        expect(decided.effect).toBe("deny");
        expect(["malformed_json", "too_large"], `${c.how}\n${c.text}`).toContain(decided.error?.code);
        continue;
      }
      const object = engine.decide(parsed);
      expect(decided, `${c.how}\n${c.text.slice(0, 2000)}`).toEqual(object);
      expect(interpreter.decide(parsed), `${c.how}\n${c.text.slice(0, 2000)}`).toEqual(object);
      seen.same++;
      if (object.effect !== "deny") seen.allowed++;
      if (object.error?.code === "too_large") seen.tooLarge++;
      if (object.error?.path === "args.amount" || object.error?.path === "args.n") seen.refusedNumbers++;
      if (bytes.length > json.inputBytes) seen.long++;
    }
    // The generator reaches every kind of text it is meant to.
    expect(seen.same).toBeGreaterThan(TEXTS / 2);
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(0);
  }, 600_000);
});

describe("the reader for long texts is the module's tokenizer's twin", () => {
  it(`decides ${TEXTS} texts exactly as the module does, whatever is wrong with them`, () => {
    const { json } = adversarialFixture();
    const { checked, catalogs } = checkText({ "adversarial.agp": ADVERSARIAL_POLICY }, ADVERSARIAL_CATALOGS);
    const small = compilePolicy(checked, catalogs, { limits: { jsonInputBytes: 64 } }).compiled!;
    const reader = loadJsonDeciderSync(loadPolicySync(small.wasm));
    expect(reader.inputBytes).toBe(64);
    const rng = new Rng(4);
    let read = 0;
    for (let i = 0; i < TEXTS; i++) {
      const c = jsonCase(rng);
      const bytes = encoder.encode(c.text);
      if (bytes.length > 64) read++;
      expect(unbundled(reader.decideJson(bytes)), `${c.how}\n${c.text.slice(0, 2000)}`).toEqual(unbundled(json.decideJson(bytes)));
    }
    expect(read).toBeGreaterThan(TEXTS * 0.9);
  }, 600_000);

  it("on the malformed texts of the JSON entry's own suite", () => {
    const { json } = adversarialFixture();
    const { checked, catalogs } = checkText({ "adversarial.agp": ADVERSARIAL_POLICY }, ADVERSARIAL_CATALOGS);
    const reader = loadJsonDeciderSync(loadPolicySync(compilePolicy(checked, catalogs, { limits: { jsonInputBytes: 64 } }).compiled!.wasm));
    const pad = " ".repeat(70);
    const texts = [
      "", pad, `${pad}{`, `${pad}{"agent":`, `{} x${pad}`, `${pad}nul`, `${pad}tru`, `${pad}falsx`, `${pad}{'a':1}`, `${pad}{"a":1,}`, `${pad}[1,]`,
      `${pad}{"agent":1,"agent":2}`, `${pad}{"env":1,"\\u0065nv":2}`, `${pad}{"env":"\\x"}`, `${pad}{"env":"\\u12"}`, `${pad}{"env":"\\`,
      `${pad}{"env":01}`, `${pad}{"env":-}`, `${pad}{"env":1.}`, `${pad}{"env":1e+}`, `${pad}{"env":-`, `${pad}{"env":"a\nb"}`,
      `${pad}{${Array.from({ length: 20 }, (_, i) => `"k${i % 13}":0`).join(",")}}`, `${pad}{"x":${"[".repeat(70)}${"]".repeat(70)}}`,
      // Not repeats: a key that begins with U+FEFF (not a byte-order mark inside a key); escaped and raw spellings apart.
      `${pad}{"\uFEFFa":1,"a":2}`, `${pad}{"\\ufeffa":1,"a":2}`, `${pad}{"\\ufeffa":1,"\uFEFFa":2}`,
      `${pad}{"\\ud800":1,"\\udc00":2,"\\ud800\\udc00":3,"\u{10000}":4}`,
    ];
    for (const text of texts) expect(unbundled(reader.decideJson(text)), text.trim()).toEqual(unbundled(json.decideJson(text)));
    const bom = Uint8Array.from([...encoder.encode(`${pad}{"`), 0xef, 0xbb, 0xbf, ...encoder.encode('a":1,"a":2}')]);
    expect(unbundled(reader.decideJson(bom))).toEqual(unbundled(json.decideJson(bom)));
    expect(json.decideJson(bom).error?.code).not.toBe("malformed_json");
    const bytes = (...b: number[]) => Uint8Array.from([...encoder.encode(`${pad}{"env":"`), ...b, ...encoder.encode('"}')]);
    for (const bad of [bytes(0xff), bytes(0xc0, 0xaf), bytes(0xed, 0xa0, 0x80), bytes(0xe2, 0x82), bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xf0, 0x9f, 0x98, 0x80)]) {
      expect(unbundled(reader.decideJson(bad))).toEqual(unbundled(json.decideJson(bad)));
    }
  });
});
