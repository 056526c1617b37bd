/**
 * Test support: generated JSON request texts for the two request paths,
 * valid and not: requests for the adversarial fixture's actions respelled
 * with hostile numbers (./number-texts.ts), `\u` escapes (lone surrogates
 * included), odd whitespace (past the module's buffer too), deep free-form
 * values, duplicate keys (at the top, inside parts, in large objects, by
 * escape), and damaged bytes.
 *
 * In: a seeded `Rng`. Out: `JsonCase`s: the text, and whether the generator
 * put a duplicate key in it (JSON.parse silently keeps the last one, so the
 * object path cannot see it; the JSON path refuses it, ADR 0008).
 * Must not depend on anything but the seed.
 */
import { NUMBER_CLASSES, Rng, numberText } from "./number-texts.js";

export interface JsonCase {
  readonly text: string;
  /**
   * The generator wrote a key twice in one object (the text is then refused
   * by the JSON path); "maybe" when damage may have changed that key.
   */
  readonly duplicate: boolean | "maybe";
  /** What the generator did, for failure messages. */
  readonly how: string;
}

const STRINGS = ["src/a.ts", "src/", "lib/x", "", "src/" + "a".repeat(260), "src/\u00e9\u{1f600}", "\ud800", "src/\udc00x", "a\u0000b", 'q"uote\\'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return rng.pick(items);
}

/** A free-form value, sometimes deep or wide. */
function freeForm(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0: {
      const depth = rng.int(1, 80); // past the default bound of 64 sometimes
      return "[".repeat(depth) + "]".repeat(depth);
    }
    case 1:
      return `{${Array.from({ length: rng.int(0, 12) }, (_, i) => `"k${i}":${numberText(rng, pick(rng, NUMBER_CLASSES))}`).join(",")}}`;
    case 2:
      return JSON.stringify(pick(rng, STRINGS));
    case 3:
      return `[${Array.from({ length: rng.int(0, 30) }, () => pick(rng, ["null", "true", "1e400", "-0", '"x"', "{}", "[]"])).join(",")}]`;
    default:
      return numberText(rng, pick(rng, NUMBER_CLASSES));
  }
}

/** Spells a string as JSON, escaping some characters with `\u` (surrogate pairs as two escapes). */
function spellString(rng: Rng, s: string): string {
  const plain = JSON.stringify(s);
  if (rng.int(0, 2) !== 0) return plain;
  let out = '"';
  for (const unit of Array.from({ length: s.length }, (_, i) => s.charCodeAt(i))) {
    const c = String.fromCharCode(unit);
    const must = c === '"' || c === "\\" || unit < 0x20 || (unit >= 0xd800 && unit <= 0xdfff);
    out += must || rng.int(0, 3) === 0 ? `\\u${unit.toString(16).padStart(4, "0")}` : c;
  }
  return `${out}"`;
}

function ws(rng: Rng, big: boolean): string {
  if (rng.int(0, 3) !== 0) return "";
  const n = big ? rng.int(0, 600) : rng.int(0, 3);
  return Array.from({ length: n }, () => pick(rng, [" ", "\t", "\n", "\r"])).join("");
}

/** One generated case. */
export function jsonCase(rng: Rng): JsonCase {
  const how: string[] = [];
  let duplicate = false;
  const big = rng.int(0, 9) === 0;
  if (big) how.push("wide whitespace");
  const w = () => ws(rng, big);
  const member = (key: string, value: string) => `${w()}${spellString(rng, key)}${w()}:${w()}${value}${w()}`;
  const object = (members: string[]) => {
    if (members.length > 0 && rng.int(0, 15) === 0) {
      // Repeat one member, maybe with another value, maybe spelt with escapes.
      const at = rng.int(0, members.length - 1);
      members.splice(rng.int(0, members.length), 0, members[at]!);
      duplicate = true;
      how.push("duplicate key");
    }
    return `{${members.join(",")}}`;
  };
  const number = (field: string) => {
    const kind = pick(rng, NUMBER_CLASSES);
    const text = rng.int(0, 2) === 0 ? String(rng.int(0, 1200)) : numberText(rng, kind);
    how.push(`${field}=${text.length > 40 ? `${text.slice(0, 40)}…` : text}`);
    return text;
  };
  const note = rng.int(0, 4) === 0;
  const args: string[] = note
    ? [member("text", spellString(rng, pick(rng, STRINGS))), ...(rng.int(0, 1) === 0 ? [member("meta", freeForm(rng))] : [])]
    : [
        member("path", spellString(rng, pick(rng, STRINGS))),
        member("paths", `[${Array.from({ length: rng.int(0, 3) }, () => spellString(rng, pick(rng, STRINGS.slice(0, 6)))).join(",")}]`),
        member("amount", number("amount")),
        ...(rng.int(0, 1) === 0 ? [member("n", number("n"))] : []),
        ...(rng.int(0, 3) === 0 ? [member("force", pick(rng, ["true", "false", "null", "1"]))] : []),
        ...(rng.int(0, 3) === 0 ? [member("mode", spellString(rng, pick(rng, ["read", "write", "admin"])))] : []),
      ];
  // Large objects check repeats once closed: give some objects many keys.
  if (!note && rng.int(0, 8) === 0) {
    const extra = Array.from({ length: rng.int(8, 40) }, (_, i) => member(`x${i}`, "0"));
    args.push(member("meta", object(extra)));
  } else if (!note && rng.int(0, 2) === 0) args.push(member("meta", freeForm(rng)));
  const parts = [
    member("agent", object([member("id", spellString(rng, pick(rng, ["bot", "alice", ""]))), member("groups", '["writers"]'), member("trust", pick(rng, ["2", "2.0", "0.2e1", "5", "-0"]))])),
    member("action", spellString(rng, note ? "files.note" : pick(rng, ["files.write", "files.write", "files.nope"]))),
    member("args", object(args)),
    member("env", spellString(rng, "dev")),
    ...(rng.int(0, 2) === 0 ? [member("context", object(rng.int(0, 1) === 0 ? [] : [member("session", '"s"')]))] : []),
  ];
  let text = `${w()}${object(parts)}${w()}`;
  // Now and then past the module's default 32 KB buffer: decided by the runtime's reader.
  if (big && rng.int(0, 2) === 0) text = `${text}${" ".repeat(33000)}`;
  if (rng.int(0, 12) === 0) {
    // Damage one byte (or cut the text short).
    const at = rng.int(0, text.length - 1);
    text = rng.int(0, 1) === 0 ? text.slice(0, at) : text.slice(0, at) + pick(rng, ["}", "]", ",", '"', "\\", "\u0001", "x", "\ud800"]) + text.slice(at + 1);
    how.push(`damaged at ${at}`);
    return { text, duplicate: duplicate ? "maybe" : false, how: how.join(", ") };
  }
  return { text, duplicate, how: how.join(", ") };
}
