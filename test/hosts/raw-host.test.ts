/**
 * A host written from docs/abi.md alone, as a Go (wazero) or Rust (wasmtime)
 * gateway would be: nothing from runtime/, only the raw WebAssembly API and
 * the document's rules. It finds the manifest by walking the binary's
 * sections, writes JSON bytes at `agp_json_input()`, calls
 * `agp_decide_json(len)`, reads the compact result and builds the effect,
 * the deciding rule ids, the reasons and the refusal message; they must be
 * exactly the runtime library's on the whole host request set (requests
 * without runtime state: finishing obligations, quorums and limits from the
 * manifest is the same work on either path and is not repeated here).
 */
import { beforeAll, expect, it } from "vitest";
import { hostFixture, type HostFixture } from "./fixture.js";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let fx: HostFixture;
beforeAll(async () => {
  fx = await hostFixture();
}, 120_000);

/** docs/abi.md "Finding the manifest": custom section (id 0) named `agp.manifest`. */
function manifestOf(bytes: Uint8Array): Json {
  let at = 8; // magic + version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return result;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 0) {
      const nameLength = leb();
      const name = new TextDecoder().decode(bytes.subarray(at, at + nameLength));
      if (name === "agp.manifest") return JSON.parse(new TextDecoder().decode(bytes.subarray(at + nameLength, end)));
    }
    at = end;
  }
  throw new Error("no manifest");
}

