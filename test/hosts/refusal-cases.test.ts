/**
 * The shared refusal cases (test/support/refusal-cases.ts) through a really
 * compiled module: once through the runtime's JS-object path, once through
 * the module's own JSON entry point (`agp_decide_json`), so the third engine
 * is held to the same codes, paths and texts as the interpreter. Cases a
 * JSON text cannot express (NaN, `undefined`, symbols, getters) go to the
 * JS path in the JSON run too.
 */
import { describe } from "vitest";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { pairOf, checkText } from "../compile/harness.js";
import { CATALOGS } from "../interpret/harness.js";
import { refusalCases, type DecidingEngine } from "../support/refusal-cases.js";

const OPEN = ["aws", "deploy", "github", "shell"].map((family) => `rule any_${family}: allow ${family}.*`).join("\n");
const { checked, catalogs } = checkText({ "open.agp": `package open\n\n${OPEN}\n` }, CATALOGS);
const pair = pairOf(checked, catalogs);
const json = loadJsonDeciderSync(pair.engine);

/** True when JSON text carries the value exactly (so both paths see the same request). */
function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonExact);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(Object.getOwnPropertyDescriptors(value)).every(([, d]) => "value" in d && d.value !== undefined && jsonExact(d.value));
}

const viaJson: DecidingEngine = {
  decide: (request) => (jsonExact(request) ? json.decideJson(JSON.stringify(request)) : pair.engine.decide(request)),
};

describe("refusal cases through a compiled module's JS path", () => {
  refusalCases(pair.engine);
});

describe("refusal cases through the module's JSON entry point", () => {
  refusalCases(viaJson);
});
