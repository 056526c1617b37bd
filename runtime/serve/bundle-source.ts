/**
 * Where a served policy comes from, and how a new version is taken in.
 *
 * In: a location (a file path or an http(s) URL), the trusted public key
 * files, the revocation file (re-read at every load, so revoking a key needs
 * no restart), whether unsigned modules are allowed. Out: `BundleSource`,
 * whose `load()` reads the location and answers `loaded` (a verified,
 * loaded engine), `unchanged` (the same bytes as now) or `refused` (a
 * `BundleError` code and message), and whose `watch()` calls back when the
 * file changes (fs.watch on its directory, debounced) or, for a URL, polls
 * it (bounded: a minimum interval, a timeout and a size cap per fetch,
 * ETag-aware).
 * Must not swap anything itself (the server does, between requests) and
 * must never replace a loaded engine with one that failed any check.
 */
import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { BundleError, importPublicKey, loadBundle, splitBundle, type BundleMetadata, type TrustedKey } from "../bundle/index.js";
import { loadPolicy, type PolicyEngine } from "../index.js";

/** A policy in use. */
export interface ServedPolicy {
  readonly engine: PolicyEngine;
  /** Present for a signed bundle. */
  readonly metadata: BundleMetadata | undefined;
  /** SHA-256 of the file's bytes (to tell an unchanged file from a new one). */
  readonly bytes: string;
  readonly loadedAt: string;
}

/** What one `load` did. */
export type LoadOutcome =
  | { readonly result: "loaded"; readonly policy: ServedPolicy }
  | { readonly result: "unchanged"; readonly policy: ServedPolicy }
  | { readonly result: "refused"; readonly code: string; readonly message: string };

/** Options for a `BundleSource`. */
export interface BundleSourceOptions {
  /** A file path or an http(s) URL. */
  readonly location: string;
  /** Public key files (PEM) whose signatures are trusted. */
  readonly trustedKeyFiles: readonly string[];
  /** A file of revoked key ids, one per line (`#` comments). */
  readonly revokedFile?: string;
  readonly allowUnsigned: boolean;
  /** For a URL: how often to poll (ms, at least 1000). */
  readonly pollMs?: number;
  /** Largest bundle accepted (bytes). */
  readonly maxBytes?: number;
  /** For a URL: how long one fetch may take (ms). */
  readonly fetchTimeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** One policy location: the live bundle, or the shadow candidate. */
export class BundleSource {
  private keys: TrustedKey[] | undefined;
  private etag: string | undefined;
  private lastBytes: Uint8Array | undefined;
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: BundleSourceOptions) {}

  /** Whether the location is a URL (polled) rather than a file (watched). */
  get isUrl(): boolean {
    return /^https?:\/\//i.test(this.options.location);
  }

  get location(): string {
    return this.options.location;
  }

