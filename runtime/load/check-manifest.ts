/**
 * The manifest's shape, checked at load time so a corrupt or foreign
 * manifest is refused with a clear message instead of failing at decide time.
 *
 * In: the parsed JSON of the `agp.manifest` section. Out: the same value
 * typed as `Manifest`, or a `PolicyLoadError` naming the first wrong field
 * (`manifest.actions[3].slots[0].offset must be …`). Checks what the
 * runtime relies on: types, unique action names, slot offsets inside the
 * slot area (alignment is the generator's business: the host writes through
 * a DataView). Must not read the module.
 */
import { ABI_VERSION, type Manifest, type Slot } from "../manifest.js";
import { PolicyLoadError } from "../errors.js";

type Json = Record<string, unknown>;

/**
 * Checks `value` as a manifest; throws `PolicyLoadError`. With `lazyRules`
 * (the number of rules), `rules` is not read at all: a loader that decodes
 * each rule on its first use checks it then (`checkRule`, ./lazy-rules.ts),
 * and only the count matters here (session checks name rules by index).
 * With `lazyActions`, each action's argument schema and slots are left to
 * `checkActionParts`, which the engine runs before the action's first
 * request is read (./deferred-checks.ts).
 */
export function checkManifest(value: unknown, lazyRules?: number, lazyActions = false): Manifest {
  const m = object(value, "manifest");
  if (m.abi !== ABI_VERSION) {
    throw new PolicyLoadError(`the policy module was compiled for ABI ${JSON.stringify(m.abi)}, this runtime speaks ABI ${ABI_VERSION}; recompile the policy or upgrade the runtime`);
  }
  string(m.compiler, "manifest.compiler");
  const policy = object(m.policy, "manifest.policy");
  string(policy.hash, "manifest.policy.hash");
  string(policy.version, "manifest.policy.version");
  const memory = object(m.memory, "manifest.memory");
  const slotBytes = count(memory.slotBytes, "manifest.memory.slotBytes");
  count(memory.arenaBytes, "manifest.memory.arenaBytes");
  if (m.bounds !== undefined) {
    // A bound of 0 would refuse every request; a missing one is the default (runtime/manifest.ts).
    const bounds = object(m.bounds, "manifest.bounds");
    if (count(bounds.maxDepth, "manifest.bounds.maxDepth") < 1) fail("manifest.bounds.maxDepth", "a positive integer");
    if (count(bounds.maxValues, "manifest.bounds.maxValues") < 1) fail("manifest.bounds.maxValues", "a positive integer");
  }
  if (m.obligations !== undefined) {
    const declared = object(m.obligations, "manifest.obligations");
    for (const key of Object.keys(declared)) {
      const at = `manifest.obligations[${JSON.stringify(key)}]`;
      const ob = object(declared[key], at);
      oneOf(ob.type, ["number", "integer", "boolean", "string", "set"], `${at}.type`);
      oneOf(ob.merge, ["min", "max", "or", "and", "same", "union", "intersection"], `${at}.merge`);
      if (ob.enum !== undefined) array(ob.enum, `${at}.enum`).forEach((e, i) => string(e, `${at}.enum[${i}]`));
    }
  }
  const request = object(m.request, "manifest.request");
  for (const part of ["agent", "human", "env", "context"]) schema(request[part], `manifest.request.${part}`);
  const names = new Set<string>();
  array(m.actions, "manifest.actions").forEach((a, i) => {
    const at = `manifest.actions[${i}]`;
    const action = object(a, at);
    const name = string(action.name, `${at}.name`);
    if (names.has(name)) fail(`${at}.name`, `a unique action name (\`${name}\` repeats)`);
    names.add(name);
    string(action.family, `${at}.family`);
    if (!lazyActions) schema(action.args, `${at}.args`);
    if (typeof action.humanCovered !== "boolean") fail(`${at}.humanCovered`, "a boolean");
    if (action.readOnly !== undefined && typeof action.readOnly !== "boolean") fail(`${at}.readOnly`, "a boolean");
    if (!lazyActions) actionParts(action, at, slotBytes);
    if (action.session !== undefined) actionSession(action.session, `${at}.session`, m, lazyRules);
  });
  if (m.session !== undefined) session(m.session, "manifest.session");
  // Paths are built only for a rule that fails: a policy has thousands of rules, and this runs on every load.
  const rules = lazyRules === undefined ? array(m.rules, "manifest.rules") : [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as Json;
    const plain =
      typeof r === "object" && r !== null && !Array.isArray(r) &&
      typeof r.id === "string" && typeof r.file === "string" && isCount(r.line) &&
      (r.effect === "allow" || r.effect === "approve" || r.effect === "deny") &&
      (r.principal === "agent" || r.principal === "human") &&
      (r.audit === "info" || r.audit === "notice" || r.audit === "security") &&
      (r.reason === undefined || typeof r.reason === "string") &&
      Array.isArray(r.obligations) && r.obligations.length === 0 &&
      Array.isArray(r.quorums) && r.quorums.length === 0 &&
      r.requester === undefined && r.samePerson === undefined && r.binds === undefined;
    if (!plain) checkRule(r, i);
  }
  array(m.limits, "manifest.limits").forEach((l, i) => {
    const at = `manifest.limits[${i}]`;
    const limit = object(l, at);
    string(limit.id, `${at}.id`);
    string(limit.file, `${at}.file`);
    count(limit.line, `${at}.line`);
    oneOf(limit.kind, ["rate", "budget"], `${at}.kind`);
    number(limit.cap, `${at}.cap`);
    if (limit.unit !== undefined) string(limit.unit, `${at}.unit`);
    if (limit.reason !== undefined) string(limit.reason, `${at}.reason`);
    const window = object(limit.window, `${at}.window`);
    count(window.count, `${at}.window.count`);
    oneOf(window.unit, ["second", "minute", "hour", "day", "week", "month"], `${at}.window.unit`);
    array(limit.keys, `${at}.keys`).forEach((k, j) => path(k, `${at}.keys[${j}]`));
    const otherwise = object(limit.otherwise, `${at}.otherwise`);
    oneOf(otherwise.kind, ["deny", "approve"], `${at}.otherwise.kind`);
    if (otherwise.kind === "approve") {
      quorums(otherwise.quorums, `${at}.otherwise.quorums`);
      approvalFlags(otherwise, `${at}.otherwise`);
    }
  });
  return value as Manifest;
}

