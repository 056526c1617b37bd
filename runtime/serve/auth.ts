/**
 * Who may call what: bearer tokens for admin and decision endpoints.
 *
 * In: the tokens given at start (from a file or the environment, never
 * argv), a request's `Authorization` header, the endpoint's level. Out:
 * nothing when allowed, else an `HttpError` (401 with `WWW-Authenticate`,
 * or 403 when admin endpoints are disabled). Tokens are compared in
 * constant time over their SHA-256 digests, so neither the content nor the
 * length of a token leaks through timing.
 * Must not log or echo a token.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HttpError } from "./http.js";

/** Who an endpoint is for. */
export type AccessLevel = "open" | "decision" | "admin";

/** The tokens a server checks (undefined: not configured). */
export interface AccessTokens {
  /** Approve, reject, kill switch, reload, audit, approval lists. */
  readonly admin: string | undefined;
  /** Check, report, AuthZEN, ticket status; when undefined these endpoints are open. */
  readonly decision: string | undefined;
}

/** Throws unless the request may use an endpoint of this level. */
export function authorize(level: AccessLevel, header: string | undefined, tokens: AccessTokens): void {
  if (level === "open") return;
  const given = bearerOf(header);
  const isAdmin = tokens.admin !== undefined && given !== undefined && same(given, tokens.admin);
  if (level === "admin") {
    if (tokens.admin === undefined) {
      throw new HttpError(403, "admin_disabled", "admin endpoints are disabled: start agp serve with --admin-token-file or AGP_ADMIN_TOKEN");
    }
    if (!isAdmin) throw unauthorized("admin");
    return;
  }
  if (tokens.decision === undefined || isAdmin) return;
  if (given === undefined || !same(given, tokens.decision)) throw unauthorized("decision");
}

function unauthorized(which: "admin" | "decision"): HttpError {
  return new HttpError(401, "unauthorized", `this endpoint needs \`Authorization: Bearer <${which} token>\``, { "www-authenticate": 'Bearer realm="agp"' });
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return m?.[1];
}

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** A token from a file (first line, trimmed) or an environment variable; the file wins. Throws for an empty token. */
export function tokenFrom(fileText: string | undefined, env: string | undefined, what: string): string | undefined {
  const value = fileText !== undefined ? (fileText.split(/\r?\n/)[0] ?? "").trim() : env?.trim();
  if (value === undefined) return undefined;
  if (value.length < 16) throw new Error(`the ${what} token must be at least 16 characters`);
  return value;
}
