/**
 * Merging catalogs into the set the checker resolves against, the default
 * request shape, and the query helpers (matchActions, lookupField,
 * describeType) the checker builds its messages from.
 */
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_FILE,
  DEFAULT_REQUEST_SHAPE,
  describeType,
  loadCatalog,
  loadCatalogFiles,
  lookupField,
  matchActions,
  mergeCatalogs,
  walkType,
  type Catalog,
} from "../../compiler/catalog/index.js";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";

const HEAD = { $schema: "https://json-schema.org/draft/2020-12/schema" };

function catalog(file: string, document: object): Catalog {
  const { catalog, diagnostics } = loadCatalog(file, JSON.stringify({ ...HEAD, ...document }));
  expect(diagnostics).toEqual([]);
  return catalog!;
}

const aws = catalog("aws.json", {
  family: "aws",
  actions: {
    "s3.get_object": { metadata: { readOnly: true }, args: { type: "object", properties: { bucket: { type: "string", maxLength: 63 } }, required: ["bucket"] } },
    "s3.put_object": { args: { type: "object", properties: { meta: { type: "object", properties: { owner: { type: "string", maxLength: 9 } } } } } },
  },
});
const awsx = catalog("awsx.json", { family: "awsx", actions: { run: { args: { type: "object" } } } });

describe("mergeCatalogs", () => {
  it("indexes actions by full name and applies the default request shape when no catalog declares one", () => {
    const { set, diagnostics } = mergeCatalogs([aws, awsx]);
    expect(diagnostics).toEqual([]);
    expect([...set.actions.keys()]).toEqual(["aws.s3.get_object", "aws.s3.put_object", "awsx.run"]);
    expect(set.request).toBe(DEFAULT_REQUEST_SHAPE);
    expect(set.groups).toBeUndefined();
  });

  it("fills the request parts a project catalog leaves out from the default shape", () => {
    const project = catalog("project.json", { request: { env: { enum: ["dev", "production"] } } });
    const { set } = mergeCatalogs([project]);
    expect(describeType(set.request.env)).toBe("one of dev, production");
    expect(set.request.agent).toBe(DEFAULT_REQUEST_SHAPE.agent);
    expect(set.request.location).toEqual({ file: "project.json", pointer: "/request" });
  });

  it("collects declared approver groups, each once", () => {
    const a = catalog("a.json", { groups: ["sre", "security"] });
    const b = catalog("b.json", { groups: ["security", "finance"], request: {} });
    expect(mergeCatalogs([a, b]).set.groups).toEqual(["sre", "security", "finance"]);
  });
});

describe("loadCatalogFiles", () => {
  it("reads a catalog named by several policies once", async () => {
    const { set, diagnostics, sources } = await loadCatalogFiles([
      "examples/schemas/github.json",
      "examples/../examples/schemas/github.json",
      { path: "./examples/schemas/github.json" },
    ]);
    expect(diagnostics).toEqual([]);
    expect([...sources.keys()]).toEqual(["examples/schemas/github.json"]);
    expect(set.catalogs).toHaveLength(1);
  });

  it("resolves paths against the given working directory and shows them relative to it", async () => {
    const { set } = await loadCatalogFiles(["schemas/aws.json"], { cwd: "examples" });
    expect(set.catalogs[0]?.file).toBe("schemas/aws.json");
  });
});

describe("the default request shape", () => {
  it("has the DESIGN.md fields, all bounded, located in the built-in file", () => {
    expect([...DEFAULT_REQUEST_SHAPE.agent.fields.keys()]).toEqual(["id", "groups", "trust"]);
    expect([...DEFAULT_REQUEST_SHAPE.human.fields.keys()]).toEqual(["id", "groups", "roles"]);
    expect([...DEFAULT_REQUEST_SHAPE.context.fields.keys()]).toEqual(["session", "reasoning", "intent"]);
    expect(describeType(DEFAULT_REQUEST_SHAPE.env)).toBe("string");
    const unbounded: string[] = [];
    for (const part of ["agent", "human", "env", "context"] as const) {
      walkType(DEFAULT_REQUEST_SHAPE[part], (type, path) => {
        if ((type.kind === "string" && type.maxLength === undefined) || (type.kind === "array" && type.maxItems === undefined)) {
          unbounded.push(`${part}.${path}`);
        }
      });
    }
    expect(unbounded).toEqual([]);
    expect(DEFAULT_REQUEST_SHAPE.agent.location).toEqual({ file: BUILT_IN_FILE, pointer: "/request/agent" });
  });
});

describe("matchActions", () => {
  const { set } = mergeCatalogs([aws, awsx]);
  it.each([
    ["aws.*", ["aws.s3.get_object", "aws.s3.put_object"]],
    ["aws.s3.*", ["aws.s3.get_object", "aws.s3.put_object"]],
    ["aws.s3.get_object", ["aws.s3.get_object"]],
    ["aws.s3", []],
    ["awsx.*", ["awsx.run"]],
    ["*", ["aws.s3.get_object", "aws.s3.put_object", "awsx.run"]],
    ["gcp.*", []],
  ])("%s covers %j", (pattern, names) => {
    expect(matchActions(set, pattern).map((a) => a.name)).toEqual(names);
  });
});

