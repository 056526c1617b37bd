/**
 * What session rules cost a decision (issue 14): one action decided under
 * policies of 0, 10, 100 and 1,000 session rules, beside the same number of
 * ordinary rules on the request alone, in one run, in two mixes:
 * - **one action** (the worst case): every rule covers the timed payment and
 *   has its own monitor (`count`, `earlier`, `previous` with a filter of
 *   their own, a quarter each; the `sum`s share one monitor and differ in
 *   their threshold);
 * - **spread** (a policy set's shape, ADR 0043): the rules spread over 20
 *   action families of 5 actions, half on one action and half on its
 *   family, as velocity limits (`count` at a few windows and thresholds),
 *   family budgets (`sum`), "after a refusal" (`earlier`) and retry
 *   (`previous`) rules; monitors repeat where a policy set's would. A session decision is
 * `decide` with the session's state plus `record` (the state advances at
 * every call, as the gateway does); the session is long (10,000 calls made
 * before timing) to show that the work does not grow with its length.
 * Dogwood's published per-decision latency (../shared/ANCHORS.md) is quoted
 * beside it.
 *
 * In: nothing (`AGP_BENCH_MAX_SESSION_RULES` lowers the top size). Out: one
 * table. Reports; never asserts. The engines must agree that the request
 * runs before anything is timed.
 */
import { loadCatalog, mergeCatalogs } from "../compiler/catalog/index.js";
import { check } from "../compiler/check/index.js";
import { compilePolicy } from "../compiler/compile/index.js";
import { parse } from "../compiler/syntax/index.js";
import { loadPolicySync, type PolicyEngine, type SessionInput } from "../runtime/index.js";
import { perDecision, ratio, us } from "./scenarios/measure.js";
import type { BenchSuite, BenchTable } from "./suite.js";

const TRANSFER = {
  args: {
    type: "object",
    properties: { recipient: { type: "string", maxLength: 34 }, amount: { type: "number", minimum: 0 } },
    required: ["recipient", "amount"],
  },
};
const FAMILIES = 20;
const ACTIONS_PER_FAMILY = 5;
/** The families `f0` … `f19` of the spread mix, five transfer-like actions each. */
const SPREAD_ACTIONS = Object.fromEntries(
  Array.from({ length: FAMILIES * ACTIONS_PER_FAMILY }, (_, i) => [`f${String(Math.floor(i / ACTIONS_PER_FAMILY))}.a${String(i % ACTIONS_PER_FAMILY)}`, TRANSFER]),
);
const CATALOG = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  family: "ws",
  actions: {
    "files.read": { args: { type: "object", properties: { path: { type: "string", maxLength: 512 } }, required: ["path"] } },
    "bank.send": TRANSFER,
    ...SPREAD_ACTIONS,
  },
};

/** Dogwood's published per-decision latency (ms) by policy count. */
const DOGWOOD_MS: Readonly<Record<number, number>> = { 10: 1.23, 1000: 6.45 };

function sizes(): number[] {
  const max = Number(process.env["AGP_BENCH_MAX_SESSION_RULES"] ?? "1000");
  return [0, 10, 100, 1000].filter((n) => n <= max);
}

/** The i-th session rule: never true for the timed request, so every monitor is read. */
function sessionRule(i: number): string {
  const when = [
    `count ws.bank.send where args.amount > ${1000 + i} within 1 hour >= 5`,
    `sum args.amount of ws.bank.send succeeded within 24 hours > ${1e12 + i}`,
    `earlier ws.files.read where args.path == "/secret/${i}" within 1 hour`,
    `previous ws.files.read where args.path == "/p/${i}" within 10 minutes`,
  ][i % 4]!;
  return `rule s${i}:\n  deny ws.bank.send\n  when ${when}\n  because "session rule ${i}"\n`;
}

/**
 * The spread mix's i-th rule: family i mod 20, kind (i / 20) mod 4, and a
 * variant j = i / 80 that picks the target (even: one of the family's
 * actions; odd: the whole family), the window and the threshold, so
 * families repeat monitors at other thresholds as a policy set does.
 */
function spreadTarget(i: number): string {
  const family = i % FAMILIES;
  const j = Math.floor(i / (4 * FAMILIES));
  return j % 2 === 0 ? `ws.f${family}.a${j % ACTIONS_PER_FAMILY}` : `ws.f${family}.*`;
}

/** Never true for the timed request (family f0's calls are of 10; the other families' of 500 fill their monitors). */
function spreadRule(i: number): string {
  const family = i % FAMILIES;
  const kind = Math.floor(i / FAMILIES) % 4;
  const j = Math.floor(i / (4 * FAMILIES));
  const target = spreadTarget(i);
  const when = [
    `count ${target} where args.amount > 100 within ${["1 minute", "1 hour"][Math.floor(j / 2) % 2]!} >= ${[5, 10, 20][j % 3]!}`,
    `sum args.amount of ws.f${family}.* succeeded within 24 hours > ${[1000, 5000, 10000][j % 3]!}`,
    `earlier ws.f${family}.* refused within ${["10 minutes", "1 hour"][j % 2]!}`,
    `previous ws.f${family}.* refused within 1 minute`,
  ][kind]!;
  return `rule s${i}:\n  deny ${target}\n  when ${when}\n  because "session rule ${i}"\n`;
}

/** The i-th ordinary rule, on the request alone. */
function plainRule(i: number, spread: boolean): string {
  return `rule p${i}:\n  deny ${spread ? spreadTarget(i) : "ws.bank.send"}\n  when args.amount > ${1e12 + i}\n  because "rule ${i}"\n`;
}