/**
 * Action `i`'s argument schema and slots, the parts `checkManifest` leaves
 * out with `lazyActions` (the rest of the manifest already checked);
 * throws `PolicyLoadError` naming the first wrong field.
 */
export function checkActionParts(manifest: Manifest, i: number): void {
  const at = `manifest.actions[${i}]`;
  actionParts(manifest.actions[i] as unknown as Json, at, manifest.memory.slotBytes);
}

function actionParts(action: Json, at: string, slotBytes: number): void {
  schema(action.args, `${at}.args`);
  array(action.slots, `${at}.slots`).forEach((s, j) => slot(s, `${at}.slots[${j}]`, slotBytes));
}

/** Rule `i`, every field, naming the first wrong one; throws `PolicyLoadError`. */
export function checkRule(r: unknown, i: number): void {
    const at = `manifest.rules[${i}]`;
    const rule = object(r, at);
    string(rule.id, `${at}.id`);
    string(rule.file, `${at}.file`);
    count(rule.line, `${at}.line`);
    oneOf(rule.effect, ["allow", "approve", "deny"], `${at}.effect`);
    oneOf(rule.principal, ["agent", "human"], `${at}.principal`);
    oneOf(rule.audit, ["info", "notice", "security"], `${at}.audit`);
    if (rule.reason !== undefined) string(rule.reason, `${at}.reason`);
    array(rule.obligations, `${at}.obligations`).forEach((o, j) => {
      const ob = object(o, `${at}.obligations[${j}]`);
      string(ob.key, `${at}.obligations[${j}].key`);
      const v = ob.value;
      const scalar = v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
      if (!scalar && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) {
        fail(`${at}.obligations[${j}].value`, "a string, number, boolean, null or array of strings");
      }
    });
    quorums(rule.quorums, `${at}.quorums`);
    approvalFlags(rule, at);
    if (rule.binds !== undefined) array(rule.binds, `${at}.binds`).forEach((b, j) => string(b, `${at}.binds[${j}]`));
}

