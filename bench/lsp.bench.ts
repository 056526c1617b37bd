/**
 * The language server's re-check latency: how long after a one-character
 * edit the author sees the diagnostics of a policy of 10, 100 and 1,000
 * rules (one file, checked against the github example catalog).
 *
 * In: nothing (the policies are generated; a temporary directory holds them
 * and the catalog). Out: one table — per size the median and 90th
 * percentile of (1) the analysis alone, in process (`Workspace.analyze`:
 * parse the edited file, check the policy set, caches warm), and (2) the
 * whole round trip through a real `agp lsp` process: `didChange` sent →
 * `publishDiagnostics` for that version received. Reported, never asserted.
 * Needs `npm run build` (the round trip runs bin/agp.js). Must not leave the
 * server process or the temporary directory behind.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Workspace } from "../compiler/lsp/index.js";
import { nodeFiles } from "../compiler/project/index.js";
import { median, percentile, type BenchSuite, type BenchTable } from "./suite.js";

/** The repository root, from bench/ or dist/bench/. */
const ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
})();

/** A policy of `rules` rules that checks without errors against examples/schemas/github.json. */
export function lspPolicy(rules: number): string {
  const out = ["package bench.lsp", 'actions "github.json"', 'let protected_branches = {"main", "master", "release"}', ""];
  const shapes: ((i: number) => string[])[] = [
    (i) => [`rule r${i}:`, "  allow github.pull_request.open", `  when args.repo == "acme/repo-${i}"`],
    (i) => [`rule r${i}:`, "  deny github.repo.push", `  when args.branch in protected_branches and args.repo == "acme/r${i}"`, `  because "rule ${i} protects branches"`],
    (i) => [`rule r${i}:`, "  approve github.pull_request.merge", `  when args.repo startsWith "acme/team-${i}"`, `  by 1 of group "team-${i % 7}"`],
    (i) => [`rule r${i}:`, "  allow github.issue.create", `  when has args.labels and all l in args.labels: l startsWith "bug-${i}"`],
    (i) => [`rule r${i}:`, "  allow github.*", "  when action.readOnly"],
  ];
  for (let i = 0; i < rules; i++) out.push(...shapes[i % shapes.length]!(i), "");
  out.push("rule last:", "  deny github.pull_request.merge", '  because "the reason an author is typing"', "");
  return out.join("\n");
}

/** The policy with the edit number `n`: one character more or less at the end of the last reason. */
function edited(policy: string, n: number): string {
  return n % 2 === 0 ? policy : policy.replace("is typing", "is typingx");
}

async function inProcess(dir: string, file: string, policy: string, edits: number): Promise<number[]> {
  let text = policy;
  let version = 1;
  const workspace = new Workspace({ files: nodeFiles() }, () => new Map([[file, { text, version }]]));
  await workspace.analyze(dir); // warm: catalog loaded, JIT warm
  const samples: number[] = [];
  for (let n = 1; n <= edits; n++) {
    text = edited(policy, n);
    version++;
    const t0 = performance.now();
    const { snapshot } = await workspace.analyze(dir);
    samples.push(performance.now() - t0);
    if (snapshot.diagnostics.some((d) => d.severity === "error")) throw new Error(`the benchmark policy has errors: ${snapshot.diagnostics[0]!.message}`);
  }
  return samples;
}

/** A minimal protocol client (framing only): enough to time didChange → publishDiagnostics. */
async function overProtocol(dir: string, file: string, policy: string, edits: number): Promise<number[]> {
  const child = spawn(process.execPath, [join(ROOT, "bin", "agp.js"), "lsp"], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
  const waiting = new Map<string, (message: { params?: { version?: number } }) => void>();
  let buffer = Buffer.alloc(0);
  child.stdout.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString("utf8")) as { id?: number; method?: string; params?: { uri?: string; version?: number } };
      buffer = buffer.subarray(end + 4 + length);
      const key = message.id !== undefined && message.method === undefined ? `id:${message.id}` : message.method === "textDocument/publishDiagnostics" && message.params?.uri === uri ? `v:${message.params.version}` : "";
      waiting.get(key)?.(message);
      waiting.delete(key);
    }
  });
  const send = (message: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }));
    child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  const until = (key: string) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agp lsp did not answer (${key})`)), 120_000);
    waiting.set(key, () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const uri = pathToFileURL(file).href;
  const samples: number[] = [];
  try {
    const initialized = until("id:1");
    send({ id: 1, method: "initialize", params: { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} } });
    await initialized;
    send({ method: "initialized", params: {} });
    const opened = until("v:1");
    send({ method: "textDocument/didOpen", params: { textDocument: { uri, languageId: "agp", version: 1, text: policy } } });
    await opened;
    for (let n = 1; n <= edits; n++) {
      const version = n + 1;
      const published = until(`v:${version}`);
      const t0 = performance.now();
      send({ method: "textDocument/didChange", params: { textDocument: { uri, version }, contentChanges: [{ text: edited(policy, n) }] } });
      await published;
      samples.push(performance.now() - t0);
    }
    const shutdown = until("id:2");
    send({ id: 2, method: "shutdown", params: null });
    await shutdown;
    send({ method: "exit", params: null });
  } finally {
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  }
  return samples;
}

export const suite: BenchSuite = {
  name: "lsp",
  async run(): Promise<readonly BenchTable[]> {
    const rows: (string | number)[][] = [];
    for (const rules of [10, 100, 1_000]) {
      const dir = mkdtempSync(join(tmpdir(), "agp-lsp-bench-"));
      try {
        copyFileSync(join(ROOT, "examples", "schemas", "github.json"), join(dir, "github.json"));
        const file = join(dir, "policy.agp");
        const policy = lspPolicy(rules);
        writeFileSync(file, policy);
        const edits = rules >= 1_000 ? 20 : 40;
        const local = await inProcess(dir, file, policy, edits);
        const remote = await overProtocol(dir, file, policy, edits);
        rows.push([rules, (Buffer.byteLength(policy) / 1024).toFixed(0), median(local).toFixed(1), percentile(local, 90).toFixed(1), median(remote).toFixed(1), percentile(remote, 90).toFixed(1)]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return [
      {
        title: "Language server: re-check after a one-character edit",
        columns: ["rules", "file (KiB)", "analysis median (ms)", "analysis p90 (ms)", "round trip median (ms)", "round trip p90 (ms)"],
        rows,
        notes: [
          "One generated file per size, checked against examples/schemas/github.json; each edit adds or removes one character of a reason.",
          "Analysis: `Workspace.analyze` in process (parse of the edited file, check of the policy set; catalog cached), caches warm.",
          "Round trip: a real `agp lsp` process; time from sending `didChange` to receiving `publishDiagnostics` for that version.",
        ],
      },
    ];
  },
};
