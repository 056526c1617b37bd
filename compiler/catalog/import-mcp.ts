/**
 * `agp schema import-mcp`: an MCP server's tool list → a catalog document.
 *
 * In: the parsed tool list (`{ "tools": [...] }`, a bare array, or a
 * JSON-RPC `tools/list` response), a family name and the output file name.
 * Out: the catalog as JSON text, the catalog's own diagnostics (it is loaded
 * like any other catalog), the fields that lack the maxLength / maxItems
 * bounds bounded-time evaluation needs, and, when the input is not a tool
 * list, the problems in plain words. Reads and writes no files. Keys from
 * the input (tool and property names, `__proto__` included) become own
 * properties of the output, never prototype changes.
 */
import type { Diagnostic } from "../diagnostics/index.js";
import { adaptSchema, emptyCounts, type AdaptCounts, type AdaptOptions } from "./import-adapt.js";
import { loadCatalog } from "./load.js";
import { MAX_SCHEMA_DEPTH } from "./reduce.js";
import { walkType } from "./query.js";
import type { JsonValue } from "./types.js";

/** A field policies cannot inspect until its schema gets a bound. */
export interface MissingBound {
  /** The MCP tool name (= the action key). */
  readonly tool: string;
  /** The field path inside the arguments: `recipients`, `attachments[].name`. */
  readonly field: string;
  readonly type: "string" | "array";
  readonly missing: "maxLength" | "maxItems";
  /** JSON pointer into the written catalog where the bound belongs. */
  readonly pointer: string;
}

export interface McpImport {
  /** The catalog document; absent when `problems` is not empty. */
  readonly catalog?: { readonly [key: string]: JsonValue };
  /** `catalog` as the file to write: two-space JSON, short objects and arrays on one line, a final newline. */
  readonly text?: string;
  /** What loading the written catalog reports (spans point into `text`). */
  readonly diagnostics: readonly Diagnostic[];
  readonly missingBounds: readonly MissingBound[];
  /** Why the input is not an MCP tool list; each a lowercase sentence without final period. */
  readonly problems: readonly string[];
  /** Tools whose names are not action names, and the action key each became (`1password_lookup` → `_1password_lookup`). */
  readonly renamed: readonly { readonly tool: string; readonly action: string }[];
  /** What adapting the schemas changed (tuples, allOf, bounds, closed objects). */
  readonly adapted: AdaptCounts;
}

/** How to import: the schema options (ADR 0038). */
export type ImportOptions = AdaptOptions;

/** How deeply a tool's JSON schema may nest (objects and arrays), far above what a usable schema needs. */
export const MAX_JSON_NESTING = 256;

