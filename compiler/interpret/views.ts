/**
 * The reference meaning of the built-in string views and the path test
 * (ADR 0028), written from the ADR, independently of the compiler's
 * (compiler/check/views.ts) and the stdlib's (stdlib/views.ts) versions:
 * differential tests hold the three to one meaning.
 *
 * In: strings (well-formed, as validation guarantees). Out: strings and
 * booleans. Works on UTF-16 code units: every character these functions
 * look at (`A`–`Z`, `@`, `.`, `/`, NUL) is ASCII, and an ASCII unit never
 * occurs inside another character's encoding, in UTF-16 or in UTF-8, so the
 * answers equal those computed on UTF-8 bytes. Must not read anything else.
 */

/** `lower(s)`: `A`–`Z` become `a`–`z`; nothing else changes. */
export function lowerView(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    out += unit >= 0x41 && unit <= 0x5a ? String.fromCharCode(unit + 0x20) : s[i]!;
  }
  return out;
}

/** `domain(s)`: after the last `@`, lowered, one trailing `.` dropped; `""` without `@`. */
export function domainView(s: string): string {
  const at = s.lastIndexOf("@");
  if (at === -1) return "";
  let host = lowerView(s.substring(at + 1));
  if (host.length > 0 && host.charCodeAt(host.length - 1) === 0x2e) host = host.substring(0, host.length - 1);
  return host;
}

/**
 * `normpath(s)`: `""` for a relative path or one holding NUL; else `/` and
 * the segments left after dropping empty and `.` segments and letting each
 * `..` remove the one before it (never above the root).
 */
export function normpathView(s: string): string {
  if (s.length === 0 || s.charCodeAt(0) !== 0x2f || s.indexOf("\u0000") !== -1) return "";
  const stack: string[] = [];
  let start = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) !== 0x2f) continue;
    const segment = s.substring(start, i);
    start = i + 1;
    if (segment.length === 0 || segment === ".") continue;
    if (segment === "..") {
      if (stack.length > 0) stack.length -= 1;
    } else stack.push(segment);
  }
  return "/" + stack.join("/");
}

/** A view by name; undefined for a name that is not a view. */
export function applyViewByName(name: string, s: string): string | undefined {
  if (name === "lower") return lowerView(s);
  if (name === "domain") return domainView(s);
  if (name === "normpath") return normpathView(s);
  return undefined;
}

/** `s under base`: the normal form of `s` is `base` or lies below it. `base` is normalised here too. */
export function underBase(s: string, base: string): boolean {
  const path = normpathView(s);
  const root = normpathView(base);
  if (path === "" || root === "") return false;
  if (root === "/") return true;
  return path === root || path.startsWith(root + "/");
}