/** docs/abi.md "Messages". */
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const child = (path: string, key: string) => (IDENT.test(key) ? (path === "" ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`);
const quote = (s: string) => {
  const cps = Array.from(s);
  return cps.length <= 64 ? JSON.stringify(s) : `${JSON.stringify(cps.slice(0, 64).join(""))}…`;
};
const describe = (v: Json): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? `the string ${quote(v)}` : typeof v === "object" ? "an object" : `the ${typeof v} ${String(v)}`;
const expected = (n: Json): string => {
  if (n.type === "union") {
    const names = [...new Set<string>(n.options.map(expected))];
    return names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  }
  return { any: "any value", null: "null", boolean: "a boolean", string: "a string", array: "an array", object: "an object" }[n.type as string] ?? (n.integer ? "an integer" : "a number");
};
/** Keys are WTF-8: a lone surrogate from a `\\u` escape is its 3-byte generalized UTF-8 form. */
function wtf8(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; ) {
    const x = b[i]!;
    const n = x < 0x80 ? 1 : x < 0xe0 ? 2 : x < 0xf0 ? 3 : 4;
    let cp = n === 1 ? x : x & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k]! & 0x3f);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}
const MALFORMED = ["", "unexpected character", "unexpected end of input", "invalid UTF-8", "invalid escape sequence", "control character in a string", "duplicate key", "nesting deeper than the limit", "", "invalid number", "too many values", "empty input"];
const CODES = ["", "wrong_type", "missing_field", "unknown_field", "too_long", "too_many_items", "out_of_range", "not_in_enum", "invalid_string", "unknown_action", "too_large", "too_short", "too_few_items"];

function rawHost(bytes: Uint8Array) {
  const manifest = manifestOf(bytes);
  const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: object }; Module: new (b: Uint8Array) => object } }).WebAssembly;
  const instance = new api.Instance(new api.Module(bytes), {});
  const ex = instance.exports as Json;
  if (ex.agp_abi_version() !== manifest.abi) throw new Error("ABI mismatch");
  const nodes: Json[] = [];
  const visit = (n: Json): void => {
    nodes.push(n);
    if (n.type === "array") visit(n.items);
    if (n.type === "object") n.properties.forEach((p: Json) => visit(p.schema));
    if (n.type === "union") n.options.forEach(visit);
  };
  [manifest.request.agent, manifest.request.human, manifest.request.env, manifest.request.context, ...manifest.actions.map((a: Json) => a.args)].forEach(visit);

  return (text: string) => {
    const input = new TextEncoder().encode(text);
    const memory = () => new DataView((ex.memory as { buffer: ArrayBuffer }).buffer);
    if (input.length > manifest.json.inputBytes) throw new Error("too large");
    new Uint8Array((ex.memory as { buffer: ArrayBuffer }).buffer).set(input, ex.agp_json_input());
    const h = ex.agp_decide_json(input.length) >>> 0;
    const m = memory();
    const u32 = (o: number) => m.getUint32(h + o, true);
    const status = u32(0);
    if (status === 2) return { effect: "deny", rules: [], reasons: [`the request is not valid JSON: ${MALFORMED[u32(16)]} at byte ${u32(24)}`], error: "malformed_json" };
    if (status === 1) {
      let path = "";
      for (let i = 0; i < u32(36); i++) {
        const s = 40 + 12 * i;
        path = u32(s) === 1 ? `${path}[${u32(s + 4)}]` : child(path, wtf8(new Uint8Array(m.buffer, u32(s + 4), u32(s + 8))));
      }
      const node = m.getInt32(h + 20, true) < 0 ? undefined : nodes[m.getInt32(h + 20, true)];
      const value = () => (u32(28) === 0xffffffff ? {} : JSON.parse(new TextDecoder().decode(input.subarray(u32(28), u32(32)))));
      const code = CODES[u32(16)]!;
      const p = `\`${path}\``;
      const message = {
        wrong_type: () => (node ? `${p} must be ${expected(node)}, got ${describe(value())}` : path === "" ? `the request must be an object, got ${describe(value())}` : `${p} must be a string, got ${describe(value())}`),
        missing_field: () => `missing required field ${p}`,
        unknown_field: () => (node ? `unknown field ${p}` : `unknown field ${p} in the request`),
        too_long: () => `${p} is longer than its maxLength ${node.maxLength}`,
        too_short: () => `${p} is shorter than its minLength ${node.minLength}`,
        too_many_items: () => `${p} has more items than its maxItems ${node.maxItems}`,
        too_few_items: () => `${p} has fewer items than its minItems ${node.minItems}`,
        out_of_range: () => (u32(24) === 0 ? `${p} must be at least ${node.minimum}, got ${value()}` : `${p} must be at most ${node.maximum}, got ${value()}`),
        not_in_enum: () => `${p} must be one of ${node.type === "string" ? node.enum.map((e: string) => JSON.stringify(e)).join(", ") : node.enum.join(", ")}, got ${describe(value())}`,
        invalid_string: () => `${p} is not well-formed Unicode (a lone surrogate at index ${u32(24)})`,
        unknown_action: () => `unknown action \`${value()}\``,
        too_large: () => {
          const bounds = manifest.bounds ?? { maxDepth: 64, maxValues: 100000 };
          return `the request is too large: the policy accepts at most ${bounds.maxDepth} levels of nesting and ${bounds.maxValues} values`;
        },
      }[code]!();
      return { effect: "deny", rules: [], reasons: [message], error: code };
    }
    if (status !== 0) throw new Error(`status ${status}`);
    const r = u32(4);
    const effect = ["allow", "approve", "deny"][m.getUint32(r, true)]!;
    const blockedBy = m.getUint32(r + 4, true);
    // docs/abi.md section 2: a packed rule is [id, file, line, flags, rest?]: effect in flags bits 0-1, principal bit 2, reason in rest.
    const deciding = Array.from({ length: m.getUint32(r + 8, true) }, (_, i) => {
      const [id, , , flags, rest] = manifest.rules[m.getUint32(r + 24 + 4 * i, true)];
      return { id, effect: ["allow", "approve", "deny"][flags & 3], principal: flags & 4 ? "human" : "agent", reason: rest?.reason };
    });
    // Agent side first, then human side, each by rule index.
    const ordered = [...deciding.filter((x: Json) => x.principal === "agent"), ...deciding.filter((x: Json) => x.principal === "human")];
    const generated = { deny: "denied by rule", approve: "approval required by rule", allow: "allowed by rule" } as Record<string, string>;
    const reasons = ordered.map((x: Json) => x.reason ?? `${generated[x.effect]} \`${x.id}\``);
    const action = manifest.actions[u32(8)].name;
    const human = (u32(12) & 1) === 1;
    const humanDefault = human
      ? `no \`for human\` rule allows \`${action}\``
      : `the request names no human, and under \`delegation human_only\` only rules \`for human\` allow \`${action}\``;
    if (effect === "deny" && ordered.length === 0) reasons.push(blockedBy === 2 ? humanDefault : `no rule allows \`${action}\``);
    return { effect, rules: ordered.map((x: Json) => x.id), reasons, error: undefined };
  };
}

it("a host built from docs/abi.md alone gives the runtime's effect, rules, reasons and refusals", () => {
  const decide = rawHost(fx.wasm);
  let compared = 0;
  fx.cases.forEach((c, i) => {
    const want = fx.expected[i]!;
    if (c.state !== undefined || want.error?.code === "obligation_conflict") return;
    const got = decide(JSON.stringify(c.request));
    expect(got, JSON.stringify(c.request)).toEqual({ effect: want.effect, rules: want.rules.map((r) => r.id), reasons: want.reasons, error: want.error?.code });
    compared++;
  });
  expect(compared).toBeGreaterThan(350);
  expect(decide("{")).toEqual({ effect: "deny", rules: [], reasons: ["the request is not valid JSON: unexpected end of input at byte 1"], error: "malformed_json" });
  // Past the request bounds: the same refusal as the runtime's object path.
  const deep = { ...(fx.cases[0]!.request as object), context: { x: JSON.parse(`${"[".repeat(80)}${"]".repeat(80)}`) as unknown } };
  const want = fx.pair.engine.decide(deep);
  expect(want.error?.code).toBe("too_large");
  expect(decide(JSON.stringify(deep))).toEqual({ effect: "deny", rules: [], reasons: want.reasons, error: "too_large" });
});
