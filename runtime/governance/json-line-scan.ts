/**
 * A token-level look at one line of JSON that is known to parse: the first
 * thing in it that canonical JSON (RFC 8785) never writes and that
 * JSON.parse hides — whitespace between tokens, or a key repeated in one
 * object (JSON.parse keeps the last; other readers keep the first).
 *
 * In: a JSON text that `JSON.parse` accepts. Out: what was found and its
 * 1-based column, or undefined. Iterative, so any nesting depth is fine.
 * Must not be used on text that does not parse (it does not validate).
 */
import { displayText } from "../display-text.js";

/** What `firstNonCanonicalToken` found. */
export interface NonCanonicalToken {
  readonly what: string;
  readonly column: number;
}

/** The first whitespace outside strings or duplicate key in `text` (valid JSON). */
export function firstNonCanonicalToken(text: string): NonCanonicalToken | undefined {
  // One entry per open container: the keys seen so far (objects) or null (arrays).
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    switch (c) {
      case " ":
      case "\t":
      case "\n":
      case "\r":
        return { what: "whitespace outside strings", column: i + 1 };
      case "{":
        open.push(new Set());
        expectKey = true;
        i++;
        continue;
      case "[":
        open.push(null);
        i++;
        continue;
      case "}":
      case "]":
        open.pop();
        expectKey = false;
        i++;
        continue;
      case ",":
        expectKey = open.at(-1) instanceof Set;
        i++;
        continue;
      case ":":
        i++;
        continue;
      case '"': {
        let end = i + 1;
        while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
        const keys = open.at(-1);
        if (expectKey && keys instanceof Set) {
          const key = JSON.parse(text.slice(i, end + 1)) as string;
          if (keys.has(key)) return { what: `duplicate key \`${displayText(key)}\``, column: i + 1 };
          keys.add(key);
          expectKey = false;
        }
        i = end + 1;
        continue;
      }
      default:
        // A number, true, false or null: up to the next delimiter.
        while (i < text.length && !",]}: \t\n\r".includes(text[i]!)) i++;
    }
  }
  return undefined;
}
