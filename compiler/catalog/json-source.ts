/**
 * JSON with source positions: the parser behind every catalog error's caret.
 *
 * In: the text of a .json file. Out: the parsed value (plain JSON), a tree
 * of located nodes, and the syntax problems found (each with an offset), or
 * no value when the text is not JSON. `spanOf(pointer)` turns an RFC 6901
 * pointer into the span of the JSON value (or object key) it names, so a
 * diagnostic about `/actions/pull_request.open/args` shows the right line of
 * the catalog. This file knows nothing about catalogs or diagnostics codes.
 */
import type { Span } from "../diagnostics/index.js";
import type { JsonValue } from "./types.js";

/** A parsed JSON value and where it sits in the text. */
export type JsonNode =
  | { readonly kind: "object"; readonly start: number; readonly end: number; readonly members: readonly JsonMember[] }
  | { readonly kind: "array"; readonly start: number; readonly end: number; readonly items: readonly JsonNode[] }
  | { readonly kind: "scalar"; readonly start: number; readonly end: number };

export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JsonNode;
}

/** A syntax problem: `offset` is where the parser stopped. */
export interface JsonProblem {
  readonly offset: number;
  readonly endOffset: number;
  readonly message: string;
  /** True for a repeated object key: valid JSON grammar, but ambiguous. */
  readonly duplicateKey?: string;
}

export interface JsonSource {
  readonly file: string;
  readonly text: string;
  /** Undefined when the text is not JSON (see `problems`). */
  readonly value?: JsonValue;
  readonly root?: JsonNode;
  readonly problems: readonly JsonProblem[];
  /** The span of the value at `pointer`; of its key when `key` is set; the nearest located ancestor otherwise. */
  spanOf(pointer: string, options?: { key?: boolean }): Span;
  /** The span from a start offset to an end offset. */
  spanAt(offset: number, endOffset: number): Span;
}

/** Parses JSON text, remembering where every value and key sits. Never throws. */
export function parseJsonSource(file: string, text: string): JsonSource {
  const lineStarts = computeLineStarts(text);
  const spanAt = (offset: number, endOffset: number): Span => {
    const start = position(lineStarts, offset);
    const end = position(lineStarts, endOffset);
    return { file, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, offset, endOffset };
  };
  const parser = new Parser(text);
  let parsed: { value: JsonValue; node: JsonNode } | undefined;
  try {
    parsed = parser.document();
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    parser.problems.push(error.problem);
  }
  const root = parsed?.node;
  return {
    file,
    text,
    problems: parser.problems,
    ...(parsed === undefined ? {} : { value: parsed.value, root: parsed.node }),
    spanAt,
    spanOf(pointer, options = {}) {
      if (root === undefined) return spanAt(0, 0);
      const found = locate(root, parsePointer(pointer));
      if (found.member !== undefined && options.key === true && found.complete) {
        return spanAt(found.member.keyStart, found.member.keyEnd);
      }
      return spanAt(found.node.start, found.node.end);
    },
  };
}

/** Splits an RFC 6901 pointer into its unescaped segments ("" is the root). */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds a pointer from segments, escaping `~` and `/`. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** The value at a pointer inside a parsed value, or undefined. */
export function valueAt(value: JsonValue | undefined, pointer: string): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const segment of parsePointer(pointer)) {
    if (Array.isArray(current)) current = (current as readonly JsonValue[])[Number(segment)];
    else if (current !== null && typeof current === "object")
      current = Object.hasOwn(current, segment) ? (current as Record<string, JsonValue>)[segment] : undefined;
    else return undefined;
  }
  return current;
}

function locate(
  root: JsonNode,
  segments: readonly string[],
): { node: JsonNode; member?: JsonMember; complete: boolean } {
  let node = root;
  let member: JsonMember | undefined;
  for (const segment of segments) {
    let next: JsonNode | undefined;
    member = undefined;
    if (node.kind === "object") {
      member = membersByKey(node).get(segment);
      next = member?.value;
    } else if (node.kind === "array") {
      next = /^\d+$/.test(segment) ? node.items[Number(segment)] : undefined;
    }
    if (next === undefined) return { node, complete: false };
    node = next;
  }
  return { node, ...(member === undefined ? {} : { member }), complete: true };
}

/** An object node's members by key, the last occurrence winning as in JSON.parse; built once per node. */
const memberIndex = new WeakMap<JsonNode, Map<string, JsonMember>>();

