/**
 * The catalogs generated tests draw policies and requests from: the shipped
 * example catalogs, plus test/fixtures/catalog/types/all-types.json, which
 * has every type the catalog model has (nullable arrays and objects, unions,
 * exclusive oneOfs) and every keyword the engines enforce, so that generated
 * policies and requests reach them (issue 11: the nullable-array
 * disagreement went unseen because no generated policy had one).
 */
import { readdirSync } from "node:fs";

/** The example catalogs, sorted. */
export const EXAMPLE_SCHEMAS = readdirSync("examples/schemas").filter((f) => f.endsWith(".json")).sort().map((f) => `examples/schemas/${f}`);

/** The catalog of every type and keyword. */
export const ALL_TYPES_SCHEMA = "test/fixtures/catalog/types/all-types.json";

/** What generated policies are checked against. */
export const GENERATED_SCHEMAS = [...EXAMPLE_SCHEMAS, ALL_TYPES_SCHEMA];