function policy(rules: number, session: boolean, spread: boolean): string {
  const head = `package ws\nactions "ws.json"\n${session ? "session context.session retain 24 hours\n" : ""}\nrule pay:\n  allow ws.*\n\n`;
  return head + Array.from({ length: rules }, (_, i) => (!session ? plainRule(i, spread) : spread ? spreadRule(i) : sessionRule(i))).join("\n");
}

function compile(text: string): PolicyEngine {
  const catalog = loadCatalog("ws.json", JSON.stringify(CATALOG));
  if (catalog.catalog === undefined) throw new Error(catalog.diagnostics.map((d) => d.message).join("; "));
  const catalogs = mergeCatalogs([catalog.catalog]).set;
  const parsed = parse(text, "bench.agp");
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map((d) => d.message).join("; "));
  const checked = check({ files: [parsed.file], catalogs });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || checked.checked === undefined) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("; "));
  const compiled = compilePolicy(checked.checked, catalogs);
  if (compiled.compiled === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  return loadPolicySync(compiled.compiled.wasm);
}

const AGENT = { id: "bot", groups: [], trust: 2 };
const oneAction = { agent: AGENT, action: "ws.bank.send", args: { recipient: "DE1", amount: 10 }, env: "production", context: { session: "s" } };
const read = { agent: AGENT, action: "ws.files.read", args: { path: "/p/1" }, env: "production", context: { session: "s" } };
/** The spread mix's timed request, and the calls of its session (every action in turn). */
const spreadPayment = { ...oneAction, action: "ws.f0.a0" };
const spreadCalls = Object.keys(SPREAD_ACTIONS).map((name) => ({ ...oneAction, action: `ws.${name}`, args: { recipient: "DE1", amount: name.startsWith("f0.") ? 10 : 500 } }));

/** A session `calls` calls long (alternating reads and payments, or every spread action in turn), one second apart. */
function longSession(engine: PolicyEngine, calls: number, spread: boolean): SessionInput {
  let session: SessionInput = { now: 0 };
  for (let i = 0; i < calls; i++) {
    const request = spread ? spreadCalls[i % spreadCalls.length]! : i % 2 === 0 ? read : oneAction;
    const update = engine.record(request, session, "allow");
    if (!update.ok) throw new Error(update.error.message);
    session = { now: session.now + 1000, state: update.state };
  }
  return session;
}

async function measure(spread: boolean): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  const time = Number(process.env["AGP_BENCH_TIME_MS"] ?? "1000");
  const payment = spread ? spreadPayment : oneAction;
  for (const n of sizes()) {
    const plain = compile(policy(n, false, spread));
    const withSession = compile(policy(n, n > 0, spread));
    let session = n > 0 ? longSession(withSession, 10_000, spread) : undefined;
    const first = plain.decide(payment);
    const second = session === undefined ? withSession.decide(payment) : withSession.decide(payment, undefined, session);
    if (first.effect !== "allow" || second.effect !== "allow") throw new Error(`the timed payment must run: ${first.effect} / ${second.effect}`);
    const plainTiming = await perDecision(`plain ${n}`, () => plain.decide(payment), time);
    const fixed = session;
    const decideTiming = await perDecision(`session decide ${n}`, () => (fixed === undefined ? withSession.decide(payment) : withSession.decide(payment, undefined, fixed)), time);
    const sessionTiming = await perDecision(
      `session ${n}`,
      () => {
        if (session === undefined) return withSession.decide(payment);
        const decision = withSession.decide(payment, undefined, session);
        const update = withSession.record(payment, session, decision.effect);
        if (update.ok) session = { now: session.now + 1000, state: update.state };
        return decision;
      },
      time,
    );
    const bytes = withSession.manifest.session?.stateBytes ?? 0;
    const dogwood = DOGWOOD_MS[n];
    rows.push([
      n,
      us(plainTiming.median),
      us(decideTiming.median),
      ratio(decideTiming.median / plainTiming.median),
      us(sessionTiming.median),
      us(sessionTiming.p99),
      ratio(sessionTiming.median / plainTiming.median),
      bytes,
      dogwood === undefined ? "-" : `${dogwood} ms`,
      dogwood === undefined ? "-" : ratio((dogwood * 1000) / sessionTiming.median),
    ]);
  }
  return {
    title: spread ? "Session rules spread over a policy set: per-decision cost" : "Session rules all on one action: per-decision cost",
    columns: ["rules", "plain median µs", "session decide µs", "decide / plain", "session decide + record µs", "decide + record p99 µs", "decide + record / plain", "state bytes", "Dogwood published", "Dogwood / session"],
    rows,
    notes: [
      spread
        ? "spread: rules over 20 families of 5 actions (on one action or on its family): velocity `count`s at 2 windows and 3 thresholds, family `sum` budgets at 3 thresholds, `earlier … refused`, `previous … refused`, a quarter each; the timed call is one action (about 3 in 100 rules cover it). plain: the same rules on the request alone (`args.amount > k`). The session is 10,000 calls long, every action in turn."
        : "one action: every rule covers the timed payment. plain: the same number of ordinary rules on the request (`args.amount > k`); session: `count`, `sum`, `earlier`, `previous` a quarter each, on a session already 10,000 calls long.",
      "session decide: `decide` with the session's state alone; decide + record: a whole session decision, the state advancing at every call as the gateway does it. Store I/O is not included (Dogwood's figures include its event store's fsync).",
      "Dogwood figures: published per-decision latency at 10 and 1,000 policies (../shared/ANCHORS.md).",
    ],
  };
}

export const suite: BenchSuite = {
  name: "session",
  async run() {
    return [await measure(false), await measure(true)];
  },
};
