/**
 * Class B1 of the hardening review: the JSON entry point must read every
 * number exactly as `JSON.parse` does (correctly rounded, whatever the
 * spelling), or the two request paths decide differently: 17-digit values
 * slipped past `maximum`, `9007199254740991.0` was a smaller number and
 * `74100246772305.000` was not an integer.
 *
 * Guards: the stdlib's decoder (`json_number`) against `JSON.parse` on
 * generated hard texts (stdlib/json-number.ts), and the decisions of the
 * JSON path, the object path and the interpreter on the same texts placed
 * in number fields. The suite runs a fixed seed; AGP_NUMBER_TEXTS=n decodes
 * n more texts per class (millions for a long run).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { NUMBER_SCRATCH_BYTES } from "../../compiler/codegen/stdlib-abi.js";
import { stdlibInstance, type StdlibInstance } from "../stdlib/instance.js";
import { NUMBER_CLASSES, Rng, numberText, type NumberClass } from "./number-texts.js";
import { adversarialFixture, writeRequest } from "./fixture.js";

const PER_CLASS = 1500;
const EXTRA = Number(process.env["AGP_NUMBER_TEXTS"] ?? 0);

let lib: StdlibInstance;
const encoder = new TextEncoder();

beforeAll(async () => {
  lib = await stdlibInstance();
}, 120_000);

/** The stdlib decoder's value for a number text. */
function decoded(text: string): number {
  lib.reset();
  const scratch = lib.put(new Uint8Array(NUMBER_SCRATCH_BYTES));
  const bytes = encoder.encode(text);
  const at = lib.put(bytes, 1);
  return (lib.exports as unknown as { json_number: (a: number, n: number, s: number) => number }).json_number(at, bytes.length, scratch);
}

/** Texts the review and the number-parsing literature single out. */
const NAMED = [
  "1000.0000000000001", "9007199254740991.0", "74100246772305.000", "9007199254740993", "9007199254740992.5",
  "0.30000000000000004", "0.1", "1e23", "8.98846567431158e307", "1.7976931348623157e308", "1.7976931348623158e308",
  "1.7976931348623159e308", "1e309", "1e400", "-1e400", "2.2250738585072011e-308", "2.2250738585072014e-308",
  "2.225073858507201136057409796709131975934819546351645648e-308", "4.9e-324", "5e-324", "2.4703282292062328e-324",
  "2.4703282292062327e-324", "2.47032822920623272e-324", "1e-400", "-1e-400", "-0", "-0.0e+0", "0e99999999999999999999",
  "1" + "0".repeat(308), "1" + "0".repeat(309), "0." + "0".repeat(322) + "5", `1.${"0".repeat(1000)}1`,
  `9007199254740993.${"0".repeat(800)}1`, "1e-99999999999999999999", "123456789012345678901234567890",
];

describe("the JSON entry point's number decoder", () => {
  it("gives JSON.parse's double for the named hard cases", () => {
    for (const text of NAMED) expect(Object.is(decoded(text), JSON.parse(text)), `${text.slice(0, 80)}: ${decoded(text)} vs ${JSON.parse(text)}`).toBe(true);
  });

  it(`gives JSON.parse's double for ${PER_CLASS + EXTRA} generated texts of each class`, () => {
    const reached = new Map<NumberClass, number>();
    const rng = new Rng(20261203);
    for (let i = 0; i < (PER_CLASS + EXTRA) * NUMBER_CLASSES.length; i++) {
      const kind = NUMBER_CLASSES[i % NUMBER_CLASSES.length]!;
      const text = numberText(rng, kind);
      const expected = JSON.parse(text) as number;
      const actual = decoded(text);
      if (!Object.is(actual, expected)) throw new Error(`${kind} ${text}: decoded ${actual}, JSON.parse ${expected}`);
      reached.set(kind, (reached.get(kind) ?? 0) + 1);
    }
    expect([...reached.keys()].sort()).toEqual([...NUMBER_CLASSES].sort());
  }, 600_000);

  it("is not the naive product of digits and a power of ten (the generator finds what that got wrong)", () => {
    // The old decoder multiplied by computed powers of ten; on 17–20 digit texts that misses in the last bit.
    const rng = new Rng(7);
    let differs = 0;
    for (let i = 0; i < 2000; i++) {
      const text = numberText(rng, "digits17to20");
      const [mantissa, exponent] = text.toLowerCase().split("e");
      if (!Object.is(Number(mantissa) * 10 ** Number(exponent ?? 0), JSON.parse(text))) differs++;
    }
    expect(differs).toBeGreaterThan(100);
  });
});

describe("every engine reads a number field as JSON.parse does", () => {
  const engines = () => adversarialFixture();

  /** The three decisions for a request whose text holds `field: <number text>`. */
  function decisions(field: "amount" | "n", text: string) {
    const request = JSON.stringify(writeRequest({ [field]: 0 })).replace(`"${field}":0`, `"${field}":${text}`);
    const { engine, json, interpreter } = engines();
    const parsed = JSON.parse(request) as unknown;
    return { json: json.decideJson(request), object: engine.decide(parsed), interpreter: interpreter.decide(parsed) };
  }

  it("the review's reproducers", () => {
    const over = decisions("amount", "1000.0000000000001");
    expect(over.json.error).toEqual({ code: "out_of_range", message: "`args.amount` must be at most 1000, got 1000.0000000000001", path: "args.amount" });
    expect(over.object).toEqual(over.json);
    expect(over.interpreter).toEqual({ ...over.json, policy: over.interpreter.policy });

    const magic = decisions("n", "9007199254740991.0");
    expect(magic.json.effect).toBe("approve");
    expect(magic.json.rules.map((r) => r.id)).toEqual(["magic_number"]);
    expect(magic.object).toEqual(magic.json);

    const integer = decisions("n", "74100246772305.000");
    expect(integer.json.error).toBeUndefined();
    expect(integer.json.effect).toBe("allow");
    expect(integer.object).toEqual(integer.json);
  });

  it("on generated texts in a bounded number field and an integer field", () => {
    const rng = new Rng(99);
    let refused = 0;
    for (let i = 0; i < 1200; i++) {
      const kind = NUMBER_CLASSES[i % NUMBER_CLASSES.length]!;
      let text = numberText(rng, kind);
      // Half of them near the field's bounds, where one bit decides.
      if (i % 2 === 0) text = text.replace(/^-?[0-9.]+/, (m) => (m.includes(".") ? "1000.0000000000000" + m.replace(/[^0-9]/g, "").slice(0, 6) : `${m}`)).replace(/e.*$/i, "");
      const d = decisions(i % 3 === 0 ? "n" : "amount", text);
      expect(d.object, text).toEqual(d.json);
      expect(d.interpreter, text).toEqual({ ...d.json, policy: d.interpreter.policy });
      if (d.json.error !== undefined) refused++;
    }
    expect(refused).toBeGreaterThan(100);
  });
});
