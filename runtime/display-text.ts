/**
 * Text that is safe to show on a terminal: the one escaping helper every
 * printer of request-derived or file-derived text uses (`agp audit query`,
 * `agp audit verify`, `agp eval`, `agp inspect`, the `agp test` reporters,
 * diagnostics, and the guard every CLI write passes through).
 *
 * In: any string (an agent id, an action name, a reason from a module, a
 * line of an audit file, a whole report). Out: the same text with every
 * character a terminal would interpret rather than show — C0 controls
 * (U+0000–001F, which include ESC), DEL (U+007F), C1 controls
 * (U+0080–009F, which include the 8-bit CSI), the bidi controls (U+061C,
 * U+200E, U+200F, U+202A–202E, U+2066–2069) and the line and paragraph
 * separators (U+2028, U+2029) — written as a visible JSON-style escape
 * (`\n`, `\r`, `\t`, `\u001b`, `\u202e`). JSON-style, so the same escape
 * inside a JSON string keeps the JSON valid and equal in value.
 * Must not import anything: runtime/ uses it in browsers too.
 */

/** Every character that must never reach a terminal raw. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, except the newline and tab that structure multi-line output. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The only escape sequences agp itself prints (the colours of the pretty
 * test report). `displayBlock` lets exactly these through, nothing else.
 */
export const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  red: "\u001b[31m",
  green: "\u001b[32m",
} as const;
const OWN_SEQUENCE = /\u001b\[(?:0|1|31|32)m/y;

/** `true` when `text` holds a character `displayText` would escape. */
export function hasUnsafeText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * One line of text for a terminal: every unsafe character, newlines and
 * tabs included, becomes a visible escape — so a value can never start a
 * new line (forge a row), move the cursor, recolour, retitle or reorder
 * what an operator reads.
 */
export function displayText(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * Several lines for a terminal: like `displayText` but newlines and tabs
 * stay (they are the layout), and agp's own colour sequences (`ANSI`) stay.
 * For whole reports, as a guard behind per-field `displayText`: it cannot
 * stop a value from starting a line, only from controlling the terminal.
 */
export function displayBlock(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isUnsafeInBlock(code)) continue;
    if (code === 0x1b) {
      OWN_SEQUENCE.lastIndex = i;
      const own = OWN_SEQUENCE.exec(text);
      if (own !== null) {
        i += own[0].length - 1;
        continue;
      }
    }
    out += text.slice(from, i) + escapeOne(text[i]!);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * JSON text for a terminal: `JSON.stringify` already escapes C0 controls
 * inside strings, but not DEL, C1, the bidi controls or U+2028/2029; this
 * writes those as `\uXXXX` too. The result parses to the same value.
 */
export function displayJson(value: unknown, indent: number = 2): string {
  return displayBlock(JSON.stringify(value, null, indent) ?? "null");
}

/**
 * A table cell: the text itself when it is plain (no space, quote,
 * backslash or unsafe character, not empty and not `-`, which marks an
 * absent value), else the text as a JSON string with every unsafe
 * character escaped — so no value can pass for two cells, for an absent
 * value, or for a different value.
 */
export function displayCell(text: string): string {
  if (text !== "" && text !== "-" && !/[\s"\\]/.test(text) && !hasUnsafeText(text)) return text;
  return displayText(JSON.stringify(text));
}

function isUnsafeInBlock(code: number): boolean {
  if (code < 0x20) return code !== 0x0a && code !== 0x09;
  if (code >= 0x7f && code <= 0x9f) return true;
  return code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x2028 && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

function escapeOne(character: string): string {
  switch (character) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default:
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
  }
}
