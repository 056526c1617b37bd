/**
 * The playground page: editors for the policy, its tests, the catalog, the
 * request and the runtime state; the compiler in a worker (evaluate.ts);
 * diagnostics painted where they are and listed; the decision, its
 * explanation and the test results; the state kept in the URL fragment.
 *
 * In: the page's markup (index.html) and the URL fragment. Out: the page.
 * The test hook: `document.body.dataset.runs` counts finished evaluations
 * and `data-busy` is "true" while one is pending.
 */
import { CodeEditor, type Mark } from "./editor.js";
import type { FileKey, Outcome, PlacedDiagnostic, PlaygroundState } from "./evaluate.js";
import { EXAMPLE } from "./example.js";
import { agpClasses, jsonClasses, loadAgpGrammar } from "./highlight.js";
import { decodeState, encodeState } from "./share.js";

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const plain = (text: string) => new Array<string>(text.length).fill("");

const editors = {
  policy: new CodeEditor($("#policy"), plain, "policy.agp"),
  tests: new CodeEditor($("#tests"), plain, "policy.test.agp"),
  catalog: new CodeEditor($("#catalog"), jsonClasses, "catalog.json"),
  request: new CodeEditor($("#request"), jsonClasses, "request (JSON)"),
  state: new CodeEditor($("#state"), jsonClasses, "runtime state (JSON)"),
};

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
let ready = false;
let sent = 0;
let runs = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

function current(): PlaygroundState {
  return { policy: editors.policy.value, tests: editors.tests.value, catalog: editors.catalog.value, request: editors.request.value, state: editors.state.value };
}

function load(state: PlaygroundState): void {
  for (const key of Object.keys(editors) as (keyof typeof editors)[]) editors[key].value = state[key];
}

function setStatus(text: string): void {
  $("#status").textContent = text;
}

function schedule(delay = 250): void {
  document.body.dataset["busy"] = "true";
  clearTimeout(timer);
  timer = setTimeout(() => {
    const state = current();
    void encodeState(state).then((hash) => history.replaceState(null, "", hash));
    if (!ready) return; // sent once the worker says it is ready
    worker.postMessage({ id: ++sent, state });
    setStatus("checking…");
  }, delay);
}

for (const editor of Object.values(editors)) editor.onChange(() => schedule());

// ------------------------------------------------------------ tabs

function showTab(tab: FileKey): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) button.setAttribute("aria-selected", String(button.dataset["tab"] === tab));
  for (const pane of document.querySelectorAll<HTMLElement>("[data-pane]")) pane.hidden = pane.dataset["pane"] !== tab;
}
for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) button.addEventListener("click", () => showTab(button.dataset["tab"] as FileKey));

// ------------------------------------------------------------ diagnostics

function showDiagnostics(diagnostics: readonly PlacedDiagnostic[]): void {
  for (const key of ["policy", "tests", "catalog"] as const) {
    const mine = diagnostics.filter((d) => d.file === key);
    editors[key].setMarks(mine.map((d): Mark => ({ offset: d.offset, endOffset: d.endOffset, severity: d.severity, message: d.message })));
    const count = document.querySelector<HTMLElement>(`[data-tab="${key}"] .count`)!;
    const errors = mine.filter((d) => d.severity === "error").length;
    count.textContent = mine.length === 0 ? "" : String(errors > 0 ? errors : mine.length);
    count.classList.toggle("warnings", errors === 0);
  }
  const list = $("#diagnostics");
  list.replaceChildren();
  $("#problem-count").textContent = diagnostics.length === 0 ? "" : String(diagnostics.length);
  if (diagnostics.length === 0) {
    const li = document.createElement("li");
    li.className = "none";
    li.textContent = "No problems: the policy checks.";
    list.append(li);
  }
  for (const d of diagnostics) {
    const li = document.createElement("li");
    li.className = d.severity;
    li.dataset["code"] = d.code;
    li.innerHTML = `<span class="where"></span><span class="code"></span><span class="message"></span>`;
    li.querySelector(".where")!.textContent = d.where;
    li.querySelector(".code")!.textContent = d.code;
    li.querySelector(".message")!.textContent = d.message;
    if (d.help !== undefined) {
      const help = document.createElement("div");
      help.className = "help";
      help.textContent = `help: ${d.help}`;
      li.append(help);
    }
    if (d.file !== "other") {
      const file = d.file;
      li.addEventListener("click", () => {
        showTab(file);
        editors[file].reveal(d.offset, d.endOffset);
      });
    }
    list.append(li);
  }
}

// ------------------------------------------------------------ results

function text(tag: string, content: string, className?: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className !== undefined) element.className = className;
  return element;
}

