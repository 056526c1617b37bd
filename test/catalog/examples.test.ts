/**
 * The example catalogs (examples/schemas) are what users copy and what the
 * example policies are checked against: they must load without a single
 * diagnostic, bound every string and array, and carry the fields and
 * metadata the example policies read.
 */
import { describe, expect, it } from "vitest";
import {
  describeType,
  loadCatalogFiles,
  lookupField,
  matchActions,
  walkType,
  type CatalogSet,
  type FieldType,
} from "../../compiler/catalog/index.js";

const FAMILIES = ["github", "shell", "aws", "deploy", "slack"];
const FILES = [...FAMILIES.map((f) => `examples/schemas/${f}.json`), "examples/schemas/project.json"];
const { set, diagnostics } = await loadCatalogFiles(FILES);

function unbounded(set: CatalogSet): string[] {
  const found: string[] = [];
  const check = (where: string) => (type: FieldType, path: string) => {
    if (type.kind === "string" && type.maxLength === undefined) found.push(`${where} ${path}: string without maxLength`);
    if (type.kind === "array" && type.maxItems === undefined) found.push(`${where} ${path}: array without maxItems`);
  };
  for (const action of set.actions.values()) walkType(action.args, check(action.name));
  for (const part of ["agent", "human", "env", "context"] as const) walkType(set.request[part], check(part));
  return found;
}

function argType(action: string, path: string): string {
  const entry = set.actions.get(action);
  if (entry === undefined) return `no action ${action}`;
  const found = lookupField(entry.args, path.split("."));
  return found.found ? describeType(found.type) : `no field ${path}`;
}

describe("example catalogs", () => {
  it("load without any diagnostic", () => {
    expect(diagnostics).toEqual([]);
  });

  it("declare at least 30 actions across the five families", () => {
    expect(set.actions.size).toBeGreaterThanOrEqual(30);
    for (const family of FAMILIES) expect(matchActions(set, `${family}.*`).length).toBeGreaterThanOrEqual(5);
  });

  it("bound every string and array a policy may inspect", () => {
    expect(unbounded(set)).toEqual([]);
  });

  it("take the request shape from project.json", () => {
    expect(set.request.location.file).toBe("examples/schemas/project.json");
    expect(describeType(set.request.env)).toBe("one of dev, staging, production");
    expect(lookupField(set.request.agent, ["trust"])).toMatchObject({ found: true, type: { kind: "number", integer: true, minimum: 0, maximum: 4 } });
    expect(lookupField(set.request.context, ["ticket"])).toMatchObject({ found: true, optional: ["ticket"] });
  });

  it("give every aws and deploy action readOnly and an ordered costClass", () => {
    for (const action of [...matchActions(set, "aws.*"), ...matchActions(set, "deploy.*")]) {
      expect(typeof action.metadata.get("readOnly")?.value, action.name).toBe("boolean");
      const cost = action.metadata.get("costClass");
      expect(cost?.type, action.name).toMatchObject({ kind: "string", enum: ["low", "medium", "high", "critical"], ordered: true });
    }
    expect(set.actions.get("aws.s3.delete_bucket")?.metadata.get("costClass")?.value).toBe("critical");
    expect(set.actions.get("aws.ec2.describe_instances")?.metadata.get("readOnly")?.value).toBe(true);
  });

  // The fields the example policies (examples/platform) and DESIGN.md read.
  it.each([
    ["github.pull_request.open", "repo", "string"],
    ["github.pull_request.open", "labels", "array of string"],
    ["github.pull_request.merge", "repo", "string"],
    ["github.pull_request.merge", "merge_method", "one of merge, squash, rebase"],
    ["shell.exec", "command", "string"],
    ["shell.exec", "timeout_seconds", "integer"],
    ["shell.exec", "write_paths", "array of string"],
    ["deploy.service.deploy", "environment", "one of dev, staging, production"],
    ["aws.lambda.invoke", "invocation_type", "one of RequestResponse, Event, DryRun"],
  ])("%s has args.%s of type %s", (action, path, type) => {
    expect(argType(action, path)).toBe(type);
  });

  it("give every aws action args.account and args.estimated_cost_usd (for `on aws.*` rules and budgets)", () => {
    for (const action of matchActions(set, "aws.*")) {
      expect(lookupField(action.args, ["account"]), action.name).toMatchObject({ found: true, optional: [] });
      expect(lookupField(action.args, ["estimated_cost_usd"]), action.name).toMatchObject({ found: true, type: { kind: "number" }, optional: [] });
    }
  });

  it("give every deploy action args.service and args.environment (for `per args.service` limits)", () => {
    for (const action of matchActions(set, "deploy.*")) {
      expect(lookupField(action.args, ["service"]), action.name).toMatchObject({ found: true, optional: [] });
      expect(lookupField(action.args, ["environment"]), action.name).toMatchObject({ found: true, optional: [] });
    }
  });
});
