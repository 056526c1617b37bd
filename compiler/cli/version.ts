/**
 * agp's version, read from its own package.json (found by walking up from
 * this file, so it works from the sources and from dist/ alike).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function agpVersion(): string {
  if (cached !== undefined) return cached;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "agp" && typeof manifest.version === "string") return (cached = manifest.version);
    }
    const parent = dirname(directory);
    if (parent === directory) return (cached = "0.0.0-unknown");
    directory = parent;
  }
}
