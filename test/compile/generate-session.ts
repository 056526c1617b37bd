/**
 * Random session policies and traces for the differential test of session
 * rules (the module's monitors against the interpreter's trace semantics,
 * docs/decisions/0024-session-rules.md).
 *
 * In: a seed. Out: .agp text over the session catalog below (small value
 * domains, so that correlations meet, sets overflow and windows open and
 * close), and a trace of steps: calls (request, time, the effect the host
 * enforced, which is sometimes not the decision's), outcome reports of
 * earlier allowed calls, clocks that stand still or go backwards.
 * Texts the checker refuses are the caller's to skip.
 */
import { Random } from "../check/generate.js";

export { Random };

/** The catalog the generated policies are checked against. */
export const SESSION_CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "s",
  groups: ["reviewers"],
  actions: {
    fetch: {
      "x-agp-labels": ["untrusted"],
      args: { type: "object", properties: { url: { enum: ["a", "b", "evil"] } }, required: ["url"], additionalProperties: false },
    },
    read: {
      args: { type: "object", properties: { path: { type: "string", maxLength: 16 } }, required: ["path"], additionalProperties: false },
    },
    send: {
      args: {
        type: "object",
        properties: { to: { type: "array", items: { type: "string", maxLength: 8 }, maxItems: 3 }, urgent: { type: "boolean" } },
        required: ["to", "urgent"],
        additionalProperties: false,
      },
    },
    pay: {
      args: {
        type: "object",
        properties: { recipient: { type: "string", maxLength: 8 }, amount: { type: "number", minimum: 0, maximum: 1000 }, kind: { enum: ["a", "b", "c"] } },
        required: ["recipient", "amount", "kind"],
        additionalProperties: false,
      },
    },
  },
};

const PEOPLE = ["ann", "bob", "cy", "dee", "eve"];
const PATHS = ["/pub", "/secret/k", "/secret/x", "/tmp"];
const ACTIONS = ["s.fetch", "s.read", "s.send", "s.pay"];
const STATUSES = ["", "", "", " allowed", " parked", " refused", " succeeded", " failed", " rolled_back"];
/** Aggregates that threshold families compare (uncorrelated ones share a per-decision value; the correlated one does not). */
const FAMILIES = [
  "count s.pay within 10 seconds",
  "count s.pay succeeded where args.amount > 100 within 1 minute",
  "count s.* refused within 10 seconds",
  "sum args.amount of s.pay within 1 minute step 5 seconds",
  "sum args.amount of s.pay succeeded within 10 seconds step 2 seconds",
  "count s.pay where args.recipient == current.args.recipient within 1 minute",
];
const WINDOWS = ["2 seconds", "10 seconds", "1 minute", "5 minutes", "1 hour"];

/** A generated policy. */
export interface SessionPolicy {
  readonly text: string;
}

/** A policy for `seed`: a base allow, a label declaration, and a handful of rules with session operators. */
export function generateSessionPolicy(seed: number): SessionPolicy {
  const r = new Random(seed);
  const lines: string[] = [`package sess`, `session context.session track ${String(1 + r.int(3))}`, ""];
  lines.push(`label sensitive on s.read when args.path startsWith "/secret"`, "");
  lines.push("rule base:\n  allow s.*", "");
  const effects = ["deny", "approve", "allow"];
  const count = 2 + r.int(5);
  for (let i = 0; i < count; i++) {
    const effect = r.pick(effects);
    const action = r.pick([...ACTIONS, "s.*"]);
    const when = condition(r, action, 0);
    lines.push(`rule r${String(i)}:\n  ${effect} ${action}\n  when ${when}${effect === "approve" ? '\n  by 1 of group "reviewers"' : ""}`, "");
  }
  // A threshold family (ADR 0043): one aggregate compared with several thresholds by several rules, so they share its monitor and its per-decision value.
  if (r.chance(0.6)) {
    const base = r.pick(FAMILIES);
    const members = 2 + r.int(3);
    for (let k = 0; k < members; k++) {
      const effect = r.pick(effects);
      const op = r.pick([">=", ">", "<", "<=", "==", "!="]);
      const n = base.startsWith("sum") ? 100 * (1 + r.int(6)) : 1 + r.int(4);
      const extra = r.chance(0.3) ? ` and ${operator(r, "s.pay")}` : "";
      lines.push(`rule f${String(k)}:\n  ${effect} s.pay\n  when ${base} ${op} ${String(n)}${extra}${effect === "approve" ? '\n  by 1 of group "reviewers"' : ""}`, "");
    }
  }
  return { text: lines.join("\n") };
}

/** A condition with one or two session operators (and sometimes a plain test). */
function condition(r: Random, action: string, depth: number): string {
  const parts = [operator(r, action)];
  if (depth === 0 && r.chance(0.4)) parts.push(operator(r, action));
  if (r.chance(0.2)) parts.push(`${r.chance(0.5) ? "" : "not "}${operator(r, action)}`);
  return parts.join(r.chance(0.5) ? " and " : " or ");
}

function status(r: Random): string {
  return r.pick(STATUSES);
}