function membersByKey(node: Extract<JsonNode, { kind: "object" }>): Map<string, JsonMember> {
  let index = memberIndex.get(node);
  if (index === undefined) {
    index = new Map();
    for (const m of node.members) index.set(m.key, m);
    memberIndex.set(node, index);
  }
  return index;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

function position(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}

class SyntaxProblem extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

/** Deeper than any real schema; JSON.parse itself fails somewhere past a few thousand. */
const MAX_DEPTH = 256;

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** A recursive-descent JSON parser (RFC 8259) that records offsets. */
class Parser {
  readonly problems: JsonProblem[] = [];
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1; // a byte-order mark is not content
  }

  document(): { value: JsonValue; node: JsonNode } {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail("the file is empty; expected a JSON object");
    const result = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the document`);
    return result;
  }

  private value(): { value: JsonValue; node: JsonNode } {
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === "{" || c === "[") {
      // A bound on nesting keeps hostile input from overflowing the stack (here and in every later walk).
      if (++this.depth > MAX_DEPTH) this.fail(`values nested deeper than ${MAX_DEPTH} levels`);
      const nested = c === "{" ? this.object() : this.array();
      this.depth--;
      return nested;
    }
    if (c === '"') {
      const value = this.string();
      return { value, node: { kind: "scalar", start, end: this.pos } };
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { value, node: { kind: "scalar", start, end: this.pos } };
      }
    }
    return this.fail(`expected a JSON value, found ${this.describe()}`);
  }

  private object(): { value: JsonValue; node: JsonNode } {
    const start = this.pos++;
    const value: Record<string, JsonValue> = {};
    const members: JsonMember[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { value, node: { kind: "object", start, end: this.pos, members } };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') {
        if (this.text[this.pos] === "}" && members.length > 0) this.fail("trailing comma before `}`");
        this.fail(`expected a property name in double quotes, found ${this.describe()}`);
      }
      const keyStart = this.pos;
      const key = this.string();
      const keyEnd = this.pos;
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail(`expected \`:\` after the property name, found ${this.describe()}`);
      this.pos++;
      this.skipSpace();
      const member = this.value();
      if (Object.hasOwn(value, key)) {
        this.problems.push({ offset: keyStart, endOffset: keyEnd, message: `duplicate key`, duplicateKey: key });
      }
      // defineProperty: a key named "__proto__" must stay an ordinary key.
      Object.defineProperty(value, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      members.push({ key, keyStart, keyEnd, value: member.node });
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "}") {
        this.pos++;
        return { value, node: { kind: "object", start, end: this.pos, members } };
      }
      if (next === '"') this.fail("missing `,` before this property");
      this.fail(`expected \`,\` or \`}\` after an object member, found ${this.describe()}`);
    }
  }

  private array(): { value: JsonValue; node: JsonNode } {
    const start = this.pos++;
    const value: JsonValue[] = [];
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { value, node: { kind: "array", start, end: this.pos, items } };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "]" && items.length > 0) this.fail("trailing comma before `]`");
      const item = this.value();
      value.push(item.value);
      items.push(item.node);
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "]") {
        this.pos++;
        return { value, node: { kind: "array", start, end: this.pos, items } };
      }
      if (next !== undefined && /["{[\d-]/.test(next)) this.fail("missing `,` before this element");
      this.fail(`expected \`,\` or \`]\` after an array element, found ${this.describe()}`);
    }
  }

  private string(): string {
    const start = this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === "\n" || c === "\r") {
        this.pos = start;
        this.fail("unterminated string");
      }
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        const e = this.text[this.pos + 1];
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
          continue;
        }
        const escaped = e === undefined ? undefined : ESCAPES[e];
        if (escaped === undefined) this.fail(`invalid escape \`\\${e ?? ""}\` in a string`, 2);
        out += escaped;
        this.pos += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail("control character in a string; escape it (e.g. `\\t`)");
      out += c;
      this.pos++;
    }
  }

  private number(): { value: JsonValue; node: JsonNode } {
    const start = this.pos;
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(start));
    if (match === null) return this.fail(`invalid number`);
    this.pos += match[0].length;
    return { value: Number(match[0]), node: { kind: "scalar", start, end: this.pos } };
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos]!)) this.pos++;
  }

  /** What sits at the current position, for messages: "`x`" or "the end of the file". */
  private describe(): string {
    const c = this.text[this.pos];
    if (c === undefined) return "the end of the file";
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    return `\`${word?.[0] ?? c}\``;
  }

  private fail(message: string, width = 1): never {
    const end = Math.min(this.text.length, this.pos + width);
    throw new SyntaxProblem({ offset: this.pos, endOffset: Math.max(end, this.pos), message });
  }
}
