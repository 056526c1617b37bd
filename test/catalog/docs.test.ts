/**
 * docs/catalogs.md stays true: the default request shape it prints is the
 * one agp uses, and every complete catalog it shows loads without a
 * diagnostic. (The import-mcp console example is checked in schema-cli.test.ts.)
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_KEYWORDS,
  DEFAULT_REQUEST_SCHEMA,
  ENFORCED_KEYWORDS,
  REFUSED_KEYWORDS,
  formatJson,
  loadCatalog,
  type JsonValue,
} from "../../compiler/catalog/index.js";

const doc = readFileSync("docs/catalogs.md", "utf8");
const catalogs = [...doc.matchAll(/```json\n(\{\n {2}"\$schema"[\s\S]*?)```/g)].map((m) => m[1]!);

describe("docs/catalogs.md", () => {
  it("prints the default request shape agp really uses", () => {
    expect(doc).toContain(formatJson({ request: DEFAULT_REQUEST_SCHEMA } as unknown as JsonValue));
  });

  it("shows complete catalogs that load clean", () => {
    expect(catalogs.length).toBeGreaterThanOrEqual(2);
    for (const text of catalogs) expect(loadCatalog("doc.json", text).diagnostics).toEqual([]);
  });

  it("says what agp does with every keyword it knows, as does ADR 0010", () => {
    const table = doc.slice(doc.indexOf("### Every keyword, and what agp does with it"), doc.indexOf("**Patterns**"));
    const adr = readFileSync("docs/decisions/0010-catalog-keywords.md", "utf8");
    for (const keyword of [...ANNOTATION_KEYWORDS, ...ENFORCED_KEYWORDS, ...REFUSED_KEYWORDS.keys()]) {
      const named = keyword.startsWith("content") ? "content*" : keyword;
      expect(table, keyword).toContain(`\`${named}`);
      expect(adr, keyword).toContain(keyword.startsWith("content") ? keyword : `\`${keyword}\``);
    }
  });
});