/** The manifest's `session`: a key path, a layout, monitors inside the state. */
function session(value: unknown, at: string): void {
  const s = object(value, at);
  path(s.key, `${at}.key`);
  const bytes = count(s.stateBytes, `${at}.stateBytes`);
  if (bytes < 64) fail(`${at}.stateBytes`, "at least the 64 bytes of the header");
  if (typeof s.layout !== "string" || !/^[0-9a-f]{8}$/.test(s.layout)) fail(`${at}.layout`, "8 hex digits");
  count(s.retainMs, `${at}.retainMs`);
  array(s.monitors, `${at}.monitors`).forEach((mv, i) => {
    const mat = `${at}.monitors[${i}]`;
    const monitor = object(mv, mat);
    oneOf(monitor.kind, ["last", "count", "sum", "previous", "since"], `${mat}.kind`);
    string(monitor.text, `${mat}.text`);
    string(monitor.window, `${mat}.window`);
    const offset = count(monitor.offset, `${mat}.offset`);
    const size = count(monitor.bytes, `${mat}.bytes`);
    if (offset < 64 || offset + size > bytes) fail(`${mat}.offset`, `inside the state (${bytes} bytes) after its header`);
    count(monitor.windowMs, `${mat}.windowMs`);
    if (monitor.capacity !== undefined) count(monitor.capacity, `${mat}.capacity`);
  });
}

/** An action's `session`: what it needs, and overflow checks naming monitors and rules that exist. */
function actionSession(value: unknown, at: string, m: Json, lazyRules: number | undefined): void {
  const s = object(value, at);
  const monitors = Array.isArray((m.session as Json | undefined)?.monitors) ? ((m.session as Json).monitors as unknown[]).length : 0;
  const rules = lazyRules ?? (Array.isArray(m.rules) ? m.rules.length : 0);
  if (m.session === undefined) fail(at, "absent when the manifest has no session");
  if (s.needs !== undefined) {
    const needs = object(s.needs, `${at}.needs`);
    if (needs.rule !== undefined) {
      if (count(needs.rule, `${at}.needs.rule`) >= rules) fail(`${at}.needs.rule`, "a rule index");
    } else if (needs.watched !== true) fail(`${at}.needs`, "`{ rule }` or `{ watched: true }`");
  }
  array(s.checks, `${at}.checks`).forEach((c, i) => {
    const check = object(c, `${at}.checks[${i}]`);
    if (count(check.monitor, `${at}.checks[${i}].monitor`) >= monitors) fail(`${at}.checks[${i}].monitor`, "a monitor index");
    if (count(check.rule, `${at}.checks[${i}].rule`) >= rules) fail(`${at}.checks[${i}].rule`, "a rule index");
  });
  if (s.reads !== undefined) array(s.reads, `${at}.reads`).forEach((p, i) => path(p, `${at}.reads[${i}]`));
}

