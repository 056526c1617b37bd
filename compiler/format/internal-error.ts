/**
 * The one way the formatter reports its own bugs.
 *
 * In: what went wrong. Out: a thrown Error whose message says this is a bug
 * in agp and asks for an issue. Never used for mistakes in the user's policy:
 * those are diagnostics.
 */

/** Thrown when the formatter would change a policy's meaning or lose a comment. */
export class FormatInternalError extends Error {
  override readonly name = "FormatInternalError";
}

/** Throws a FormatInternalError with the standard "please file an issue" wording. */
export function internalError(what: string): never {
  throw new FormatInternalError(
    `internal error in agp fmt: ${what}; this is a bug in agp, not in your policy: ` +
      "please file an issue with the file that caused it (the file was left unchanged)",
  );
}
