import { it } from "vitest";
import { readdirSync } from "node:fs";
import { loadCatalogFiles } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { parse } from "../../compiler/syntax/index.js";
import { generateCompilable } from "./generate-policy.js";
import { pairOf } from "./harness.js";
it("why", async () => {
  const schemas = readdirSync("examples/schemas").filter((f) => f.endsWith(".json")).sort().map((f) => `examples/schemas/${f}`);
  const loaded = await loadCatalogFiles(schemas);
  const g = generateCompilable(Number(process.env.SEED), loaded.set);
  const parsed = parse(g.text, "gen.agp");
  const r = check({ files: [parsed.file], catalogs: loaded.set });
  const pair = pairOf(r.checked!, loaded.set);
  const req = JSON.parse(process.env.REQ!);
  console.log(JSON.stringify(pair.interpreter.decide(req[0], req[1])));
  console.log(JSON.stringify(pair.engine.decide(req[0], req[1])));
  if (process.env.IR) { const { printIr } = await import("../../compiler/ir/index.js"); console.log(printIr(pair.compiled.ir)); }
});
