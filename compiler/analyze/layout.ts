/**
 * The symbolic request of one action: a variable for every request field a
 * policy reads, created on first read, with the domain constraints of its
 * schema; and the way back from a solver model to a JSON request that the
 * catalogs accept.
 *
 * In: the catalog set, the action, an `Encoding`, and how many array slots
 * each array needs (see ./slots.ts). Out: `Sym`s for paths, presence terms
 * for `has`, and `concretize(model)`: the request as JSON.
 * Must not encode operators or rules.
 *
 * Exactness: a string with `enum` becomes an index into its members; other
 * strings become string variables (./strings.ts decides them); integers are
 * Int, other numbers Real (bounds, `enum`); optional fields get a presence
 * Boolean; unions a tag; arrays a length and slots. A field of type `any`
 * read by a policy is opaque (the query over-approximates). Fields the
 * policy never reads are filled with the smallest valid value when the
 * request is written out.
 */
import type { ActionEntry, CatalogSet, FieldType, ObjectType } from "../catalog/index.js";
import type { RequestRoot } from "../check/index.js";
import { Encoding, type ObjectHandle, type Sym } from "./encoding.js";
import { and, cmp, eq, int, or, real, TRUE, type Term } from "./smt.js";

/** What a model says about a constant (the solver adapter answers these). */
export interface ModelReader {
  bool(name: string): boolean | undefined;
  number(name: string): number | undefined;
  /** The value found for a string variable (by id). */
  string(id: string): string | undefined;
}

/** Slots per array path key (`args.write_paths`, `args.items[].tags`). */
export type SlotCounts = ReadonlyMap<string, number>;

/** A node of the request tree: one value of one type at one path. */
class Node implements ObjectHandle {
  private valueSym: Sym | undefined;
  private readonly children = new Map<string, Node>();
  private readonly presence = new Map<string, string>();
  private slotNodes: Node[] | undefined;
  private lengthVar: string | undefined;
  private tagVar: string | undefined;
  private optionNodes: Node[] | undefined;

  constructor(
    private readonly layout: RequestLayout,
    readonly path: string,
    readonly slotKey: string,
    readonly type: FieldType,
  ) {}

  /** The value of this node. */
  value(): Sym {
    this.valueSym ??= this.build();
    return this.valueSym;
  }

  field(name: string): { value: Sym; present: Term } | undefined {
    const child = this.child(name);
    if (child === undefined) return undefined;
    return { value: child.node.value(), present: child.present };
  }

  /** A field of an object node and the term saying it is present. */
  child(name: string): { node: Node; present: Term } | undefined {
    if (this.type.kind !== "object") return undefined;
    const field = this.type.fields.get(name);
    if (field === undefined) return undefined;
    let node = this.children.get(name);
    if (node === undefined) {
      node = new Node(this.layout, `${this.path}.${name}`, `${this.slotKey}.${name}`, field.type);
      this.children.set(name, node);
    }
    if (field.required) return { node, present: TRUE };
    let present = this.presence.get(name);
    if (present === undefined) {
      present = this.layout.encoding.fresh(`has_${this.path}.${name}`, "Bool");
      this.presence.set(name, present);
    }
    return { node, present };
  }