function schema(value: unknown, at: string, depth = 0): void {
  if (depth > 64) fail(at, "a schema nested at most 64 deep");
  const node = object(value, at);
  switch (node.type) {
    case "any":
    case "null":
    case "boolean":
      return;
    case "string":
      if (node.maxLength !== undefined) count(node.maxLength, `${at}.maxLength`);
      if (node.minLength !== undefined) count(node.minLength, `${at}.minLength`);
      if (node.enum !== undefined) strings(node.enum, `${at}.enum`);
      if (node.pattern !== undefined) automaton(node.pattern, `${at}.pattern`);
      return;
    case "number":
      if (typeof node.integer !== "boolean") fail(`${at}.integer`, "a boolean");
      for (const key of ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"]) {
        if (node[key] !== undefined) number(node[key], `${at}.${key}`);
      }
      if (node.minimum !== undefined && node.exclusiveMinimum !== undefined) fail(`${at}.exclusiveMinimum`, "absent beside `minimum`");
      if (node.maximum !== undefined && node.exclusiveMaximum !== undefined) fail(`${at}.exclusiveMaximum`, "absent beside `maximum`");
      if (node.multipleOf !== undefined && !(number(node.multipleOf, `${at}.multipleOf`) > 0)) fail(`${at}.multipleOf`, "a number above 0");
      if (node.enum !== undefined) array(node.enum, `${at}.enum`).forEach((e, i) => number(e, `${at}.enum[${i}]`));
      return;
    case "array":
      if (node.maxItems !== undefined) count(node.maxItems, `${at}.maxItems`);
      if (node.minItems !== undefined) count(node.minItems, `${at}.minItems`);
      if (node.uniqueItems !== undefined && (node.uniqueItems !== true || node.maxItems === undefined)) fail(`${at}.uniqueItems`, "true, beside a `maxItems`");
      return schema(node.items, `${at}.items`, depth + 1);
    case "object":
      if (typeof node.additionalProperties !== "boolean") fail(`${at}.additionalProperties`, "a boolean");
      array(node.properties, `${at}.properties`).forEach((p, i) => {
        const prop = object(p, `${at}.properties[${i}]`);
        string(prop.name, `${at}.properties[${i}].name`);
        if (typeof prop.required !== "boolean") fail(`${at}.properties[${i}].required`, "a boolean");
        schema(prop.schema, `${at}.properties[${i}].schema`, depth + 1);
      });
      if (node.additional !== undefined) {
        if (node.additionalProperties !== true) fail(`${at}.additional`, "absent when `additionalProperties` is false");
        schema(node.additional, `${at}.additional`, depth + 1);
      }
      if (node.minProperties !== undefined) count(node.minProperties, `${at}.minProperties`);
      if (node.maxProperties !== undefined) count(node.maxProperties, `${at}.maxProperties`);
      if (node.dependentRequired !== undefined) {
        array(node.dependentRequired, `${at}.dependentRequired`).forEach((d, i) => {
          const entry = object(d, `${at}.dependentRequired[${i}]`);
          string(entry.name, `${at}.dependentRequired[${i}].name`);
          array(entry.requires, `${at}.dependentRequired[${i}].requires`).forEach((r, j) => string(r, `${at}.dependentRequired[${i}].requires[${j}]`));
        });
      }
      return;
    case "union":
      array(node.options, `${at}.options`).forEach((o, i) => schema(o, `${at}.options[${i}]`, depth + 1));
      if (node.oneOf !== undefined && node.oneOf !== true) fail(`${at}.oneOf`, "true or absent");
      return;
    default:
      fail(`${at}.type`, "one of any, null, boolean, string, number, array, object, union");
  }
}

/** A pattern automaton whose every state and class index is in range, so running it never reads outside its tables. */
function automaton(value: unknown, at: string): void {
  const a = object(value, at);
  string(a.source, `${at}.source`);
  const classCount = count(a.classCount, `${at}.classCount`);
  if (classCount < 1 || classCount > 256) fail(`${at}.classCount`, "a count from 1 to 256");
  const classOf = array(a.classOf, `${at}.classOf`);
  if (classOf.length !== 256) fail(`${at}.classOf`, "256 byte classes");
  for (let i = 0; i < classOf.length; i++) {
    const c = classOf[i];
    if (!isCount(c) || (c as number) >= classCount) fail(`${at}.classOf[${i}]`, `a class below ${classCount}`);
  }
  const transitions = array(a.transitions, `${at}.transitions`);
  const states = transitions.length / classCount;
  if (!Number.isInteger(states) || states < 1) fail(`${at}.transitions`, "a whole number of rows of classCount states");
  const state = (v: unknown, where: string): void => {
    if (count(v, where) >= states) fail(where, `a state below ${states}`);
  };
  for (let i = 0; i < transitions.length; i++) {
    const t = transitions[i];
    if (!isCount(t) || (t as number) >= states) state(t, `${at}.transitions[${i}]`);
  }
  state(a.start, `${at}.start`);
  if (a.dead !== -1) state(a.dead, `${at}.dead`);
  array(a.accepting, `${at}.accepting`).forEach((s, i) => state(s, `${at}.accepting[${i}]`));
}

