/**
 * Test harness for the reference interpreter: .agp text and small catalogs
 * in (through the real parser, catalog loader and type checker), an
 * interpreter out; plus
 * a default catalog and request builder so each test states only what it is about.
 */
import { loadCatalog, mergeCatalogs, type Catalog } from "../../compiler/catalog/index.js";
import { check } from "../../compiler/check/index.js";
import { parse, type PolicyFile } from "../../compiler/syntax/index.js";
import { interpretChecked, interpretFiles, type Interpreter } from "../../compiler/interpret/index.js";

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";

/** Catalogs used by most tests: github, shell, aws (with an ordered `costClass`), deploy. */
export const CATALOGS: Record<string, object> = {
  "github.json": {
    $schema: SCHEMA,
    family: "github",
    actions: {
      "pull_request.open": {
        args: {
          type: "object",
          properties: {
            repo: { type: "string", maxLength: 128 },
            title: { type: "string", maxLength: 256 },
            labels: { type: "array", items: { type: "string", maxLength: 32 }, maxItems: 8 },
            draft: { type: "boolean" },
          },
          required: ["repo"],
          additionalProperties: false,
        },
      },
      "pull_request.merge": {
        args: {
          type: "object",
          properties: { repo: { type: "string", maxLength: 128 }, number: { type: "integer", minimum: 1 } },
          required: ["repo", "number"],
          additionalProperties: false,
        },
      },
      "issue.read": { args: { type: "object", properties: {} }, metadata: { readOnly: true } },
    },
  },
  "shell.json": {
    $schema: SCHEMA,
    family: "shell",
    actions: {
      exec: {
        args: {
          type: "object",
          properties: {
            command: { type: "string", maxLength: 4096 },
            timeout_seconds: { type: "integer", minimum: 1, maximum: 3600 },
            write_paths: { type: "array", items: { type: "string", maxLength: 256 }, maxItems: 16 },
            mode: { enum: ["read", "write"] },
            note: { type: ["string", "null"], maxLength: 16 },
            bcc: { type: ["array", "null"], items: { type: "string", maxLength: 64 }, maxItems: 4 },
            owner: { type: ["object", "null"], properties: { team: { type: "string", maxLength: 32 } }, required: ["team"] },
            // One field per keyword every engine enforces (ADR 0010); the shared refusal cases use them.
            repo: { type: "string", minLength: 3, maxLength: 140, pattern: "^[a-z0-9-]+/[a-z0-9-]+$" },
            paths: { type: "array", items: { type: "string", maxLength: 64 }, minItems: 1, maxItems: 4, uniqueItems: true },
            ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
            amount: { type: "number", minimum: 0, multipleOf: 0.5 },
            labels: { type: "object", additionalProperties: { type: "string", maxLength: 8 }, minProperties: 1, maxProperties: 3 },
            change: {
              type: "object",
              properties: { ticket: { type: "string", maxLength: 16 }, approver: { type: "string", maxLength: 16 } },
              dependentRequired: { ticket: ["approver"] },
              additionalProperties: false,
            },
            target: { oneOf: [{ type: "string", maxLength: 5 }, { type: "string", pattern: "^x" }] },
          },
          required: ["command", "timeout_seconds", "write_paths"],
        },
      },
    },
  },
  "aws.json": {
    $schema: SCHEMA,
    family: "aws",
    metadata: { costClass: { enum: ["low", "medium", "high"], "x-agp-ordered": true } },
    actions: {
      "s3.get_object": {
        args: { type: "object", properties: { account: { type: "string", maxLength: 64 } }, required: ["account"] },
        metadata: { readOnly: true, costClass: "low" },
      },
      "ec2.run_instances": {
        args: {
          type: "object",
          properties: {
            account: { type: "string", maxLength: 64 },
            estimated_cost_usd: { type: "number", minimum: 0 },
            size: { enum: ["small", "large", "huge"], "x-agp-ordered": true },
          },
          required: ["account", "estimated_cost_usd"],
        },
        metadata: { costClass: "high" },
      },
    },
  },
  "deploy.json": {
    $schema: SCHEMA,
    family: "deploy",
    actions: {
      service: {
        args: {
          type: "object",
          properties: { service: { type: "string", maxLength: 64 }, environment: { type: "string", maxLength: 32 } },
          required: ["service"],
        },
      },
    },
  },
};

/** Loads catalogs (defaults to CATALOGS); any catalog diagnostic fails the test. */
export function catalogSet(documents: Record<string, object> = CATALOGS) {
  const catalogs: Catalog[] = [];
  for (const [file, document] of Object.entries(documents)) {
    const loaded = loadCatalog(file, JSON.stringify(document));
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || loaded.catalog === undefined) {
      throw new Error(`test catalog ${file} does not load: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    }
    catalogs.push(loaded.catalog);
  }
  return mergeCatalogs(catalogs).set;
}

const POLICY = { hash: "sha256:test", version: "1.0.0" };

/**
 * An interpreter over .agp sources (one string, or file name → text) that
 * passed the type checker; any syntax or type error fails the test. Every
 * package sees every test catalog.
 */
export function policy(sources: string | Record<string, string>, documents?: Record<string, object>): Interpreter {
  const catalogs = catalogSet(documents);
  const result = check({ files: parseAll(sources), catalogs });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`test policy does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return interpretChecked(result.checked, catalogs, { policy: POLICY });
}

/**
 * An interpreter over .agp sources that skip the type checker: for policies
 * the checker refuses, to show the interpreter still fails closed on them.
 */
export function uncheckedPolicy(sources: string | Record<string, string>, documents?: Record<string, object>): Interpreter {
  return interpretFiles(parseAll(sources), catalogSet(documents), { policy: POLICY });
}

function parseAll(sources: string | Record<string, string>): PolicyFile[] {
  const files = typeof sources === "string" ? { "policy.agp": sources } : sources;
  return Object.entries(files).map(([name, text]) => {
    const result = parse(text, name);
    if (result.diagnostics.length > 0) {
      throw new Error(`test policy ${name} does not parse: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    }
    return result.file;
  });
}

/** The default agent: a bot with trust 2. */
export const AGENT = { id: "ci-fixer", groups: ["coding-bots"], trust: 2 };
/** A default human. */
export const ALICE = { id: "alice", groups: ["infra-oncall"], roles: ["deployer"] };

/** A request for `action` with `args`; other parts default (agent ci-fixer, env production, no human). */
export function request(action: string, args: object, parts: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent: AGENT, action, args, env: "production", context: { session: "s-1" }, ...parts };
}

/** A valid shell.exec request with the given overrides of its args. */
export function shell(args: Record<string, unknown> = {}, parts: Record<string, unknown> = {}): Record<string, unknown> {
  return request("shell.exec", { command: "ls", timeout_seconds: 60, write_paths: [], ...args }, parts);
}
