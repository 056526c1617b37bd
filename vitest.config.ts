import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Hooks compile policies or start `agp serve`; on a loaded 2-core machine that can pass 10 s.
    hookTimeout: 60_000,
    pool: "forks",
  },
});
