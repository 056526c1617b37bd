/**
 * The built-in string views and the path test, as the compiler sees them:
 * `lower(s)`, `domain(s)`, `normpath(s)` and `s under "/base"`
 * (docs/decisions/0028-string-views-and-paths.md).
 *
 * In: strings known at compile time (literals, constants). Out: the view's
 * value, whether a literal can ever equal a view's value, a base path in
 * normal form. Used by the checker (literal checks) and by lowering (folding
 * views of literals). The reference interpreter has its own implementation
 * (compiler/interpret/views.ts) and the module the stdlib's
 * (stdlib/views.ts): differential tests hold the three to one meaning.
 * Must not report diagnostics or know about types.
 *
 * Meanings, exactly:
 * - `lower(s)`: every ASCII letter `A`–`Z` becomes `a`–`z`; every other
 *   code point stays as it is (no Unicode case folding, no normalisation).
 * - `domain(s)`: the part after the last `@`, lowered as above, with one
 *   trailing `.` dropped; `""` when `s` has no `@`.
 * - `normpath(s)`: `""` unless `s` starts with `/` and holds no NUL;
 *   otherwise `/` followed by the segments between `/`s, with empty and `.`
 *   segments dropped and each `..` removing the segment before it (`..` at
 *   the root stays at the root). Backslashes and `%` are ordinary
 *   characters. The result never ends with `/` unless it is `/`.
 * - `s under b`: `normpath(s)` is not `""` and equals `b` or starts with
 *   `b + "/"` (`b` in normal form; every absolute path is under `/`).
 */

/** The built-in views, in the order docs list them. */
export const VIEW_NAMES = ["lower", "domain", "normpath"] as const;

/** A built-in view's name. */
export type ViewName = (typeof VIEW_NAMES)[number];

/** True when `name` is a built-in view. */
export function isViewName(name: string): name is ViewName {
  return (VIEW_NAMES as readonly string[]).includes(name);
}

/** ASCII lower case: `A`–`Z` to `a`–`z`, nothing else changes. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** The value of a view of a known string. */
export function applyView(view: ViewName, s: string): string {
  switch (view) {
    case "lower":
      return asciiLower(s);
    case "domain": {
      const at = s.lastIndexOf("@");
      if (at < 0) return "";
      const host = asciiLower(s.slice(at + 1));
      return host.endsWith(".") ? host.slice(0, -1) : host;
    }
    case "normpath":
      return normalPath(s);
  }
}

/** `normpath`: see the header. */
export function normalPath(s: string): string {
  if (!s.startsWith("/") || s.includes("\u0000")) return "";
  const kept: string[] = [];
  for (const segment of s.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") kept.pop();
    else kept.push(segment);
  }
  return `/${kept.join("/")}`;
}

/** `s under base`, `base` already in normal form. */
export function isUnder(s: string, base: string): boolean {
  const path = normalPath(s);
  if (path === "") return false;
  return base === "/" || path === base || path.startsWith(`${base}/`);
}

/**
 * Why a literal can never be the value of a view (so `view == literal` is
 * always false), or undefined when it can be: the literal must be a value
 * the view produces, i.e. the view must leave it unchanged.
 */
export function outsideView(view: ViewName, literal: string): string | undefined {
  switch (view) {
    case "lower":
      return /[A-Z]/.test(literal) ? "it has upper-case letters, which `lower` never returns" : undefined;
    case "domain":
      if (literal.includes("@")) return "it holds an `@`, which `domain` never returns";
      if (/[A-Z]/.test(literal)) return "it has upper-case letters, which `domain` never returns";
      if (literal.endsWith(".")) return "it ends with `.`, which `domain` drops";
      return undefined;
    case "normpath":
      if (literal === "") return undefined;
      return normalPath(literal) === literal ? undefined : "it is not a path in normal form, which `normpath` always returns";
  }
}

/** The literal as the view would have it (the help's suggestion), or undefined when there is none. */
export function suggestedLiteral(view: ViewName, literal: string): string | undefined {
  const fixed = view === "normpath" ? normalPath(literal) : view === "domain" ? applyView("domain", `@${literal.split("@").pop() ?? ""}`) : asciiLower(literal);
  return fixed === "" || fixed === literal ? undefined : fixed;
}

/** Why a base path cannot be used with `under`, or undefined when it can. */
export function badBase(base: string): string | undefined {
  if (!base.startsWith("/")) return "does not start with `/`";
  if (base.includes("\u0000")) return "holds a NUL character";
  return undefined;
}