  /**
   * Reads the location and loads what is there, unless it is the policy in
   * use (`current`). A signed bundle must be newer than `floor` (the version
   * running, or the highest this state has run).
   */
  async load(current: ServedPolicy | undefined, floor: string | undefined): Promise<LoadOutcome> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.read();
    } catch (error) {
      return { result: "refused", code: "unreadable", message: `cannot read ${this.options.location}: ${messageOf(error)}` };
    }
    if (bytes === undefined) {
      if (current === undefined) return { result: "refused", code: "unreadable", message: `${this.options.location} answered 304 before any bundle was loaded` };
      return { result: "unchanged", policy: current };
    }
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (current !== undefined && digest === current.bytes) return { result: "unchanged", policy: current };
    try {
      const policy = await this.verify(bytes, digest, floor);
      return { result: "loaded", policy };
    } catch (error) {
      if (error instanceof BundleError) return { result: "refused", code: error.code, message: error.message };
      return { result: "refused", code: "invalid_module", message: messageOf(error) };
    }
  }

  private async verify(bytes: Uint8Array, digest: string, floor: string | undefined): Promise<ServedPolicy> {
    const loadedAt = new Date().toISOString();
    if (splitBundle(bytes).envelope === undefined) {
      if (!this.options.allowUnsigned) {
        throw new BundleError("unsigned", `${this.options.location} is not a signed bundle; sign it with \`agp bundle sign\`, or start agp serve with --allow-unsigned (development only)`);
      }
      return { engine: await loadPolicy(bytes), metadata: undefined, bytes: digest, loadedAt };
    }
    const revoked = await this.revoked();
    const loaded = await loadBundle(bytes, { trust: { keys: await this.trustedKeys(), revoked }, ...(floor === undefined ? {} : { running: floor }) });
    return { engine: loaded.engine, metadata: loaded.metadata, bytes: digest, loadedAt };
  }

  /**
   * Calls `changed` when the location may hold a new bundle: file changes
   * (debounced 150 ms), or every poll of a URL. Idempotent.
   */
  watch(changed: () => void): void {
    if (this.watcher !== undefined || this.timer !== undefined) return;
    if (this.isUrl) {
      const every = Math.max(1000, this.options.pollMs ?? 30_000);
      const tick = (): void => {
        changed();
        this.timer = setTimeout(tick, every);
      };
      this.timer = setTimeout(tick, every);
      return;
    }
    const path = resolve(this.options.location);
    const name = basename(path);
    let debounce: ReturnType<typeof setTimeout> | undefined;
    this.watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && file !== name) return;
      if (debounce !== undefined) clearTimeout(debounce);
      debounce = setTimeout(changed, 150);
    });
    this.watcher.on("error", () => undefined); // a vanished directory: reloads go on through SIGHUP and POST /v1/reload
  }

  /** Stops watching and polling. */
  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async read(): Promise<Uint8Array | undefined> {
    const max = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!this.isUrl) {
      const bytes = new Uint8Array(await readFile(resolve(this.options.location)));
      if (bytes.length > max) throw new Error(`the bundle is ${bytes.length} bytes; at most ${max} are accepted`);
      return bytes;
    }
    const response = await fetch(this.options.location, {
      headers: this.etag === undefined ? {} : { "if-none-match": this.etag },
      signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 10_000),
      redirect: "error",
    });
    if (response.status === 304 && this.lastBytes !== undefined) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "NaN");
    if (declared > max) {
      await response.body?.cancel();
      throw new Error(`the bundle is ${declared} bytes; at most ${max} are accepted`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    for (;;) {
      const part = reader === undefined ? { done: true as const, value: undefined } : await reader.read();
      if (part.done) break;
      size += part.value.length;
      if (size > max) {
        await reader?.cancel();
        throw new Error(`the bundle is larger than ${max} bytes`);
      }
      chunks.push(part.value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.etag = response.headers.get("etag") ?? undefined;
    this.lastBytes = bytes;
    return bytes;
  }

  private async trustedKeys(): Promise<TrustedKey[]> {
    if (this.keys === undefined) {
      const keys: TrustedKey[] = [];
      for (const file of this.options.trustedKeyFiles) {
        try {
          keys.push(await importPublicKey(await readFile(resolve(file), "utf8")));
        } catch (error) {
          throw new BundleError("bad_key", `trusted key ${file}: ${messageOf(error)}`);
        }
      }
      this.keys = keys;
    }
    return this.keys;
  }

  private async revoked(): Promise<string[]> {
    if (this.options.revokedFile === undefined) return [];
    let text: string;
    try {
      text = await readFile(resolve(this.options.revokedFile), "utf8");
    } catch (error) {
      // Fail closed: an unreadable revocation list refuses every bundle rather than trusting a revoked key.
      throw new BundleError("revoked_key", `cannot read the revocation list ${this.options.revokedFile}: ${messageOf(error)}`);
    }
    return text.split(/\r?\n/).map((line) => line.replace(/#.*/, "").trim()).filter((line) => line !== "");
  }
}

function messageOf(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  return error instanceof Error ? error.message : String(error);
}