/** One session operator, correlated with the current request where the action allows it. */
function operator(r: Random, action: string): string {
  const w = r.pick(WINDOWS);
  // Correlations need the rule's own action in the pattern: prefer it.
  const past = action !== "s.*" && r.chance(0.6) ? action : r.pick(ACTIONS);
  const choice = action === "s.send" && r.chance(0.3) ? 9 : r.int(9);
  const correlate = (p: string): string | undefined => {
    // Correlations need the same field on both sides: the rule's action must be exact.
    if (action === "s.pay" && p === "s.pay") return r.pick(["args.recipient == current.args.recipient", "args.kind == current.args.kind", "current.args.recipient == args.recipient"]);
    if (action === "s.read" && p === "s.read") return "args.path == current.args.path";
    if (action === "s.fetch" && p === "s.fetch") return "args.url == current.args.url";
    return undefined;
  };
  const staticFilter = (p: string): string | undefined => {
    if (p === "s.pay") return r.pick(['args.kind == "a"', "args.amount > 100", 'args.kind in {"a", "b"}']);
    if (p === "s.read") return r.pick(['args.path startsWith "/secret"', 'args.path == "/pub"']);
    if (p === "s.send") return r.pick(["args.urgent", "any t in args.to: t == \"eve\""]);
    return r.chance(0.5) ? 'args.url == "evil"' : undefined;
  };
  const filter = (p: string, allowCorrelation: boolean): string => {
    const fs: string[] = [];
    if (r.chance(0.4)) {
      const s = staticFilter(p);
      if (s !== undefined) fs.push(s);
    }
    if (allowCorrelation && r.chance(0.6)) {
      const c = correlate(p);
      if (c !== undefined) fs.push(c);
    }
    return fs.length === 0 ? "" : ` where ${fs.join(" and ")}`;
  };
  switch (choice) {
    case 0:
    case 1:
      return `earlier ${past}${status(r)}${filter(past, true)} within ${w}`;
    case 2: {
      const n = 1 + r.int(3);
      const op = r.pick([">=", ">", "<", "<=", "==", "!="]);
      return `count ${past}${status(r)}${filter(past, true)} within ${w} ${op} ${String(n)}`;
    }
    case 3: {
      const op = r.pick([">", "<=", ">="]);
      const [window, step] = r.pick([["10 seconds", " step 2 seconds"], ["10 seconds", " step 1 second"], ["1 minute", ""], ["1 minute", " step 5 seconds"], ["24 hours", " step 1 hour"], ["2 seconds", " step 1 second"]] as const);
      return `sum args.amount of s.pay${status(r)}${filter("s.pay", true)} within ${window}${step} ${op} ${String(100 * (1 + r.int(6)))}`;
    }
    case 4:
      return r.chance(0.3) ? `previous s.*${status(r)} within ${w}` : `previous ${past}${status(r)}${filter(past, true)} within ${w}`;
    case 5:
      return `no ${past}${status(r)}${filter(past, false)} since ${r.pick(ACTIONS)}${status(r)} within ${w}`;
    case 6:
      return `only ${r.pick([...ACTIONS, "s.*"])}${status(r)} since ${r.pick(ACTIONS)}${status(r)} within ${w}`;
    case 7:
      return `exposed ${r.pick(["untrusted", "sensitive"])} within ${w}`;
    case 9: {
      // A correlation through a quantifier's item: each recipient against earlier recipients.
      const q = r.pick(["any", "all"]);
      const inner = r.chance(0.5) ? `earlier s.send${status(r)} where t in args.to within ${w}` : `count s.send where t in args.to within ${w} >= ${String(1 + r.int(2))}`;
      return `(${q} t in args.to: ${r.chance(0.5) ? "not " : ""}${inner})`;
    }
    default:
      return r.chance(0.5) ? `carries ${r.pick(["untrusted", "sensitive"])}` : `earlier ${past} within ${w}`;
  }
}

/** One step of a trace. */
export type TraceStep =
  | { readonly kind: "call"; readonly now: number; readonly request: Record<string, unknown>; readonly enforce?: "allow" | "approve" | "deny" }
  | { readonly kind: "outcome"; readonly now: number; readonly call: number; readonly outcome: "succeeded" | "failed" | "rolled_back" };

/** A random request of the catalog (small domains). */
export function randomRequest(r: Random, session = "s-1"): Record<string, unknown> {
  const action = r.pick(ACTIONS);
  const args =
    action === "s.fetch"
      ? { url: r.pick(["a", "b", "evil"]) }
      : action === "s.read"
        ? { path: r.pick(PATHS) }
        : action === "s.send"
          ? { to: Array.from({ length: r.int(4) }, () => r.pick(PEOPLE)), urgent: r.chance(0.3) }
          : { recipient: r.pick(PEOPLE), amount: r.pick([0, 50, 150, 400, 999.5, 0.1]), kind: r.pick(["a", "b", "c"]) };
  const context = r.chance(0.04) ? {} : { session };
  return { agent: { id: "bot", groups: [], trust: 2 }, action, args, env: "production", context };
}

/**
 * A trace: calls at times that mostly move forward (sometimes stand still or
 * step back: the clock rule), occasionally an outcome for a random earlier
 * call step (the caller reports only those that were allowed).
 */
export function generateTrace(seed: number, steps: number): TraceStep[] {
  const r = new Random(seed * 7919 + 1);
  const out: TraceStep[] = [];
  let now = 1_700_000_000_000 + r.int(100_000);
  for (let i = 0; i < steps; i++) {
    const jump = r.pick([0, 1, 300, 999, 1000, 1001, 1999, 2000, 2001, 5000, 9999, 10_000, 30_000, 60_000, 61_000, 300_000, 3_600_000]);
    now = r.chance(0.05) ? now - r.int(5000) : now + jump;
    if (out.length > 0 && r.chance(0.25)) {
      const calls = out.map((s, k) => [s, k] as const).filter(([s]) => s.kind === "call");
      const [, call] = r.pick(calls);
      out.push({ kind: "outcome", now, call, outcome: r.pick(["succeeded", "failed", "rolled_back"] as const) });
      continue;
    }
    const enforce = r.chance(0.1) ? r.pick(["allow", "approve", "deny"] as const) : undefined;
    out.push({ kind: "call", now, request: randomRequest(r), ...(enforce === undefined ? {} : { enforce }) });
  }
  return out;
}
