/**
 * The playground's build (vite): a static page in playground/dist, the
 * compiler in a module worker, binaryen and the stdlib as assets. Built by
 * `npm run playground:build`, served on 127.0.0.1 by `npm run playground`.
 * Not part of `npm run build`.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // binaryen.js is one large module (its wasm inlined); it is loaded once, in the worker.
    chunkSizeWarningLimit: 20_000,
    reportCompressedSize: false,
  },
  worker: { format: "es" },
  server: { host: "127.0.0.1", fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
  preview: { host: "127.0.0.1", port: Number(process.env["PORT"] ?? 4178), strictPort: false },
});
