import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CST_TYPES_PATH, cstTypesSource } from "./cst-dts.js";

describe("cst.generated.d.ts", () => {
  it("matches the grammar (UPDATE_GOLDEN=1 regenerates it)", () => {
    const fresh = cstTypesSource();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(CST_TYPES_PATH, fresh);
    const current = readFileSync(CST_TYPES_PATH, "utf8");
    expect(current, "the CST types are stale: run UPDATE_GOLDEN=1 npx vitest run test/syntax/cst-types.test.ts").toBe(fresh);
  });
});
