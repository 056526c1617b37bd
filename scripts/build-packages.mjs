#!/usr/bin/env node
// After `tsc -p tsconfig.build.json` (npm run build): lays out the two
// packages this repository publishes (docs/decisions/0037-packages.md).
// - @agp/runtime (packages/runtime): its dist/ is a copy of dist/runtime/,
//   the runtime compiled once with the rest, so both packages hold the same
//   code.
// - agp (the root): dist/exports/<name>.js re-export @agp/runtime's entry
//   points, so `agp/runtime` and `@agp/runtime` are one module instance in a
//   program that imports both; the project file's meta-schema is copied
//   beside its loader (tsc copies only JSON it imports).
// Must not compile anything, and must fail loudly if dist/ is missing.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "runtime");
if (!existsSync(join(built, "index.js"))) {
  console.error("build-packages: dist/runtime/index.js is missing; run `tsc -p tsconfig.build.json` first");
  process.exit(1);
}

const runtimeDist = join(root, "packages", "runtime", "dist");
rmSync(runtimeDist, { recursive: true, force: true });
cpSync(built, runtimeDist, { recursive: true, filter: (source) => !/\.(tsbuildinfo|map)$/.test(source) });

/** agp's subpath → @agp/runtime's. */
const shims = { runtime: "@agp/runtime", governance: "@agp/runtime/governance", node: "@agp/runtime/node", redis: "@agp/runtime/redis", bundle: "@agp/runtime/bundle", serve: "@agp/runtime/serve" };
const exportsDir = join(root, "dist", "exports");
mkdirSync(exportsDir, { recursive: true });
for (const [name, target] of Object.entries(shims)) {
  const text = `// \`agp/${name}\` is \`${target}\`: one copy of the runtime, whichever name a program imports it by.\nexport * from "${target}";\n`;
  writeFileSync(join(exportsDir, `${name}.js`), text);
  writeFileSync(join(exportsDir, `${name}.d.ts`), text);
}

const schema = join("compiler", "config", "project.schema.json");
mkdirSync(join(root, "dist", dirname(schema)), { recursive: true });
cpSync(join(root, schema), join(root, "dist", schema));