  private build(): Sym {
    const enc = this.layout.encoding;
    const type = this.type;
    switch (type.kind) {
      case "null":
        return { kind: "lit", value: null };
      case "boolean":
        return { kind: "bool", term: enc.fresh(this.path, "Bool") };
      case "number": {
        const v = enc.fresh(this.path, type.integer ? "Int" : "Real");
        const lit = (n: number) => (type.integer ? int(Math.ceil(n)) : real(n));
        if (type.enum !== undefined) {
          enc.domain.push(or(...type.enum.map((m) => (type.integer && !Number.isInteger(m) ? "false" : eq(v, type.integer ? int(m) : real(m))))));
        }
        if (type.minimum !== undefined) enc.domain.push(cmp(">=", v, lit(type.minimum)));
        if (type.maximum !== undefined) enc.domain.push(cmp("<=", v, type.integer ? int(Math.floor(type.maximum)) : real(type.maximum)));
        return { kind: "num", term: v, int: type.integer };
      }
      case "string": {
        if (type.enum !== undefined) {
          const members = type.enum.filter((m) => fits(m, type.minLength ?? 0, type.maxLength));
          const v = enc.fresh(this.path, "Int");
          enc.domain.push(and(cmp(">=", v, "0"), cmp("<", v, int(members.length))));
          return { kind: "enum", term: v, members };
        }
        return enc.stringVar(this.path, { minLength: type.minLength ?? 0, ...(type.maxLength === undefined ? {} : { maxLength: type.maxLength }) });
      }
      case "array": {
        const length = enc.fresh(`len_${this.path}`, "Int");
        const wanted = this.layout.slots.get(this.slotKey) ?? 0;
        const min = type.minItems ?? 0;
        const max = type.maxItems;
        let count = min + wanted;
        if (max !== undefined) count = Math.min(count, max);
        const cap = this.layout.maxSlots;
        if (count > cap) {
          enc.approximate("under", `\`${this.path}\` is searched with at most ${cap} items`);
          count = cap;
        }
        enc.domain.push(and(cmp(">=", length, int(min)), cmp("<=", length, int(count))));
        this.lengthVar = length;
        this.slotNodes = Array.from({ length: count }, (_, i) => new Node(this.layout, `${this.path}[${i}]`, `${this.slotKey}[]`, type.items));
        return { kind: "array", length, slots: this.slotNodes.map((n) => n.value()) };
      }
      case "object":
        return { kind: "object", node: this };
      case "union": {
        const tag = enc.fresh(`tag_${this.path}`, "Int");
        enc.domain.push(and(cmp(">=", tag, "0"), cmp("<", tag, int(type.options.length))));
        this.tagVar = tag;
        this.optionNodes = type.options.map((option, i) => new Node(this.layout, this.path, `${this.slotKey}#${i}`, option));
        return { kind: "union", tag, options: this.optionNodes.map((n) => n.value()) };
      }
      case "any":
        enc.approximate("over", `\`${this.path}\` has no type in the catalog, so its value is not modelled`);
        return { kind: "opaque", why: `\`${this.path}\` has no type in the catalog` };
    }
  }

  /** This node's JSON value under a model. */
  toJson(model: ModelReader): unknown {
    const type = this.type;
    if (type.kind === "object") return this.objectJson(model, type);
    if (this.valueSym === undefined) return defaultValue(type);
    const sym = this.valueSym;
    switch (sym.kind) {
      case "lit":
        return sym.value;
      case "bool":
        return model.bool(sym.term) ?? false;
      case "num":
        return model.number(sym.term) ?? defaultValue(type);
      case "enum": {
        const i = model.number(sym.term) ?? 0;
        return sym.members[i] ?? defaultValue(type);
      }
      case "str":
        return model.string(sym.id) ?? defaultValue(type);
      case "array": {
        const length = model.number(this.lengthVar!) ?? 0;
        return this.slotNodes!.slice(0, length).map((n) => n.toJson(model));
      }
      case "union": {
        const tag = model.number(this.tagVar!) ?? 0;
        return this.optionNodes![tag]?.toJson(model) ?? defaultValue(type);
      }
      default:
        return defaultValue(type);
    }
  }

  private objectJson(model: ModelReader, type: ObjectType): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, field] of type.fields) {
      const node = this.children.get(name);
      if (!field.required) {
        const present = this.presence.get(name);
        if (present === undefined || model.bool(present) !== true) continue;
      }
      out[name] = node === undefined ? defaultValue(field.type) : node.toJson(model);
    }
    return out;
  }
}

function fits(s: string, min: number, max: number | undefined): boolean {
  const n = Array.from(s).length;
  return n >= min && (max === undefined || n <= max);
}