function showOutcome(outcome: Outcome): void {
  showDiagnostics(outcome.diagnostics);
  const panel = $("#decision");
  panel.replaceChildren();
  const decision = outcome.decision;
  if (decision === undefined) {
    panel.append(text("p", outcome.notDecided ?? "no decision", "problem-text"));
  } else {
    const head = document.createElement("div");
    head.className = "decision-head";
    head.append(text("span", decision.effect, `effect effect-${decision.effect}`));
    head.append(text("span", decision.error === undefined ? `audit ${decision.audit}` : `refused: ${decision.error.code}`, "muted"));
    panel.append(head);
    const facts = document.createElement("dl");
    facts.className = "facts";
    const fact = (name: string, ...content: (Node | string)[]) => {
      facts.append(text("dt", name));
      const dd = document.createElement("dd");
      dd.append(...content);
      facts.append(dd);
    };
    const rules = decision.rules.map((r) => {
      const span = document.createElement("span");
      span.append(text("span", r.id, "rule-id"), ` ${r.kind === "limit" ? "limit, " : ""}${r.file}:${r.line}`);
      return span;
    });
    fact("decided by", ...(rules.length === 0 ? ["no rule (default deny)"] : rules.flatMap((r, i) => (i === 0 ? [r] : [", ", r]))));
    fact("reasons", decision.reasons.join("; ") || "—");
    if (decision.approval !== undefined) fact("approval", decision.approval.quorums.map((q) => `${q.count} of ${q.groups.join(", ")}`).join(" and "));
    if (decision.blockedBy !== undefined) fact("blocked by", decision.blockedBy);
    const obligations = Object.entries(decision.obligations);
    if (obligations.length > 0) fact("obligations", obligations.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", "));
    if (decision.limits.length > 0) fact("limits", decision.limits.map((l) => `${l.id} += ${l.amount}`).join(", "));
    fact("module", `${((outcome.wasmBytes ?? 0) / 1024).toFixed(1)} KiB, hash ${decision.policy.hash.slice(0, 12)}…`);
    panel.append(facts);
  }
  $("#explain").textContent = outcome.explanation.join("\n") || (decision === undefined ? "" : "—");
  const results = $("#test-results");
  results.replaceChildren();
  if (outcome.tests === undefined) {
    $("#test-summary").textContent = outcome.decision === undefined ? "" : "(no test cases)";
  } else {
    $("#test-summary").textContent = `${outcome.tests.passed} passed, ${outcome.tests.failed} failed`;
    for (const c of outcome.tests.cases) {
      const li = text("li", c.name, c.passed ? "pass" : "fail");
      if (!c.passed) li.append(text("pre", c.lines.map((l) => l.trim()).join("\n")));
      results.append(li);
    }
  }
  const ms = outcome.timings.compileMs === undefined ? `checked in ${outcome.timings.checkMs.toFixed(0)} ms` : `checked in ${outcome.timings.checkMs.toFixed(0)} ms, compiled in ${outcome.timings.compileMs.toFixed(0)} ms`;
  setStatus(ms);
}

worker.onerror = (event) => {
  setStatus("the compiler failed to load (see the console)");
  console.error(`agp playground worker: ${event.message}`);
};

worker.onmessage = (event: MessageEvent<{ id: number; phase: "ready" | "checked" | "done" | "failed"; diagnostics?: PlacedDiagnostic[]; outcome?: Outcome; message?: string }>) => {
  const message = event.data;
  if (message.phase === "ready") {
    ready = true;
    schedule(0);
    return;
  }
  if (message.id !== sent) return; // an older edit's answer
  if (message.phase === "checked") {
    showDiagnostics(message.diagnostics ?? []);
    setStatus("compiling…");
    return;
  }
  if (message.phase === "failed") {
    setStatus("internal error (see the console)");
    console.error(message.message);
  } else showOutcome(message.outcome!);
  runs++;
  document.body.dataset["runs"] = String(runs);
  document.body.dataset["busy"] = "false";
};

// ------------------------------------------------------------ share and reset

$("#share").addEventListener("click", async () => {
  const hash = await encodeState(current());
  history.replaceState(null, "", hash);
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus("link copied");
  } catch {
    setStatus("link in the address bar");
  }
});
$("#reset").addEventListener("click", () => {
  load(EXAMPLE);
  schedule(0);
});

// ------------------------------------------------------------ start

load((await decodeState(location.hash)) ?? EXAMPLE);
schedule(0);
void loadAgpGrammar().then((grammar) => {
  const classify = (t: string) => agpClasses(t, grammar);
  editors.policy.setClassifier(classify);
  editors.tests.setClassifier(classify);
});