const SLOT_SIZE: Record<Slot["kind"], number> = { state: 4, sym: 4, str: 8, num: 8, bool: 4, array: 4 };

/** A slot whose bytes (and items) fit in `room` bytes from its base. */
function slot(value: unknown, at: string, room: number, depth = 0): void {
  if (depth > 16) fail(at, "a slot nested at most 16 deep");
  const s = object(value, at);
  oneOf(s.kind, Object.keys(SLOT_SIZE), `${at}.kind`);
  const kind = s.kind as Slot["kind"];
  path(s.path, `${at}.path`, depth > 0);
  const offset = count(s.offset, `${at}.offset`);
  if (offset + SLOT_SIZE[kind] > room) fail(`${at}.offset`, `inside the slot area (${room} bytes)`);
  if (kind === "sym") strings(s.dictionary, `${at}.dictionary`);
  if (kind === "array") {
    const itemsOffset = count(s.itemsOffset, `${at}.itemsOffset`);
    const stride = count(s.stride, `${at}.stride`);
    const maxItems = count(s.maxItems, `${at}.maxItems`);
    if (itemsOffset + maxItems * stride > room) fail(`${at}.maxItems`, `items inside the slot area (${room} bytes)`);
    array(s.items, `${at}.items`).forEach((item, i) => slot(item, `${at}.items[${i}]`, stride, depth + 1));
  }
}

function quorums(value: unknown, at: string): void {
  array(value, at).forEach((q, i) => {
    const quorum = object(q, `${at}[${i}]`);
    count(quorum.count, `${at}[${i}].count`);
    array(quorum.groups, `${at}[${i}].groups`).forEach((g, j) => string(g, `${at}[${i}].groups[${j}]`));
  });
}

/** `requester` and `samePerson` are `true` when present (never `false`: absent says no). */
function approvalFlags(approval: Json, at: string): void {
  for (const flag of ["requester", "samePerson"]) {
    if (approval[flag] !== undefined && approval[flag] !== true) fail(`${at}.${flag}`, "true, or absent");
  }
}

function path(value: unknown, at: string, mayBeEmpty = false): void {
  const segments = array(value, at);
  if (segments.length === 0 && !mayBeEmpty) fail(at, "a non-empty path");
  segments.forEach((s, i) => string(s, `${at}[${i}]`));
}

function object(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(at, "an object");
  return value as Json;
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) fail(at, "an array");
  return value as unknown[];
}

/** An array of strings; the path of an element is built only when it fails. */
function strings(value: unknown, at: string): void {
  const list = array(value, at);
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== "string") fail(`${at}[${i}]`, "a string");
}

function string(value: unknown, at: string): string {
  if (typeof value !== "string") fail(at, "a string");
  return value as string;
}

function number(value: unknown, at: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(at, "a finite number");
  return value as number;
}

function isCount(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff;
}

function count(value: unknown, at: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) fail(at, "a non-negative integer");
  return value as number;
}

function oneOf(value: unknown, allowed: readonly string[], at: string): void {
  if (typeof value !== "string" || !allowed.includes(value)) fail(at, `one of ${allowed.join(", ")}`);
}

function fail(at: string, expected: string): never {
  throw new PolicyLoadError(`corrupt policy manifest: \`${at}\` must be ${expected}`);
}