describe("lookupField", () => {
  const put = aws.actions[1]!.args;
  it("reads nested fields and lists the optional prefixes that need `has`", () => {
    expect(lookupField(put, ["meta", "owner"])).toMatchObject({ found: true, type: { kind: "string", maxLength: 9 }, optional: ["meta", "meta.owner"] });
    expect(lookupField(aws.actions[0]!.args, ["bucket"])).toMatchObject({ found: true, optional: [] });
  });

  it("says which segment is unknown and what the object has", () => {
    expect(lookupField(put, ["meta", "ownr"])).toMatchObject({ found: false, at: 1, reason: "unknown-field", candidates: ["owner"] });
  });

  it("says when a path reads into something that is not an object", () => {
    expect(lookupField(put, ["meta", "owner", "x"])).toMatchObject({ found: false, at: 2, reason: "not-an-object", parent: { kind: "string" } });
  });
});

describe("catalog format edge cases", () => {
  it("refuses a catalog with neither actions, request, groups nor obligations", () => {
    const { catalog, diagnostics } = loadCatalog("empty.json", JSON.stringify(HEAD));
    expect(catalog).toBeUndefined();
    expect(diagnostics.map((d) => d.message)).toEqual([
      "invalid catalog at the top level: a catalog declares `actions` (with a `family`), a `request` shape, approver `groups`, `obligations`, or several of these",
    ]);
  });

  it("refuses args that are not an object schema, and reserved metadata keys", () => {
    const text = JSON.stringify({ ...HEAD, family: "f", metadata: { name: {} }, actions: { a: { args: { type: "string" } } } });
    expect(loadCatalog("f.json", text).diagnostics.map((d) => d.message)).toEqual([
      "invalid catalog at `/metadata/name`: `name` is reserved: `action.name` is the action's full name",
      'invalid catalog at `/actions/a/args/type`: must be `"object"`',
    ]);
  });

  it("takes a metadata value from the declaration's default", () => {
    const c = catalog("c.json", { family: "c", metadata: { tier: { type: "integer", default: 2 } }, actions: { a: { args: { type: "object" } } } });
    expect(c.actions[0]?.metadata.get("tier")?.value).toBe(2);
    expect(c.actions[0]?.metadata.get("readOnly")?.value).toBe(false);
  });

  it("accepts args given as a $ref to a definition", () => {
    const c = catalog("r.json", {
      family: "r",
      $defs: { target: { type: "object", properties: { repo: { type: "string", maxLength: 9 } } } },
      actions: { a: { args: { $ref: "#/$defs/target" } } },
    });
    expect([...(c.actions[0]?.args.fields.keys() ?? [])]).toEqual(["repo"]);
  });
});

describe("obligations declared in two catalogs (ADR 0029)", () => {
  it("AGP402 when one name is declared differently, naming both places", () => {
    const a = `${JSON.stringify({ ...HEAD, family: "a", obligations: { max_runtime_seconds: { type: "integer", merge: "min" } }, actions: { run: { args: { type: "object" } } } }, null, 2)}\n`;
    const b = `${JSON.stringify({ ...HEAD, family: "b", obligations: { max_runtime_seconds: { type: "integer", merge: "max" } }, actions: { run: { args: { type: "object" } } } }, null, 2)}\n`;
    const sources = new Map([["a.json", a], ["b.json", b]]);
    const loaded = [loadCatalog("a.json", a).catalog!, loadCatalog("b.json", b).catalog!];
    const { diagnostics } = mergeCatalogs(loaded, sources);
    expect(renderDiagnostics(diagnostics, sources)).toMatchInlineSnapshot(`
      "b.json:5:5: error AGP402: invalid catalog at \`/obligations/max_runtime_seconds\`: obligation \`max_runtime_seconds\` is declared differently in \`a.json\`
        5 |     "max_runtime_seconds": {
          |     ^^^^^^^^^^^^^^^^^^^^^
        a.json:5:5: note: first declared here
          5 |     "max_runtime_seconds": {
            |     ^^^^^^^^^^^^^^^^^^^^^
        help: see docs/catalogs.md for the catalog format

      1 error, 0 warnings
      "
    `);
  });

  it("nothing when both declare it the same", () => {
    const doc = { family: "a", obligations: { dry_run: { type: "boolean", merge: "or" } }, actions: { run: { args: { type: "object" } } } };
    const { diagnostics } = mergeCatalogs([catalog("a.json", doc), catalog("b.json", { ...doc, family: "b" })]);
    expect(diagnostics).toEqual([]);
  });
});