const NAME = /^[A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;
const ACTION_KEY = /^[A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;
const SCHEMA_2020 = "https://json-schema.org/draft/2020-12/schema";

/** MCP tool annotations that become metadata, with the defaults the MCP spec gives them. */
const HINTS = [
  { hint: "destructiveHint", key: "destructive", default: true, description: "MCP destructiveHint: the tool may destroy data" },
  { hint: "idempotentHint", key: "idempotent", default: false, description: "MCP idempotentHint: repeating the call has no further effect" },
  { hint: "openWorldHint", key: "openWorld", default: true, description: "MCP openWorldHint: the tool reaches outside systems" },
] as const;

type Obj = { [key: string]: JsonValue };

/**
 * The action key a tool name becomes: the name itself when it is one; else
 * `/` and `.` separate segments, every other character that cannot be in a
 * name becomes `_`, and a segment that starts with a digit or `-` (or ends
 * with `-`) gets a `_` there. Undefined when nothing is left.
 */
export function actionKeyFor(tool: string): string | undefined {
  if (ACTION_KEY.test(tool)) return tool;
  const segments = tool
    .split(/[/.]/)
    .filter((s) => s !== "")
    .map((s) => s.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^(?=[0-9-])/, "_").replace(/-$/, "_"));
  const key = segments.join(".");
  return key !== "" && ACTION_KEY.test(key) ? key : undefined;
}

/** Turns an MCP tool list into a catalog of family `family`, to be written as `file`. */
export function importMcp(input: unknown, family: string, file: string, options: ImportOptions = {}): McpImport {
  const problems: string[] = [];
  const tools = toolList(input);
  if (tools === undefined) {
    return result(["the input is not an MCP tool list: expected `{ \"tools\": [...] }` or an array of tools"]);
  }
  if (!NAME.test(family)) problems.push(`\`${family}\` is not a valid family name: use letters, digits, \`_\` and inner \`-\``);
  const defs: Obj = {};
  const actions: Obj = {};
  const hintsUsed = new Set<string>();
  const renamed: { tool: string; action: string }[] = [];
  const adapted = emptyCounts();
  const seen = new Set<string>();
  tools.forEach((tool, index) => {
    if (!isObject(tool) || typeof tool.name !== "string") {
      problems.push(`tool ${index + 1} has no \`name\``);
      return;
    }
    const toolName = tool.name;
    if (seen.has(toolName)) {
      problems.push(`tool \`${toolName}\` is listed twice`);
      return;
    }
    seen.add(toolName);
    const base = actionKeyFor(toolName);
    if (base === undefined) {
      problems.push(`tool \`${toolName}\`: no action name can be made of it; rename the tool`);
      return;
    }
    // A renamed tool must not take the name of another: `a/b` and `a.b` become `a.b` and `a.b_2`.
    let name = base;
    for (let n = 2; Object.hasOwn(actions, name); n++) name = `${base}_${n}`;
    if (name !== toolName) renamed.push({ tool: toolName, action: name });
    // `parameters` is the OpenAI function-calling spelling of `inputSchema`; accept both.
    const schema = tool.inputSchema ?? tool.parameters;
    if (!isObject(schema)) {
      problems.push(`tool \`${name}\` has no \`inputSchema\` object`);
      return;
    }
    // Walked recursively below: a server's schema nested without end must be a problem, never a stack overflow.
    if (nestsDeeperThan(schema, MAX_JSON_NESTING)) {
      problems.push(`tool \`${toolName}\`: its \`inputSchema\` nests deeper than ${MAX_JSON_NESTING} levels (agp reads schemas at most ${MAX_SCHEMA_DEPTH} deep)`);
      return;
    }
    const metadata: Obj = {};
    const annotations = isObject(tool.annotations) ? tool.annotations : {};
    metadata.readOnly = annotations.readOnlyHint === true;
    for (const { hint, key } of HINTS) {
      if (typeof annotations[hint] !== "boolean") continue;
      metadata[key] = annotations[hint];
      hintsUsed.add(key);
    }
    const title = typeof tool.title === "string" ? tool.title : typeof annotations.title === "string" ? annotations.title : undefined;
    setOwn(actions, name, {
      ...(title === undefined ? {} : { title }),
      ...(typeof tool.description === "string" ? { description: tool.description } : {}),
      // The tool's own name, where the action's differs: the gateway maps `tools/call` names with it.
      ...(name === toolName ? {} : { $comment: `MCP tool ${JSON.stringify(toolName)}` }),
      metadata,
      args: adaptSchema(argsSchema(name, schema, defs), options, adapted),
    });
  });
  if (problems.length > 0) return result(problems);
  for (const key of Object.keys(defs)) setOwn(defs, key, adaptSchema(defs[key]!, options, adapted));

  const declared: Obj = {};
  for (const { key, default: fallback, description } of HINTS) {
    if (hintsUsed.has(key)) declared[key] = { type: "boolean", default: fallback, description };
  }
  const catalog: Obj = {
    $schema: SCHEMA_2020,
    family,
    description: `Imported from an MCP tool list by \`agp schema import-mcp\`.`,
    // How it was imported, so \`agp schema diff\` re-imports the same way (ADR 0038).
    ...(importFlags(options) === "" ? {} : { $comment: `agp schema import-mcp${importFlags(options)}` }),
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
    ...(Object.keys(declared).length > 0 ? { metadata: declared } : {}),
    actions,
  };
  const text = `${formatJson(catalog)}\n`;
  const loaded = loadCatalog(file, text);
  const missingBounds = new Map<string, MissingBound>();
  const add = (bound: MissingBound): void => {
    // A union (`string` or `null` twice over) would list the same field twice.
    missingBounds.set(`${bound.tool}|${bound.field}|${bound.missing}`, bound);
  };
  const toolOf = new Map(renamed.map((r) => [r.action, r.tool]));
  for (const action of loaded.catalog?.actions ?? []) {
    const key = action.name.slice(family.length + 1);
    const tool = toolOf.get(key) ?? key;
    walkType(action.args, (type, path) => {
      if (type.kind === "string" && type.maxLength === undefined) {
        add({ tool, field: path, type: "string", missing: "maxLength", pointer: type.location.pointer });
      } else if (type.kind === "array" && type.maxItems === undefined) {
        add({ tool, field: path, type: "array", missing: "maxItems", pointer: type.location.pointer });
      }
    });
  }
  return { catalog, text, diagnostics: loaded.diagnostics, missingBounds: [...missingBounds.values()], problems: [], renamed, adapted };
}

/** ` --max-length 256 --close-objects`: the options as `agp schema import-mcp` flags. */
export function importFlags(options: ImportOptions): string {
  return [
    options.maxLength === undefined ? "" : ` --max-length ${options.maxLength}`,
    options.maxItems === undefined ? "" : ` --max-items ${options.maxItems}`,
    options.closeObjects === true ? " --close-objects" : "",
  ].join("");
}

/** The options an imported catalog's `$comment` records (undefined when it records none). */
export function recordedImportOptions(catalog: unknown): ImportOptions | undefined {
  const comment = isObject(catalog) && typeof catalog.$comment === "string" ? catalog.$comment : undefined;
  const match = comment === undefined ? null : /^agp schema import-mcp((?: --(?:max-length|max-items) [0-9]+| --close-objects)*)$/.exec(comment);
  if (match === null) return undefined;
  const flags = match[1]!;
  const number = (flag: string): number | undefined => {
    const found = new RegExp(`--${flag} ([0-9]+)`).exec(flags);
    return found === null ? undefined : Number(found[1]);
  };
  const maxLength = number("max-length");
  const maxItems = number("max-items");
  return { ...(maxLength === undefined ? {} : { maxLength }), ...(maxItems === undefined ? {} : { maxItems }), ...(flags.includes("--close-objects") ? { closeObjects: true } : {}) };
}

/** "tool `send_email`: `recipients` (array) has no maxItems; policies cannot quantify over it until you add one" */
export function describeMissingBound(bound: MissingBound): string {
  const consequence =
    bound.missing === "maxItems"
      ? "policies cannot quantify over it until you add one"
      : "policies cannot use `startsWith`, `endsWith`, `contains` or `matches` on it until you add one";
  return `tool \`${bound.tool}\`: \`${bound.field}\` (${bound.type}) has no ${bound.missing}; ${consequence}`;
}

/**
 * JSON for people who will edit it (to add bounds): two-space indentation,
 * but an object or array that fits in 100 columns stays on one line.
 */
export function formatJson(value: JsonValue, indent = 0): string {
  const compact = oneLine(value);
  if (value === null || typeof value !== "object" || indent + compact.length <= 100) return compact;
  const pad = " ".repeat(indent + 2);
  const lines = Array.isArray(value)
    ? value.map((item) => `${pad}${formatJson(item, indent + 2)}`)
    : Object.entries(value).map(([key, item]) => `${pad}${JSON.stringify(key)}: ${formatJson(item, indent + 2)}`);
  if (lines.length === 0) return compact;
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${lines.join(",\n")}\n${" ".repeat(indent)}${close}`;
}

function oneLine(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => oneLine(v as JsonValue)).join(", ")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(", ")}}`;
}

function toolList(input: unknown): readonly unknown[] | undefined {
  if (Array.isArray(input)) return input;
  if (!isObject(input)) return undefined;
  if (Array.isArray(input.tools)) return input.tools;
  // A JSON-RPC response to `tools/list`, as captured from a server.
  if (isObject(input.result) && Array.isArray(input.result.tools)) return input.result.tools;
  return undefined;
}

/**
 * The tool's input schema as a catalog `args` schema: `$schema`/`$id` dropped
 * (the catalog is one 2020-12 resource), local definitions moved into the
 * catalog's `$defs` under `<tool>.<name>` and references rewritten to match.
 */
function argsSchema(tool: string, schema: Obj, defs: Obj): Obj {
  const { $schema: _schema, $id: _id, $defs: ownDefs, definitions, ...rest } = schema;
  void _schema;
  void _id;
  for (const source of [ownDefs, definitions]) {
    if (!isObject(source)) continue;
    for (const [name, definition] of Object.entries(source)) setOwn(defs, `${tool}.${name}`, rewriteRefs(tool, definition));
  }
  const args = rewriteRefs(tool, rest) as Obj;
  // MCP requires `"type": "object"`; some servers leave it out.
  return args.type === undefined ? { type: "object", ...args } : args;
}

function rewriteRefs(tool: string, value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(tool, v));
  if (!isObject(value)) return value;
  const out: Obj = {};
  for (const [key, inner] of Object.entries(value)) {
    const local = key === "$ref" && typeof inner === "string" ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(inner) : null;
    setOwn(out, key, local !== null ? `#/$defs/${tool.replace(/~/g, "~0")}.${local[1]!}` : rewriteRefs(tool, inner));
  }
  return out;
}

/**
 * Sets an own, enumerable property, whatever the key: a tool or a property
 * named `__proto__` (which plain assignment would turn into a prototype
 * change, dropping it from the catalog while `required` still names it).
 */
function setOwn(target: Obj, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function result(problems: readonly string[]): McpImport {
  return { diagnostics: [], missingBounds: [], problems, renamed: [], adapted: emptyCounts() };
}

/** Whether `value` nests objects and arrays more than `limit` deep; iterative, so any depth is safe. */
function nestsDeeperThan(value: JsonValue, limit: number): boolean {
  const stack: [JsonValue, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth > limit) return true;
    for (const inner of Array.isArray(node) ? node : Object.values(node)) stack.push([inner, depth + 1]);
  }
  return false;
}

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
