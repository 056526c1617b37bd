import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: compiling policies in hooks and differential runs take seconds each, many more on a loaded machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
