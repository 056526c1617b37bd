/**
 * HTTP primitives for agp serve: reading a JSON body within limits, and
 * writing JSON answers and errors in one shape.
 *
 * In: Node's request and response objects, limits (bytes, time, nesting).
 * Out: `readJson` (the parsed value, or an `HttpError` saying exactly what
 * was wrong: 400 bad JSON or too deep, 408 too slow, 413 too large, 415 or
 * 400 wrong content type), `sendJson`, `sendError`. Every error body is
 * `{"error": {"code", "message"}}`.
 * Must not buffer more than the byte limit, wait longer than the time
 * limit, or let a malformed body reach a handler.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A request that cannot be served, with the status and code to answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Limits on one request body. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive, in ms. */
  readonly timeoutMs: number;
  /** Deepest nesting of arrays and objects accepted. */
  readonly maxDepth: number;
  /** Status for a content type other than JSON (415; AuthZEN asks for 400). */
  readonly contentTypeStatus: 400 | 415;
}

/** Reads and parses a JSON body; throws `HttpError` for anything malformed. */
export async function readJson(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    throw new HttpError(limits.contentTypeStatus, "unsupported_media_type", `the body must be JSON: send \`Content-Type: application/json\`${type === "" ? "" : `, not \`${type}\``}`);
  }
  const declared = Number(req.headers["content-length"] ?? "NaN");
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    req.resume();
    throw new HttpError(413, "body_too_large", `the body is ${declared} bytes; at most ${limits.maxBytes} are accepted`, { connection: "close" });
  }
  const text = await readText(req, limits);
  if (text.trim() === "") throw new HttpError(400, "empty_body", "the body is empty; send a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "bad_json", `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const depth = depthOf(value, limits.maxDepth);
  if (depth > limits.maxDepth) throw new HttpError(400, "too_deep", `the body nests arrays and objects deeper than ${limits.maxDepth} levels`);
  return value;
}

/** The body as UTF-8 text, within the byte and time limits. */
function readText(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: HttpError | undefined, text?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (error !== undefined) {
        req.resume(); // drain what is left so the socket can carry the error answer
        reject(error);
      } else resolve(text!);
    };
    const timer = setTimeout(() => finish(new HttpError(408, "request_timeout", `the body did not arrive within ${limits.timeoutMs} ms`, { connection: "close" })), limits.timeoutMs);
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish(new HttpError(413, "body_too_large", `the body is larger than ${limits.maxBytes} bytes`, { connection: "close" }));
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const bytes = Buffer.concat(chunks);
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return finish(new HttpError(400, "bad_json", "the body is not valid UTF-8"));
      }
      finish(undefined, text);
    };
    const onError = (): void => finish(new HttpError(400, "bad_request", "the request body could not be read"));
    const onAborted = (): void => finish(new HttpError(400, "bad_request", "the client aborted the request"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/** How deep `value` nests (a scalar is 0, `{}` is 1), counting no further than `limit + 1`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return deepest;
}

/** Writes a JSON answer (no caching: decisions are never cacheable). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes `{"error": {"code", "message"}}`. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** A plain object, or an `HttpError` (400) naming `what`. */
export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "invalid_request", `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** A non-empty string of at most `max` characters, or an `HttpError` (400). */
export function stringOf(value: unknown, what: string, max = 256): string {
  if (typeof value !== "string" || value === "" || value.length > max) throw new HttpError(400, "invalid_request", `${what} must be a non-empty string of at most ${max} characters`);
  return value;
}
