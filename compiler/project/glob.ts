/**
 * Globs over project paths, for `ignore` and `suppress` in agp.json.
 *
 * In: a pattern and a path, both relative to the project root, with `/`
 * separators. Out: whether the pattern names the path or one of the
 * directories it is in. `*` is any run of characters but `/`, `?` one such
 * character, `**` any run of whole path segments; a pattern without `/`
 * matches at any depth (as in .gitignore: `*.draft.agp`, `fixtures`); a
 * trailing `/` is dropped. Nothing else is special. Compiled to a regular
 * expression; patterns come from the project's own file and paths are a
 * few segments long, so `**` backtracking stays small.
 * Must not touch the file system.
 */

/** A compiled glob. */
export interface Glob {
  readonly pattern: string;
  /** Whether the pattern names `path` or a directory `path` is inside. */
  matches(path: string): boolean;
}

/** Compiles `pattern`; patterns are short, so no cache. */
export function compileGlob(pattern: string): Glob {
  let body = pattern.replace(/\/+$/, "").replace(/^\.\//, "");
  const anchored = body.includes("/");
  if (body.startsWith("/")) body = body.slice(1);
  const source = translate(body);
  const regex = new RegExp(`^${anchored ? "" : "(?:[^/]*/)*?"}${source}$`, "s");
  return {
    pattern,
    matches(path) {
      const segments = path.split("/").filter((s) => s !== "" && s !== ".");
      for (let n = segments.length; n >= 1; n--) {
        if (regex.test(segments.slice(0, n).join("/"))) return true;
      }
      return false;
    },
  };
}

function translate(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const before = i === 0 || glob[i - 1] === "/";
      const after = i + 2 === glob.length || glob[i + 2] === "/";
      i++;
      if (before && after) {
        // `**/` matches zero or more whole segments; a final `**` anything below.
        if (glob[i + 1] === "/") {
          out += "(?:[^/]*/)*?";
          i++;
        } else out += ".*";
      } else out += "[^/]*";
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[\\^$.|+(){}[\]]/g, "\\$&");
  }
  return out;
}
