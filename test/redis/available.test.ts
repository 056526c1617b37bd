/**
 * The shared-state tests skip where `redis-server` is missing (a developer
 * machine without Debian's package); in CI, where `npm test` installs it
 * (scripts/test-deps.sh), a missing server must fail the run instead of
 * quietly skipping every Redis test.
 */
import { describe, expect, it } from "vitest";
import { hasRedis } from "../support/redis-server.js";

describe("redis-server for the shared-state tests", () => {
  it.runIf(process.env["CI"] === "true")("is installed in CI", () => {
    expect(hasRedis).toBe(true);
  });
});