/** The smallest value a schema accepts: what unread fields are filled with. */
export function defaultValue(type: FieldType): unknown {
  switch (type.kind) {
    case "null":
      return null;
    case "boolean":
      return false;
    case "number": {
      if (type.enum !== undefined) return type.enum.find((m) => !type.integer || Number.isInteger(m)) ?? 0;
      let n = 0;
      if (type.minimum !== undefined && n < type.minimum) n = type.integer ? Math.ceil(type.minimum) : type.minimum;
      if (type.maximum !== undefined && n > type.maximum) n = type.integer ? Math.floor(type.maximum) : type.maximum;
      return n;
    }
    case "string":
      if (type.enum !== undefined) return type.enum.find((m) => fits(m, type.minLength ?? 0, type.maxLength)) ?? type.enum[0] ?? "";
      return "x".repeat(type.minLength ?? 0);
    case "array":
      return Array.from({ length: type.minItems ?? 0 }, () => defaultValue(type.items));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, field] of type.fields) if (field.required) out[name] = defaultValue(field.type);
      return out;
    }
    case "union":
      return type.options[0] === undefined ? null : defaultValue(type.options[0]);
    case "any":
      return null;
  }
}

/** The symbolic request of one action. */
export class RequestLayout {
  private readonly roots = new Map<string, Node>();
  /** True once some rule or test reads `human`: the request may then name one. */
  readonly humanPresent: string;

  constructor(
    readonly encoding: Encoding,
    readonly catalogs: CatalogSet,
    readonly action: ActionEntry,
    readonly slots: SlotCounts,
    readonly maxSlots = 24,
  ) {
    this.humanPresent = encoding.fresh("human_present", "Bool");
  }

  private root(root: "agent" | "human" | "args" | "env" | "context"): Node {
    let node = this.roots.get(root);
    if (node === undefined) {
      const shape = this.catalogs.request;
      const type: FieldType =
        root === "agent" ? shape.agent : root === "human" ? shape.human : root === "args" ? this.action.args : root === "env" ? shape.env : shape.context;
      node = new Node(this, root, root, type);
      this.roots.set(root, node);
    }
    return node;
  }

  /** The value at `root.fields…` (for `action`, the catalog's constant). */
  read(root: RequestRoot, fields: readonly string[]): Sym {
    if (root === "action") return this.metadata(fields);
    let node = this.root(root);
    for (const f of fields) {
      const child = node.child(f);
      if (child === undefined) return { kind: "opaque", why: `\`${[root, ...fields].join(".")}\` is not in the schema of \`${this.action.name}\`` };
      node = child.node;
    }
    return node.value();
  }

  /** `has root.fields…`: the human is there and every optional step is present. */
  present(root: RequestRoot, fields: readonly string[]): Term {
    if (root === "action") return this.metadata(fields).kind === "opaque" ? "false" : TRUE;
    const terms: Term[] = root === "human" ? [this.humanPresent] : [];
    let node = this.root(root);
    for (const f of fields) {
      const child = node.child(f);
      if (child === undefined) return "false";
      terms.push(child.present);
      node = child.node;
    }
    return and(...terms);
  }

  private metadata(fields: readonly string[]): Sym {
    const [key, ...rest] = fields;
    const value = key === undefined ? undefined : this.action.metadata.get(key)?.value ?? (key === "name" ? this.action.name : key === "family" ? this.action.family : undefined);
    if (value === undefined || rest.length > 0 || (typeof value === "object" && value !== null)) {
      return { kind: "opaque", why: `\`action.${fields.join(".")}\` is not a scalar of \`${this.action.name}\`` };
    }
    return { kind: "lit", value };
  }

  /** The request as JSON under a model. */
  concretize(model: ModelReader): Record<string, unknown> {
    const request: Record<string, unknown> = {
      agent: this.root("agent").toJson(model),
      action: this.action.name,
      args: this.root("args").toJson(model),
      env: this.root("env").toJson(model),
    };
    if (model.bool(this.humanPresent) === true) request.human = this.root("human").toJson(model);
    const context = this.root("context").toJson(model);
    if (context !== null && typeof context === "object" && Object.keys(context).length > 0) request.context = context;
    return request;
  }
}
